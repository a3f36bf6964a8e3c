import ConvKitTraining
import Foundation
import Testing

/// A learnable toy problem: the label is the brightest of four quadrants of an 8x8 image.
func quadrantDataset(count: Int, seed: UInt64) throws -> InMemoryImageDataset {
    var generator = RandomGenerator(seed: seed)
    var pixels: [UInt8] = [], labels: [Int] = []
    for _ in 0..<count {
        let label = generator.nextInt(below: 4)
        for y in 0..<8 {
            for x in 0..<8 {
                let quadrant = (y / 4) * 2 + x / 4
                pixels.append(UInt8(generator.nextInt(below: 120) + (quadrant == label ? 120 : 0)))
            }
        }
        labels.append(label)
    }
    return try InMemoryImageDataset(pixels: pixels, labels: labels, exampleShape: [1, 8, 8], classNames: ["a", "b", "c", "d"])
}

final class SmallNet: Module {
    let features = Sequential(try! Conv2d(1, 4, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2))  // [N, 4, 4, 4]
    let classifier = try! Linear(64, 4)

    /// Initialized from its own generator: the global one is shared with tests running in parallel.
    init(seed: UInt64) {
        super.init()
        var generator = RandomGenerator(seed: seed)
        for (_, parameter) in namedParameters() {
            Initializer.uniform(parameter, bound: 0.3, generator: &generator)
        }
    }

    override func forward(_ input: Tensor) throws -> Tensor {
        try classifier(features(input).flattened(from: 1))
    }
}

@Suite struct TrainerTests {
    func makeRun() throws -> (URL, DataLoader, DataLoader) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-train-\(UUID())")
        let train = try DataLoader(try quadrantDataset(count: 512, seed: 1), batchSize: 32, shuffle: true, seed: 2)
        let test = try DataLoader(try quadrantDataset(count: 256, seed: 3), batchSize: 64)
        return (directory, train, test)
    }

    @Test func shortRunCutsTheLossAndBeatsChance() throws {
        let (directory, train, test) = try makeRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = SmallNet(seed: 1)
        let trainer = try Trainer(model: model, optimizer: try SGD(model.trainableParameters(), learningRate: 0.1, momentum: 0.9),
                                  runDirectory: directory)
        trainer.showProgress = false
        let (initialLoss, _) = try trainer.evaluate(test)
        let history = try trainer.fit(train: train, test: test, epochs: 1...3)
        #expect(history.last!.testLoss < initialLoss / 2)
        #expect(history.last!.testAccuracy > 0.8)  // chance is 0.25
        #expect(FileManager.default.fileExists(atPath: trainer.checkpointURL.path))
        #expect(try MetricsLog.load(from: directory).epochs.map(\.epoch) == [1, 2, 3])
    }

    @Test func resumingContinuesFromTheCheckpoint() throws {
        let (directory, train, test) = try makeRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        func trainer() throws -> Trainer {
            let model = SmallNet(seed: 5)
            let trainer = try Trainer(model: model, optimizer: try SGD(model.trainableParameters(), learningRate: 0.05,
                                                                        momentum: 0.9), runDirectory: directory)
            trainer.showProgress = false
            return trainer
        }
        let straight = try trainer().fit(train: train, test: test, epochs: 1...2)
        try FileManager.default.removeItem(at: directory)
        try trainer().fit(train: train, test: test, epochs: 1...1)
        let resumed = try trainer()
        #expect(try resumed.resume(from: resumed.checkpointURL) == 2)
        let history = try resumed.fit(train: train, test: test, epochs: 2...2)
        #expect(history.count == 2)
        #expect(abs(history[1].testLoss - straight[1].testLoss) < 1e-5)
    }

    @Test func aNaNLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws {
        let (directory, train, test) = try makeRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = SmallNet(seed: 1)
        let trainer = try Trainer(model: model, optimizer: try SGD(model.trainableParameters(), learningRate: 0.05),
                                  runDirectory: directory)
        trainer.showProgress = false
        try trainer.fit(train: train, test: test, epochs: 1...1)
        let good = try Data(contentsOf: trainer.checkpointURL)
        model.classifier.weight.withMutableFloats { $0[0] = .nan }
        let error = #expect(throws: NonFiniteLossError.self) { try trainer.fit(train: train, test: test, epochs: 2...2) }
        #expect(error?.epoch == 2 && error?.description.contains("the checkpoint of epoch 1") == true, "\(error!)")
        #expect(try Data(contentsOf: trainer.checkpointURL) == good)
    }
}

