import ArgumentParser
import ConvKitInterop
import ConvKitTraining
import ConvKitVision
import Foundation

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's embeddings of a dataset or an image folder to .npy (and the labels next to it).")

    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model: String

    @Option(help: "Weights: a PyTorch .pth/.pt state dict, a .safetensors file or checkpoint, or 'imagenet'.")
    var weights: String

    @Option(help: "An image folder (DIR/<class>/*.png|jpg); labels are the class folders in sorted order.")
    var images: String?

    @OptionGroup var data: DataOptions

    @Option(help: "Which split of --dataset: train or test.")
    var split = "test"

    @Option(help: "A module path whose output to save (see `convkit summary`); default: the classifier's input, after global pooling.")
    var layer: String?

    @Option(help: "Embed only the first N images.")
    var limit: Int?

    @Option(help: "Where to write the [N, ...] float32 embeddings; labels.npy (int64) goes in the same folder.")
    var out: String

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test, got \(split)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        var dataset = try loadImages()
        if let limit { dataset = try dataset.prefix(limit) }
        guard dataset.count > 0 else { throw ValidationError("no images to embed") }
        let transfer = try TransferModel(name: model, weights: weights, dataChannels: dataset.exampleShape[0],
                                         inputSize: dataset.exampleShape[2])
        let normalization = try transfer.normalization(for: data, dataChannels: dataset.exampleShape[0])
        let network = transfer.network
        network.eval()
        // Built before any work, so an unknown layer path fails at once with the valid ones listed.
        let extractor = try FeatureExtractor(network, layers: [layer ?? network.classifierPath],
                                             capture: layer == nil ? .input : .output)

        let loader = try DataLoader(dataset, batchSize: data.batchSize)
        let progress = ProgressBar(title: "embed", total: loader.count)
        var values: [Float] = [], labels: [Int] = [], featureShape: [Int] = []
        try loader.forEachBatch { index, batch in
            guard let features = try extractor(try normalization(batch.images)).values.first else { return }
            featureShape = Array(features.shape.dropFirst())
            values += features.scalars
            labels += batch.labels.integers
            progress.update(completed: index + 1, items: labels.count, figures: [:])
        }
        let outURL = URL(fileURLWithPath: out)
        let labelsURL = outURL.deletingLastPathComponent().appendingPathComponent("labels.npy")
        try FileManager.default.createDirectory(at: outURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try NumPyFile.write(Tensor(values, shape: [labels.count] + featureShape), to: outURL)
        try NumPyFile.write(Tensor(integers: labels, shape: [labels.count]), to: labelsURL)
        print("wrote \(labels.count) embeddings of shape \(featureShape) to \(outURL.path) and labels to \(labelsURL.path)")
    }

    private func loadImages() throws -> InMemoryImageDataset {
        guard let images else {
            // The limit goes in before loading, so only the kept images are resized.
            var options = data
            if split == "train" { options.limitTrain = limit ?? options.limitTrain } else { options.limitTest = limit ?? options.limitTest }
            return try options.load(split == "train" ? .train : .test)
        }
        let side = data.imageSize ?? ModelRegistry.preprocessing(for: model).cropTo
        return try ImageFolderDataset.load(from: URL(fileURLWithPath: images), size: (side, side), channels: 3)
    }
}
