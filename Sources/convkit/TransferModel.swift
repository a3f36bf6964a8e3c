import ArgumentParser
import ConvKitTraining
import ConvKitVision
import Foundation

/// A zoo model for transfer: built to match its pretrained weights (classes, input
/// channels), loaded strictly, and normalized the way those weights expect.
struct TransferModel {
    let name: String
    let network: any ClassifierHeaded
    /// Channels of the first convolution: 3 for ImageNet weights even on grayscale data.
    let inputChannels: Int

    /// - Parameters:
    ///   - weights: a `--weights` value, or nil for random initialization (training from scratch).
    ///   - dataChannels: used when the weights do not fix the channel count.
    init(name: String, weights: String?, dataChannels: Int, inputSize: Int) throws {
        self.name = name
        let network = try weights.map { weights in
            try ModelRegistry.make(name, loading: try loadWeights(try resolveWeights(weights, model: name)),
                                   defaultChannels: dataChannels, inputSize: inputSize,
                                   forPublishedWeights: weights.lowercased() == "imagenet")
        } ?? ModelRegistry.make(name, numClasses: 1000, inputChannels: dataChannels, inputSize: inputSize)
        self.network = try network.asClassifierHeaded()
        inputChannels = network.namedParameters().first { $0.1.rank == 4 }?.1.shape[1] ?? dataChannels
    }

    /// The model's own preprocessing statistics for 3-channel input (grayscale batches
    /// broadcast to three identical channels through them); the dataset's for 1-channel models.
    func normalization(for data: DataOptions, dataChannels: Int) throws -> Normalization {
        guard inputChannels == 3 else {
            guard dataChannels == inputChannels else {
                throw ValidationError("\(name) takes \(inputChannels)-channel input but the data has \(dataChannels) channels")
            }
            return try data.normalization
        }
        guard dataChannels == 1 || dataChannels == 3 else {
            throw ValidationError("cannot feed \(dataChannels)-channel images to a 3-channel model")
        }
        let preprocessing = ModelRegistry.preprocessing(for: name)
        return Normalization(mean: preprocessing.mean, std: preprocessing.std)
    }
}
