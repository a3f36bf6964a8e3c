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

/// Training stopped because the training or test loss became NaN or infinite.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    public let epoch: Int
    /// The training batch whose loss was not finite; nil when it was the test loss after the epoch.
    public let batch: Int?
    public let loss: Double
    /// The checkpoint left in the run folder: its path and epoch, or nil when this run wrote none.
    public let keptCheckpoint: (url: URL, epoch: Int)?

    public var description: String {
        let value = loss.isNaN ? "NaN" : "\(loss)"
        let what = batch.map { "the loss became \(value) at epoch \(epoch), batch \($0)" }
            ?? "the test loss became \(value) after epoch \(epoch) (the training loss was finite)"
        let kept = keptCheckpoint.map { "the checkpoint of epoch \($0.epoch) (\($0.url.path)) was kept" }
            ?? "no checkpoint was written"
        return "\(what); training stopped and \(kept). Lower the learning rate, add gradient clipping or warm-up, "
            + "or check the input data."
    }
}

/// The classic loop: for each epoch, train on every batch, then evaluate, write a
/// checkpoint atomically and log metrics. Resumes from such a checkpoint.
public final class Trainer {
    public let model: Module
    public let optimizer: any ParameterOptimizer
    public let schedule: LearningRateSchedule
    public let normalization: Normalization?
    public let runDirectory: URL
    /// Recorded in the checkpoint; `model` and `dataset`, when given, must match a checkpoint resumed from.
    public var metadata: [String: String]
    public var showProgress = true
    public var gradientClipNorm: Float?
    /// Batch-level augmentation with soft targets (MixUp, CutMix): images and labels of
    /// training step `step` in, mixed images and target probabilities `[B, classes]` out.
    /// Training accuracy then counts a prediction right when it is the argmax of the mixed
    /// target (the label covering most of the image), not of the unmixed label.
    public var mixBatch: ((_ images: Tensor, _ labels: Tensor, _ step: Int) throws -> (images: Tensor, targets: Tensor))?
    /// Called with the epoch number before each training epoch (gradual unfreezing thaws layers here).
    public var beforeEpoch: ((Int) throws -> Void)?
    private let baseRates: [Float]
    public private(set) var log: MetricsLog
    /// The epoch of the checkpoint this trainer wrote or resumed from.
    public private(set) var checkpointEpoch: Int?

