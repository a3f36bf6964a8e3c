import ArgumentParser
import ConvKitInterop
import ConvKitVision
import Foundation

/// The help of every `--model` option, which takes its value through `ModelRegistry.canonicalName`
/// so that a misspelt model is reported, with the known ones, before any data or weights are looked for.
let modelHelp = ArgumentHelp("Model name (\(ModelRegistry.names.joined(separator: ", "))).")

/// `--model` and `--weights`, shared by every command that runs a zoo model on its weights.
struct ModelOptions: ParsableArguments {
    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model: String

    @Option(help: "Weights: a PyTorch .pth/.pt state dict, a .safetensors file, or 'imagenet' for the published checkpoint (downloaded once into the cache).")
    var weights: String

    /// The model in evaluation mode with the weights loaded, shaped as the checkpoint says
    /// (see ``ModelRegistry/make(_:loading:inputChannels:defaultChannels:inputSize:forPublishedWeights:)``).
    func load(inputChannels: Int? = nil, inputSize: Int? = nil) throws -> Module {
        let state = try loadWeights(try resolveWeights(weights, model: model))
        let network = try ModelRegistry.make(model, loading: state, inputChannels: inputChannels,
                                             inputSize: inputSize ?? ModelRegistry.defaultInputSize(for: model),
                                             forPublishedWeights: weights.lowercased() == "imagenet")
        network.eval()
        return network
    }
}

/// `--image` or `--input-npy`: what the model is run on.
struct InputOptions: ParsableArguments {
    @Option(help: "A PNG or JPEG image, preprocessed as the model's weights expect.")
    var image: String?

    @Option(help: "An already preprocessed N x C x H x W float32 .npy batch.")
    var inputNpy: String?

    func validate() throws {
        guard (image == nil) != (inputNpy == nil) else { throw ValidationError("give exactly one of --image and --input-npy") }
    }

    /// The model input and, for drawing over, the picture it shows: the resized and cropped
    /// image, or the first row of the .npy scaled to its min..max.
    func load(model: String) throws -> (input: Tensor, picture: Image) {
        if let image {
            let preprocessing = ModelRegistry.preprocessing(for: model)
            let cropped = try preprocessing.cropped(try Image(contentsOf: URL(fileURLWithPath: image)))
            return (try preprocessing.normalized(cropped), cropped)
        }
        let input = try NumPyFile.read(URL(fileURLWithPath: inputNpy ?? ""))
        guard input.rank == 4, input.dtype == .float32 else {
            throw ValidationError("--input-npy must hold an N x C x H x W float32 array, got \(input.dtype) \(input.shape)")
        }
        return (input, try Image(displaying: try input[0]))
    }
}

/// Class names for a classifier with `count` outputs: ImageNet's for 1000, else "class i".
func classNames(count: Int) -> [String] {
    ImageNetClasses.names.count == count ? ImageNetClasses.names : (0..<count).map { "class \($0)" }
}

extension Module {
    /// Paths of the 2-D convolutions, in forward order (for defaults and error messages).
    var convolutionPaths: [String] { namedModules().filter { $0.1 is Conv2d }.map(\.0) }
}

/// Writes a PNG, creating its folder.
func writePNG(_ image: Image, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try image.write(to: url)
}
