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
        let state = try weights.map { try loadWeights(try resolveWeights($0, model: name)) }
        let headKey = ModelRegistry.classifierKey(for: name) + ".weight"
        let classes = state?[headKey]?.shape.first ?? 1000
        let build = { (channels: Int) in
            try ModelRegistry.make(name, numClasses: classes, inputChannels: channels, inputSize: inputSize,
                                   forPublishedWeights: weights?.lowercased() == "imagenet")
        }
        var network = try state == nil ? build(dataChannels) : Initializer.withoutInitialization { try build(dataChannels) }
        if let state {
            // The checkpoint's first convolution says how many channels the model was trained on.
            if let (key, firstConv) = network.namedParameters().first(where: { $0.1.rank == 4 }),
               let saved = state[key], saved.rank == 4, saved.shape[1] != firstConv.shape[1] {
                network = try Initializer.withoutInitialization { try build(saved.shape[1]) }
            }
            try network.loadStateDict(state)
        }
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
