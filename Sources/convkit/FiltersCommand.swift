import ArgumentParser
import ConvKitVision
import Foundation

struct Filters: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw a convolution layer's kernels as a PNG grid.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Convolution layer path, e.g. features.0 or _conv_stem (default: the first convolution).")
    var layer: String?

    @Option(help: "At most this many tiles.")
    var maxTiles = 1024

    @Option(help: "Output PNG.")
    var out: String

    func run() throws {
        let network = try model.load()
        let conv = network.convolutionPaths
        guard let path = layer ?? conv.first else { throw ValidationError("the model has no convolution layers") }
        guard let weight = try network.requiredModule(at: path).namedParameters().first(where: { $0.0 == "weight" })?.1,
              weight.rank == 4 else {
            throw ValidationError("'\(path)' is not a convolution; convolutions: \(conv.joined(separator: ", "))")
        }
        try writePNG(try FilterGrid.image(weight: weight, name: path, maxTiles: maxTiles), to: out)
        print("\(path): weight \(weight.shape); wrote \(out)")
    }
}
