import ArgumentParser
import ConvKitVision
import Foundation

struct Activations: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw a layer's feature maps for an image as a PNG grid.")

    @OptionGroup var model: ModelOptions

    @OptionGroup var input: InputOptions

    @Option(help: "Layer path, e.g. layer1.0.conv1 (see convkit summary).")
    var layer: String

    @Option(help: "At most this many maps.")
    var maxMaps = 64

    @Option(help: "Output PNG.")
    var out: String

    func run() throws {
        let (input, _) = try self.input.load(model: model.model)
        let network = try model.load(inputChannels: input.shape[1], inputSize: input.shape[2])
        guard let activations = try FeatureExtractor(network, layers: [layer])(input)[layer] else {
            throw ValidationError("layer '\(layer)' gave no output")
        }
        try writePNG(try FeatureMapGrid.image(activations: activations, name: layer, maxMaps: maxMaps), to: out)
        print("\(layer): output \(activations.shape); wrote \(out)")
    }
}
