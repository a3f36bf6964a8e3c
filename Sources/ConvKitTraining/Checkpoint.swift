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

    /// The metadata field holding the run's metrics up to ``epoch``, as JSON.
    public static let metricsKey = "metrics"

    /// The per-epoch metrics recorded with the checkpoint (nil for checkpoints written before they were).
    public var metrics: [EpochMetrics]? {
        metadata[Self.metricsKey].flatMap { try? JSONDecoder().decode([EpochMetrics].self, from: Data($0.utf8)) }
    }

    /// Writes to a temporary file and renames it over `url`, so a crash or a full disk
    /// mid-write leaves the previous checkpoint intact.
    public func write(to url: URL) throws {
        let optimizerEntries = optimizerState.sorted { $0.key < $1.key }.map { (Self.optimizerPrefix + $0.key, $0.value) }
        try AtomicFile.write(try SafeTensorsFile.encode(.init(tensors: modelState + optimizerEntries, metadata: metadata)),
                             to: url)
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