    /// Nothing is written until ``fit(train:test:epochs:)`` starts, so a run refused
    /// for its settings leaves no folder behind.
    public init(model: Module, optimizer: any ParameterOptimizer, schedule: LearningRateSchedule = .constant,
                normalization: Normalization? = nil, runDirectory: URL, metadata: [String: String] = [:]) throws {
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

    /// The metadata fields that say which run a checkpoint belongs to.
    static let identityKeys = ["model", "dataset"]

    /// Restores model, optimizer, metrics and epoch from `checkpoint`; returns the next epoch.
    /// `metrics.json` and `metrics.csv` are rewritten to the checkpoint's history, dropping
    /// any epoch a killed run logged past it.
    /// - Throws: ``TrainingError`` when there is no checkpoint or it records another model or dataset.
    public func resume(from checkpoint: URL) throws -> Int {
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw TrainingError("there is no checkpoint to resume from at \(checkpoint.path); start a new run instead")
        }
        let saved = try Checkpoint.read(checkpoint)
        for key in Self.identityKeys {
            guard let recorded = saved.metadata[key], let current = metadata[key],
                  recorded.lowercased() != current.lowercased() else { continue }
            throw TrainingError("\(checkpoint.path) was written training \(key) '\(recorded)', not '\(current)'; "
                + "resume with \(key) '\(recorded)', or start a new run in another folder")
        }
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: saved.modelState))
        try optimizer.loadStateDict(tensors: saved.optimizerState, metadata: saved.metadata)
        let epoch = saved.epoch ?? 0
        removeStaleTemporaries()
        let history = saved.metrics ?? (try? MetricsLog.load(from: runDirectory).epochs) ?? []
        try log.replace(with: history.filter { $0.epoch <= epoch })
        checkpointEpoch = epoch
        return epoch + 1
    }

    /// Trains epochs `first...last`; returns the metrics of every epoch so far. After each
    /// epoch the checkpoint is written before the metrics, so `metrics.json` and
    /// `metrics.csv` never list an epoch the checkpoint does not hold.
    /// - Throws: ``TrainingError`` when an epoch would have no batch or train and test examples
    ///   differ in shape; ``NonFiniteLossError`` when the loss stops being finite.
    @discardableResult
    public func fit(train: DataLoader, test: DataLoader, epochs: ClosedRange<Int>) throws -> [EpochMetrics] {
        try Self.check(train: train, test: test)
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        removeStaleTemporaries()
        for epoch in epochs {
            try beforeEpoch?(epoch)
            // Whatever the caller printed comes before this epoch's progress, which bypasses stdio.
            fflush(nil)
            let start = Date()
            let (trainLoss, trainAccuracy) = try trainEpoch(train, epoch: epoch)
            let trainSeconds = Date().timeIntervalSince(start)
            let (testLoss, testAccuracy) = try evaluate(test)
            guard testLoss.isFinite else {
                throw NonFiniteLossError(epoch: epoch, batch: nil, loss: testLoss, keptCheckpoint: keptCheckpoint)
            }
            let metrics = EpochMetrics(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy, testLoss: testLoss,
                                       testAccuracy: testAccuracy, trainSeconds: trainSeconds,
                                       learningRate: Double(optimizer.groups.first?.learningRate ?? 0))
            let history = log.appending(metrics)
            try saveCheckpoint(epoch: epoch, history: history)
            try log.replace(with: history)
            if showProgress {
                // Flushed per line, so a log redirected to a file follows the run.
                let accuracy = mixBatch == nil ? "acc" : "mixed-target acc"
                print(String(format: "epoch %d: train loss %.4f \(accuracy) %.4f | test loss %.4f acc %.4f | %.2fs", epoch,
                             trainLoss, trainAccuracy, testLoss, testAccuracy, trainSeconds))
                fflush(nil)
            }
        }
        return log.epochs
    }

    /// Refuses loaders that cannot train together: an epoch without a batch, or training and
    /// test examples of different shapes (blamed on the augmentation when there is one).
    /// ``fit(train:test:epochs:)`` checks this first; call it before building a model for them.
    public static func check(train: DataLoader, test: DataLoader) throws {
        guard train.count > 0 else {
            throw TrainingError("the batch size \(train.batchSize) is larger than the \(train.dataset.count) training "
                + "examples, so an epoch would train no step; use a batch size of at most \(train.dataset.count)")
        }
        guard train.exampleShape == test.exampleShape else {
            if train.exampleTransform != nil {
                throw TrainingError("the augmentation turns \(train.dataset.exampleShape) images into \(train.exampleShape), "
                    + "but test images are not augmented (they stay \(test.exampleShape)); end the pipeline with a crop "
                    + "or resize to that size")
            }
            throw TrainingError("training examples are \(train.exampleShape) but test examples are \(test.exampleShape); "
                + "the training and test files do not belong together")
        }
    }

    private var keptCheckpoint: (url: URL, epoch: Int)? { checkpointEpoch.map { (checkpointURL, $0) } }

    /// What a run killed mid-write left: this trainer's own temporaries of its own files, and
    /// the abandoned ones of Foundation's atomic writes, which older versions wrote checkpoints with.
    private func removeStaleTemporaries() {
        for url in [checkpointURL] + MetricsLog.fileNames.map(runDirectory.appendingPathComponent) {
            AtomicFile.removeStaleTemporaries(of: url)
        }
        AtomicFile.removeAbandonedFoundationTemporaries(in: runDirectory)
    }

    private func trainEpoch(_ loader: DataLoader, epoch: Int) throws -> (loss: Double, accuracy: Double) {
        model.train()
        let progress = showProgress ? ProgressBar(title: "epoch \(epoch)", total: loader.count) : nil
        var totalLoss = 0.0, correct = 0, seen = 0
        try loader.forEachBatch(epoch: epoch) { index, batch in
            let step = (epoch - 1) * loader.count + index
            schedule.apply(to: optimizer, baseRates: baseRates, step: step)
            let images = try normalization.map { try $0(batch.images) } ?? batch.images
            let (loss, logits, targets) = try trainingLoss(images, labels: batch.labels, step: step)
            let value = loss.item
            guard value.isFinite else {
                throw NonFiniteLossError(epoch: epoch, batch: index, loss: Double(value), keptCheckpoint: keptCheckpoint)
            }
            optimizer.zeroGrad()
            try loss.backward()
            if let gradientClipNorm {
                try clipGradNorm(optimizer.groups.flatMap(\.parameters), maxNorm: gradientClipNorm)
            }
            try optimizer.step()
            let count = batch.labels.count
            totalLoss += Double(value) * Double(count)
            correct += try Self.correctPredictions(logits, targets)
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

    /// Cross-entropy of the model's output, or the model's own loss (e.g. with GoogLeNet's
    /// auxiliary classifiers), with the labels accuracy is counted against.
    private func trainingLoss(_ images: Tensor, labels: Tensor, step: Int) throws
        -> (loss: Tensor, logits: Tensor, accuracyLabels: Tensor) {
        if let mixBatch {
            guard !(model is AuxiliaryLossModel) else {
                throw TrainingError("mixup and cutmix are not supported for models with auxiliary losses (googlenet)")
            }
            let mixed = try mixBatch(images, labels, step)
            let logits = try model(mixed.images)
            return (try crossEntropy(logits, probabilities: mixed.targets), logits, try mixed.targets.argmax(axis: 1))
        }
        if let auxiliary = model as? AuxiliaryLossModel {
            let (loss, logits) = try auxiliary.trainingLoss(images, labels: labels)
            return (loss, logits, labels)
        }
        let logits = try model(images)
        return (try crossEntropy(logits, targets: labels), logits, labels)
    }

    static func correctPredictions(_ logits: Tensor, _ labels: Tensor) throws -> Int {
        zip(try logits.argmax(axis: 1).integers, labels.integers).filter { $0 == $1 }.count
    }

    private func saveCheckpoint(epoch: Int, history: [EpochMetrics]) throws {
        let (optimizerTensors, optimizerMetadata) = optimizer.stateDict()
        var fields = metadata.merging(optimizerMetadata) { _, new in new }
        fields["epoch"] = String(epoch)
        fields[Checkpoint.metricsKey] = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        try Checkpoint(modelState: model.stateDict(), optimizerState: optimizerTensors, metadata: fields)
            .write(to: checkpointURL)
        checkpointEpoch = epoch
    }
}
