import ConvKitTraining
import Foundation
import Testing

@Suite struct ProgressAndMetricsTests {
    @Test func plainModePrintsAboutTenLinesEndingWithTheTotal() {
        var lines: [String] = []
        let bar = ProgressBar(title: "epoch 1", total: 100, isTerminal: false) { lines.append($0) }
        for step in 1...100 { bar.update(completed: step, items: step * 64, figures: ["loss": 0.5, "acc": 0.9]) }
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        #expect(lines.last?.hasPrefix("epoch 1 100/100  loss 0.5000  acc 0.9000") == true)
    }

    @Test func terminalModeRedrawsInPlace() {
        var output = ""
        let bar = ProgressBar(title: "eval", total: 2, isTerminal: true) { output += $0 }
        bar.update(completed: 1, items: 10, figures: [:])
        bar.update(completed: 2, items: 20, figures: [:])
        #expect(output.hasPrefix("\reval 1/2  ["))
        #expect(output.contains("\reval 2/2  [========================]"))
        #expect(output.hasSuffix("\n"))
    }

    @Test func metricsAreWrittenAsJSONAndCSV() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-run-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var log = MetricsLog(directory: directory)
        let first = EpochMetrics(epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.4, testAccuracy: 0.85,
                                 trainSeconds: 3.2, learningRate: 0.05)
        try log.append(first)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("metrics.json")))
        let objects = try #require(json as? [[String: Any]])
        #expect(objects.count == 1)
        #expect(Set(objects[0].keys).isSuperset(of: ["epoch", "train_loss", "train_accuracy", "test_loss",
                                                     "test_accuracy", "train_seconds"]))
        let csv = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("epoch,train_loss,train_accuracy,test_loss,test_accuracy,train_seconds,learning_rate\n1,0.5,"))
        #expect(try MetricsLog.load(from: directory).epochs == [first])
    }
}

@Suite struct CheckpointTests {
    @Test func roundTripSeparatesModelAndOptimizerState() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ck-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let checkpoint = Checkpoint(
            modelState: [("conv1.weight", Tensor([1, 2], shape: [2])), ("bn.num_batches_tracked", Tensor(integers: [5], shape: []))],
            optimizerState: ["state.0.momentum_buffer": Tensor([0.5, 0.25], shape: [2])],
            metadata: ["epoch": "4", "optimizer": "sgd"])
        try checkpoint.write(to: url)
        let loaded = try Checkpoint.read(url)
        #expect(loaded.modelState.map(\.0) == ["conv1.weight", "bn.num_batches_tracked"])
        #expect(loaded.optimizerState["state.0.momentum_buffer"]?.scalars == [0.5, 0.25])
        #expect(loaded.epoch == 4)
    }

    @Test func overwritingLeavesOneCompleteFileAndNoTemporaries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ck-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("last.safetensors")
        try Checkpoint(modelState: [("w", Tensor([1], shape: [1]))], metadata: ["epoch": "1"]).write(to: url)
        try Checkpoint(modelState: [("w", Tensor([2], shape: [1]))], metadata: ["epoch": "2"]).write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["last.safetensors"])
        let loaded = try Checkpoint.read(url)
        #expect(loaded.epoch == 2 && loaded.modelState.first?.1.scalars == [2])
    }
}
