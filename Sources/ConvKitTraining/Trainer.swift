import Foundation

/// Per-channel normalization applied to every batch before the model sees it.
public struct Normalization: Sendable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    public func callAsFunction(_ images: Tensor) throws -> Tensor {
        let shape = [1, mean.count, 1, 1]
        return try (images - Tensor(mean, shape: shape)) / Tensor(std, shape: shape)
    }
}

/// A training configuration that cannot work, with what to change.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Training stopped because the loss became NaN or infinite.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    public let epoch: Int
    public let batch: Int
    public let loss: Float

    public var description: String {
        "the loss became \(loss) at epoch \(epoch), batch \(batch); training stopped and the last good checkpoint "
            + "was kept. Lower the learning rate, add gradient clipping or warm-up, or check the input data."
    }
}

/// The classic loop: for each epoch, train on every batch, then evaluate, log metrics,
/// and write a checkpoint atomically. Resumes from such a checkpoint.
public final class Trainer {
    public let model: Module
    public let optimizer: any ParameterOptimizer
    public let schedule: LearningRateSchedule
    public let normalization: Normalization?
    public let runDirectory: URL
    public var metadata: [String: String]
    public var showProgress = true
    public var gradientClipNorm: Float?
    /// Batch-level augmentation with soft targets (MixUp, CutMix): images and labels of
    /// training step `step` in, mixed images and target probabilities `[B, classes]` out.
    /// Accuracy is still counted against the unmixed labels.
    public var mixBatch: ((_ images: Tensor, _ labels: Tensor, _ step: Int) throws -> (images: Tensor, targets: Tensor))?
    /// Called with the epoch number before each training epoch (gradual unfreezing thaws layers here).
    public var beforeEpoch: ((Int) throws -> Void)?
    private let baseRates: [Float]
    public private(set) var log: MetricsLog

    public init(model: Module, optimizer: any ParameterOptimizer, schedule: LearningRateSchedule = .constant,
                normalization: Normalization? = nil, runDirectory: URL, metadata: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.normalization = normalization
        self.runDirectory = runDirectory
        self.metadata = metadata
        self.baseRates = optimizer.groups.map(\.learningRate)
        self.log = MetricsLog(directory: runDirectory)
    }

    public var checkpointURL: URL { runDirectory.appendingPathComponent("last.safetensors") }

    /// Restores model, optimizer, metrics and epoch from `checkpoint`; returns the next epoch.
    public func resume(from checkpoint: URL) throws -> Int {
        let saved = try Checkpoint.read(checkpoint)
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: saved.modelState))
        try optimizer.loadStateDict(tensors: saved.optimizerState, metadata: saved.metadata)
        if let previous = try? MetricsLog.load(from: runDirectory) { log = previous }
        return (saved.epoch ?? 0) + 1
    }

    /// Trains epochs `first...last`; returns the metrics of every epoch so far.
    @discardableResult
    public func fit(train: DataLoader, test: DataLoader, epochs: ClosedRange<Int>) throws -> [EpochMetrics] {
        for epoch in epochs {
            try beforeEpoch?(epoch)
            let start = Date()
            let (trainLoss, trainAccuracy) = try trainEpoch(train, epoch: epoch)
            let trainSeconds = Date().timeIntervalSince(start)
            let (testLoss, testAccuracy) = try evaluate(test)
            let metrics = EpochMetrics(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy, testLoss: testLoss,
                                       testAccuracy: testAccuracy, trainSeconds: trainSeconds,
                                       learningRate: Double(optimizer.groups.first?.learningRate ?? 0))
            try log.append(metrics)
            try saveCheckpoint(epoch: epoch)
            if showProgress {
                print(String(format: "epoch %d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.2fs", epoch,
                             trainLoss, trainAccuracy, testLoss, testAccuracy, trainSeconds))
            }
        }
        return log.epochs
    }

    private func trainEpoch(_ loader: DataLoader, epoch: Int) throws -> (loss: Double, accuracy: Double) {
        model.train()
        let progress = showProgress ? ProgressBar(title: "epoch \(epoch)", total: loader.count) : nil
        var totalLoss = 0.0, correct = 0, seen = 0
        try loader.forEachBatch(epoch: epoch) { index, batch in
            let step = (epoch - 1) * loader.count + index
            schedule.apply(to: optimizer, baseRates: baseRates, step: step)
            let images = try normalization.map { try $0(batch.images) } ?? batch.images
            let (loss, logits) = try trainingLoss(images, labels: batch.labels, step: step)
            let value = loss.item
            guard value.isFinite else { throw NonFiniteLossError(epoch: epoch, batch: index, loss: value) }
            optimizer.zeroGrad()
            try loss.backward()
            if let gradientClipNorm {
                try clipGradNorm(optimizer.groups.flatMap(\.parameters), maxNorm: gradientClipNorm)
            }
            try optimizer.step()
            let count = batch.labels.count
            totalLoss += Double(value) * Double(count)
            correct += try Self.correctPredictions(logits, batch.labels)
            seen += count
            progress?.update(completed: index + 1, items: seen,
                             figures: ["loss": totalLoss / Double(seen), "acc": Double(correct) / Double(seen)])
        }
        return (totalLoss / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)))
    }

    /// Mean loss and accuracy over `loader`, in evaluation mode without a graph.
    public func evaluate(_ loader: DataLoader) throws -> (loss: Double, accuracy: Double) {
        model.eval()
        defer { model.train() }
        return try withNoGrad {
            var totalLoss = 0.0, correct = 0, seen = 0
            try loader.forEachBatch { _, batch in
                let images = try normalization.map { try $0(batch.images) } ?? batch.images
                let logits = try model(images)
                totalLoss += Double(try crossEntropy(logits, targets: batch.labels, reduction: .sum).item)
                correct += try Self.correctPredictions(logits, batch.labels)
                seen += batch.labels.count
            }
            return (totalLoss / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)))
        }
    }

    /// Cross-entropy of the model's output, or the model's own loss (e.g. with GoogLeNet's auxiliary classifiers).
    private func trainingLoss(_ images: Tensor, labels: Tensor, step: Int) throws -> (loss: Tensor, logits: Tensor) {
        if let mixBatch {
            guard !(model is AuxiliaryLossModel) else {
                throw TrainingError("mixup and cutmix are not supported for models with auxiliary losses (googlenet)")
            }
            let mixed = try mixBatch(images, labels, step)
            let logits = try model(mixed.images)
            return (try crossEntropy(logits, probabilities: mixed.targets), logits)
        }
        if let auxiliary = model as? AuxiliaryLossModel { return try auxiliary.trainingLoss(images, labels: labels) }
        let logits = try model(images)
        return (try crossEntropy(logits, targets: labels), logits)
    }

    static func correctPredictions(_ logits: Tensor, _ labels: Tensor) throws -> Int {
        zip(try logits.argmax(axis: 1).integers, labels.integers).filter { $0 == $1 }.count
    }

    private func saveCheckpoint(epoch: Int) throws {
        let (optimizerTensors, optimizerMetadata) = optimizer.stateDict()
        var fields = metadata.merging(optimizerMetadata) { _, new in new }
        fields["epoch"] = String(epoch)
        try Checkpoint(modelState: model.stateDict(), optimizerState: optimizerTensors, metadata: fields)
            .write(to: checkpointURL)
    }
}
