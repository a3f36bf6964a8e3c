import ArgumentParser
import ConvKitInterop
import ConvKitTraining
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a softmax-regression classifier on saved embeddings and report held-out accuracy.")

    @Option(help: "An [N, ...] .npy of embeddings (from `convkit embed`); trailing axes are flattened.")
    var embeddings: String

    @Option(help: "An [N] .npy of integer labels.")
    var labels: String

    @Option(help: "Fraction of rows held out for testing (ignored with --test-embeddings).")
    var holdout = 0.2

    @Option(help: "Evaluate on these embeddings instead of a held-out part (e.g. a dataset's test split).")
    var testEmbeddings: String?

    @Option(help: "Labels of --test-embeddings.")
    var testLabels: String?

    @Option(help: "Seed of the train/held-out split and the classifier's initialization.")
    var seed: UInt64 = 0

    @Option(help: "Full-batch Adam steps.")
    var steps = 300

    @Option(help: "Adam learning rate.")
    var lr: Float = 0.01

    @Option(help: "Decoupled weight decay.")
    var weightDecay: Float = 1e-4

    @Flag(help: "Print JSON: {\"train_accuracy\", \"holdout_accuracy\", \"train\", \"holdout\", \"features\", \"classes\", \"seconds\"}.")
    var json = false

    func validate() throws {
        guard holdout > 0, holdout < 1 else { throw ValidationError("--holdout must be between 0 and 1, got \(holdout)") }
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        guard (testEmbeddings == nil) == (testLabels == nil) else {
            throw ValidationError("give --test-embeddings and --test-labels together")
        }
    }

    func run() throws {
        let start = Date()
        let (features, labelValues) = try Self.readPair(embeddings, labels)
        RandomGenerator.manualSeed(seed)
        let rows = features.shape[0]
        let trainFeatures: Tensor, trainLabels: [Int], evalFeatures: Tensor, evalLabels: [Int]
        if let testEmbeddings, let testLabelsPath = testLabels {
            (trainFeatures, trainLabels) = (features, labelValues)
            (evalFeatures, evalLabels) = try Self.readPair(testEmbeddings, testLabelsPath)
            guard evalFeatures.shape[1] == features.shape[1] else {
                throw ValidationError("\(testEmbeddings) has \(evalFeatures.shape[1]) features per row, \(embeddings) \(features.shape[1])")
            }
        } else {
            let heldOut = Int((Double(rows) * holdout).rounded())
            guard heldOut > 0, heldOut < rows else {
                throw ValidationError("\(rows) rows cannot be split with --holdout \(holdout); use more rows")
            }
            var generator = RandomGenerator(seed: seed)
            let order = Array(0..<rows).shuffled(using: &generator)
            (trainFeatures, trainLabels) = try Self.rows(order[heldOut...], of: features, labels: labelValues)
            (evalFeatures, evalLabels) = try Self.rows(order[..<heldOut], of: features, labels: labelValues)
        }
        let classCount = (trainLabels + evalLabels).max().map { $0 + 1 } ?? 0
        let probe = try SoftmaxProbe(features: trainFeatures, labels: trainLabels, classCount: classCount, steps: steps,
                                     learningRate: lr, weightDecay: weightDecay)
        let trainAccuracy = try probe.accuracy(trainFeatures, labels: trainLabels)
        let testAccuracy = try probe.accuracy(evalFeatures, labels: evalLabels)
        let seconds = Date().timeIntervalSince(start)
        let (width, maxLabel, heldOut) = (features.shape[1], classCount - 1, evalLabels.count)
        let trainRows = trainLabels.count
        if json {
            let result: [String: Any] = ["train_accuracy": trainAccuracy, "holdout_accuracy": testAccuracy,
                                         "train": trainRows, "holdout": heldOut, "features": width,
                                         "classes": maxLabel + 1, "seconds": seconds]
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(String(format: "probe trained on %d x %d features, %d classes: train accuracy %.4f, held-out accuracy %.4f "
                + "(%d rows), %.1fs", trainRows, width, maxLabel + 1, trainAccuracy, testAccuracy, heldOut, seconds))
        }
    }

    /// Embeddings flattened to `[N, features]` and their integer labels, checked against each other.
    static func readPair(_ embeddingsPath: String, _ labelsPath: String) throws -> (Tensor, [Int]) {
        let features = try NumPyFile.read(URL(fileURLWithPath: embeddingsPath))
        let targets = try NumPyFile.read(URL(fileURLWithPath: labelsPath))
        guard features.rank >= 2, features.shape[0] > 0 else {
            throw ValidationError("\(embeddingsPath) holds shape \(features.shape); expected [N, features]")
        }
        guard targets.rank == 1, targets.shape[0] == features.shape[0] else {
            throw ValidationError("\(embeddingsPath) has \(features.shape[0]) rows but \(labelsPath) has shape \(targets.shape); "
                + "pass the labels.npy written with these embeddings")
        }
        let labels = targets.dtype == .float32 ? targets.scalars.map { Int($0) } : targets.integers
        guard labels.allSatisfy({ $0 >= 0 }) else { throw ValidationError("\(labelsPath): labels must be non-negative class indices") }
        let rows = features.shape[0]
        return (try features.converted(to: .float32).reshaped([rows, features.count / rows]), labels)
    }

    static func rows(_ indices: ArraySlice<Int>, of features: Tensor, labels: [Int]) throws -> (Tensor, [Int]) {
        let width = features.shape[1], flat = features.scalars
        var values: [Float] = []
        values.reserveCapacity(indices.count * width)
        for row in indices { values += flat[(row * width)..<((row + 1) * width)] }
        return (Tensor(values, shape: [indices.count, width]), indices.map { labels[$0] })
    }
}
