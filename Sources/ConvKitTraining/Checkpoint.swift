import ConvKitInterop
import ConvKitNN
import Foundation

/// Everything needed to resume training, in one safetensors file: the model's state
/// dict under its own keys (so the file also serves as plain weights), the optimizer's
/// state under `optimizer.`, and epoch, schedule and settings as header metadata.
public struct Checkpoint {
    public static let optimizerPrefix = "optimizer."

    public var modelState: [(String, Tensor)]
    public var optimizerState: [String: Tensor]
    public var metadata: [String: String]

    public init(modelState: [(String, Tensor)], optimizerState: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.modelState = modelState
        self.optimizerState = optimizerState
        self.metadata = metadata
    }

    /// The epoch the checkpoint was written after, if recorded.
    public var epoch: Int? { metadata["epoch"].flatMap(Int.init) }

    /// Writes to a temporary file and renames it over `url`, so a crash mid-write
    /// leaves the previous checkpoint intact.
    public func write(to url: URL) throws {
        let optimizerEntries = optimizerState.sorted { $0.key < $1.key }.map { (Self.optimizerPrefix + $0.key, $0.value) }
        try SafeTensorsFile.write(.init(tensors: modelState + optimizerEntries, metadata: metadata), to: url)
    }

    public static func read(_ url: URL) throws -> Checkpoint {
        let contents = try SafeTensorsFile.read(url)
        var model: [(String, Tensor)] = []
        var optimizer: [String: Tensor] = [:]
        for (key, tensor) in contents.tensors {
            if key.hasPrefix(optimizerPrefix) {
                optimizer[String(key.dropFirst(optimizerPrefix.count))] = tensor
            } else {
                model.append((key, tensor))
            }
        }
        return Checkpoint(modelState: model, optimizerState: optimizer, metadata: contents.metadata)
    }
}
