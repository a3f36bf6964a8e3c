import ArgumentParser
import ConvKitInterop
import ConvKitTraining
import ConvKitVision
import Foundation

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify an image (or a preprocessed .npy batch) with a model and its weights.")

    @OptionGroup var model: ModelOptions

    @OptionGroup var input: InputOptions

    @Option(help: "How many classes to list per input.")
    var topk = 5

    @Option(help: "Write the raw logits as .npy.")
    var logitsOut: String?

    @Flag(help: "Print JSON: {\"predictions\": [{\"index\", \"label\", \"probability\"}, ...]}.")
    var json = false

    func validate() throws {
        guard topk > 0 else { throw ValidationError("--topk must be positive") }
    }

    func run() throws {
        let (input, _) = try self.input.load(model: model.model)
        let network = try model.load(inputChannels: input.shape[1], inputSize: input.shape[2])
        let logits = try withNoGrad { try network(input) }
        let classCount = logits.shape[1]
        if let logitsOut { try NumPyFile.write(logits, to: URL(fileURLWithPath: logitsOut)) }
        let probabilities = try logits.softmax(axis: 1)
        let names = classNames(count: classCount)
        let perInput = (0..<input.shape[0]).map { row -> [[String: Any]] in
            let values = Array(probabilities.scalars[(row * classCount)..<((row + 1) * classCount)])
            return values.indices.sorted { values[$0] > values[$1] }.prefix(topk).map {
                ["index": $0, "label": names[$0], "probability": Double(values[$0])]
            }
        }
        if json {
            let object: [String: Any] = ["predictions": perInput.count == 1 ? perInput[0] as Any : perInput as Any]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (row, predictions) in perInput.enumerated() {
                if perInput.count > 1 { print("input \(row):") }
                for prediction in predictions {
                    print(String(format: "%6.2f%%  %4d  %@", 100 * (prediction["probability"] as! Double),
                                 prediction["index"] as! Int, prediction["label"] as! String))
                }
            }
        }
    }
}

/// The file behind a `--weights` value: a path, or `imagenet` for the model's published checkpoint,
/// downloaded with a progress bar on first use.
func resolveWeights(_ value: String, model: String) throws -> URL {
    guard value.lowercased() == "imagenet" else { return URL(fileURLWithPath: value) }
    let progress = DownloadProgressBar()
    return try PublishedWeights.localFile(for: model, willDownload: progress.announce, progress: progress.update)
}

/// A state dict from a PyTorch checkpoint or a safetensors file, told apart by content.
func loadWeights(_ url: URL) throws -> [String: Tensor] {
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
        throw ValidationError("cannot read weights \(url.path): no such file")
    }
    let head = handle.readData(ofLength: 9)
    try? handle.close()
    // safetensors: an 8-byte little-endian header length, then a JSON object.
    if head.count == 9, head[8] == UInt8(ascii: "{") {
        return try Checkpoint.read(url).modelState.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }
    return try PyTorchCheckpoint.load(url)
}
