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
        #expect(error?.epoch == 2 && error?.description.contains("last good checkpoint") == true)
        #expect(try Data(contentsOf: trainer.checkpointURL) == good)
    }
}
