import Foundation

/// One epoch's figures, as written to `RUN_DIR/metrics.json` and `metrics.csv`.
public struct EpochMetrics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    /// Training time of the epoch; evaluation is excluded.
    public var trainSeconds: Double
    public var learningRate: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double,
                trainSeconds: Double, learningRate: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.trainSeconds = trainSeconds
        self.learningRate = learningRate
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case epoch
        case trainLoss = "train_loss"
        case trainAccuracy = "train_accuracy"
        case testLoss = "test_loss"
        case testAccuracy = "test_accuracy"
        case trainSeconds = "train_seconds"
        case learningRate = "learning_rate"
    }
}

/// The per-epoch history of a run, rewritten atomically after every epoch so that an
/// interrupted run still leaves complete, parseable files.
///
/// The checkpoint carries the same history (``Checkpoint/metricsKey``) and is written
/// first, so these files never list an epoch the checkpoint lacks; resuming rewrites
/// them from the checkpoint.
public struct MetricsLog {
    public static let fileNames = ["metrics.json", "metrics.csv"]

    public let directory: URL
    public private(set) var epochs: [EpochMetrics]

    public init(directory: URL, epochs: [EpochMetrics] = []) {
        self.directory = directory
        self.epochs = epochs
    }

    /// Reads `metrics.json` from a run folder (to draw curves).
    public static func load(from directory: URL) throws -> MetricsLog {
        let url = directory.appendingPathComponent("metrics.json")
        let data = try Data(contentsOf: url)
        return MetricsLog(directory: directory, epochs: try JSONDecoder().decode([EpochMetrics].self, from: data))
    }

    /// The history with `metrics` as its last epoch (later epochs of an earlier attempt are dropped).
    public func appending(_ metrics: EpochMetrics) -> [EpochMetrics] {
        epochs.filter { $0.epoch < metrics.epoch } + [metrics]
    }

    public mutating func append(_ metrics: EpochMetrics) throws {
        try replace(with: appending(metrics))
    }

    /// Replaces the history and rewrites both files.
    public mutating func replace(with history: [EpochMetrics]) throws {
        epochs = history
        try save()
    }

    private func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(epochs), to: directory.appendingPathComponent("metrics.json"))
        let header = EpochMetrics.CodingKeys.allCases.map(\.rawValue).joined(separator: ",")
        let rows = epochs.map { m in
            ["\(m.epoch)", "\(m.trainLoss)", "\(m.trainAccuracy)", "\(m.testLoss)", "\(m.testAccuracy)",
             "\(m.trainSeconds)", "\(m.learningRate)"].joined(separator: ",")
        }
        try AtomicFile.write(Data(([header] + rows).joined(separator: "\n").appending("\n").utf8),
                             to: directory.appendingPathComponent("metrics.csv"))
    }
}
