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
public struct MetricsLog {
    public let directory: URL
    public private(set) var epochs: [EpochMetrics]

    public init(directory: URL, epochs: [EpochMetrics] = []) {
        self.directory = directory
        self.epochs = epochs
    }

    /// Reads `metrics.json` from a run folder (to resume, or to draw curves).
    public static func load(from directory: URL) throws -> MetricsLog {
        let url = directory.appendingPathComponent("metrics.json")
        let data = try Data(contentsOf: url)
        return MetricsLog(directory: directory, epochs: try JSONDecoder().decode([EpochMetrics].self, from: data))
    }

    public mutating func append(_ metrics: EpochMetrics) throws {
        epochs.removeAll { $0.epoch >= metrics.epoch }
        epochs.append(metrics)
        try save()
    }

    private func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(epochs).write(to: directory.appendingPathComponent("metrics.json"), options: .atomic)
        let header = EpochMetrics.CodingKeys.allCases.map(\.rawValue).joined(separator: ",")
        let rows = epochs.map { m in
            ["\(m.epoch)", "\(m.trainLoss)", "\(m.trainAccuracy)", "\(m.testLoss)", "\(m.testAccuracy)",
             "\(m.trainSeconds)", "\(m.learningRate)"].joined(separator: ",")
        }
        try ([header] + rows).joined(separator: "\n").appending("\n")
            .write(to: directory.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
    }
}