/// A model whose evaluation-mode output is NaN: the training loss stays finite, the test loss does not.
final class NaNInEvaluation: Module {
    let classifier = try! Linear(64, 4)

    override func forward(_ input: Tensor) throws -> Tensor {
        let logits = try classifier(input.flattened(from: 1))
        return isTraining ? logits : try logits * Tensor([Float.nan], shape: [1])
    }
}

/// The training loop's answers to settings and data that cannot work.
@Suite struct TrainerRefusalTests {
    func folder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("convkit-train-\(UUID())") }

    func trainer(_ model: Module = SmallNet(seed: 1), in directory: URL, metadata: [String: String] = [:],
                 learningRate: Float = 0.05) throws -> Trainer {
        let trainer = try Trainer(model: model, optimizer: try SGD(model.trainableParameters(), learningRate: learningRate),
                                  runDirectory: directory, metadata: metadata)
        trainer.showProgress = false
        return trainer
    }

    @Test func aNaNLossInTheFirstEpochSaysNoCheckpointWasWritten() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = SmallNet(seed: 1)
        model.classifier.weight.withMutableFloats { $0[0] = .nan }
        let trainer = try trainer(model, in: directory)
        let train = try DataLoader(try quadrantDataset(count: 64, seed: 1), batchSize: 32)
        let error = #expect(throws: NonFiniteLossError.self) { try trainer.fit(train: train, test: train, epochs: 1...2) }
        #expect(error?.batch == 0 && error?.description.contains("no checkpoint was written") == true)
        #expect(!FileManager.default.fileExists(atPath: trainer.checkpointURL.path))
    }

    @Test func aNaNTestLossStopsLikeATrainingOneWithoutLoggingTheEpoch() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = try trainer(NaNInEvaluation(), in: directory)
        let train = try DataLoader(try quadrantDataset(count: 64, seed: 1), batchSize: 32)
        let error = #expect(throws: NonFiniteLossError.self) { try trainer.fit(train: train, test: train, epochs: 1...1) }
        #expect(error?.batch == nil && error?.loss.isNaN == true)
        #expect(error?.description.contains("the test loss became NaN after epoch 1") == true, "\(error!)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("metrics.json").path))
        #expect(!FileManager.default.fileExists(atPath: trainer.checkpointURL.path))
    }

    @Test func theNextRunRemovesTheTemporariesAKilledRunLeft() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Process ids are below 2^22 on Linux, so 2^30 is never running. Older versions wrote
        // checkpoints with Foundation's atomic writes, whose temporaries are named .dat.nosync….
        let leftovers = [".last.safetensors.convkit-partial-1073741824-3", ".metrics.json.convkit-partial-1073741824-4",
                         ".dat.nosync1F2.aB3cD4"]
        for name in leftovers {
            let path = directory.appendingPathComponent(name).path
            try Data("partial".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7_200)], ofItemAtPath: path)
        }
        let train = try DataLoader(try quadrantDataset(count: 32, seed: 1), batchSize: 16)
        try trainer(in: directory).fit(train: train, test: train, epochs: 1...1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["last.safetensors", "metrics.csv", "metrics.json"])
    }

    @Test func aBatchLargerThanTheTrainingSetIsRefusedBeforeAnythingIsWritten() throws {
        let directory = folder()
        let train = try DataLoader(try quadrantDataset(count: 10, seed: 1), batchSize: 64, dropLast: true)
        let error = #expect(throws: TrainingError.self) { try trainer(in: directory).fit(train: train, test: train, epochs: 1...1) }
        #expect(error?.description.contains("batch size 64 is larger than the 10 training examples") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test func testImagesOfAnotherSizeAreBlamedOnTheFilesNotOnAugmentation() throws {
        let directory = folder()
        let train = try DataLoader(try quadrantDataset(count: 64, seed: 1), batchSize: 32)
        let wide = try InMemoryImageDataset(pixels: [UInt8](repeating: 0, count: 4 * 8 * 9), labels: [0, 1, 2, 3],
                                            exampleShape: [1, 8, 9], classNames: ["a", "b", "c", "d"])
        let error = #expect(throws: TrainingError.self) {
            try trainer(in: directory).fit(train: train, test: try DataLoader(wide, batchSize: 4), epochs: 1...1)
        }
        #expect(error?.description.contains("the training and test files do not belong together") == true)
        #expect(error?.description.contains("augment") == false)
    }

    @Test func resumingNeedsACheckpointOfTheSameModel() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = #expect(throws: TrainingError.self) { try trainer(in: directory).resume(from: directory.appendingPathComponent("last.safetensors")) }
        #expect(missing?.description.contains("no checkpoint to resume from at \(directory.path)/last.safetensors") == true)

        let train = try DataLoader(try quadrantDataset(count: 64, seed: 1), batchSize: 32)
        let first = try trainer(in: directory, metadata: ["model": "small", "dataset": "quadrants"])
        try first.fit(train: train, test: train, epochs: 1...1)
        let other = try trainer(in: directory, metadata: ["model": "other", "dataset": "quadrants"])
        let mismatch = #expect(throws: TrainingError.self) { try other.resume(from: other.checkpointURL) }
        #expect(mismatch?.description.contains("model 'small', not 'other'") == true)
        let same = try trainer(in: directory, metadata: ["model": "SMALL", "dataset": "quadrants"])
        #expect(try same.resume(from: same.checkpointURL) == 2)
    }

    @Test func resumingRewritesTheMetricsToTheCheckpointsEpochs() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = try DataLoader(try quadrantDataset(count: 64, seed: 1), batchSize: 32)
        let first = try trainer(in: directory)
        try first.fit(train: train, test: train, epochs: 1...2)
        // As if a run were killed after logging an epoch past its checkpoint (or an old run's files were left).
        var log = MetricsLog(directory: directory, epochs: first.log.epochs)
        try log.append(EpochMetrics(epoch: 3, trainLoss: 1, trainAccuracy: 0, testLoss: 1, testAccuracy: 0, trainSeconds: 1,
                                    learningRate: 0))
        try "epoch\n9\n".write(to: directory.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        let resumed = try trainer(in: directory)
        #expect(try resumed.resume(from: resumed.checkpointURL) == 3)
        #expect(try MetricsLog.load(from: directory).epochs == first.log.epochs)
        let csv = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } } == ["1", "2"])
        #expect(try Checkpoint.read(resumed.checkpointURL).metrics == first.log.epochs)
    }

    @Test func mixedBatchesCountAccuracyAgainstTheMixedTargetsArgmax() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Images show their label as one bright pixel; a fixed linear layer predicts label + 1,
        // and the "mixing" makes label + 1 the target: every prediction matches the mixed target, none the label.
        let classes = 4
        let pixels = (0..<8).flatMap { index in (0..<classes).map { $0 == index % classes ? UInt8(255) : 0 } }
        let data = try InMemoryImageDataset(pixels: pixels, labels: (0..<8).map { $0 % classes }, exampleShape: [1, 1, classes],
                                            classNames: ["a", "b", "c", "d"])
        let model = try Linear(classes, classes)
        model.weight.withMutableFloats { weights in
            for row in 0..<classes { for column in 0..<classes { weights[row * classes + column] = row == (column + 1) % classes ? 1 : 0 } }
        }
        model.bias?.withMutableFloats { $0.update(repeating: 0) }
        let flatten = Sequential(Flatten(), model)
        let trainer = try trainer(flatten, in: directory, learningRate: 0)
        trainer.mixBatch = { images, labels, _ in
            let shifted = labels.integers.map { ($0 + 1) % classes }
            let targets = shifted.flatMap { label in (0..<classes).map { Float($0 == label ? 1 : 0) } }
            return (images, Tensor(targets, shape: [shifted.count, classes]))
        }
        let loader = try DataLoader(data, batchSize: 4)
        let history = try trainer.fit(train: loader, test: loader, epochs: 1...1)
        #expect(history[0].trainAccuracy == 1)
        #expect(history[0].testAccuracy == 0)
    }
}
