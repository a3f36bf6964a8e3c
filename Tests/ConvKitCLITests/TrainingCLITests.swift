import ConvKitInterop
import ConvKitTraining
import ConvKitVision
import Foundation
import Testing

/// Writes an MNIST-shaped IDX dataset of `trainCount` and `testCount` images whose label is the
/// bright vertical band, small enough that an epoch takes a fraction of a second.
func writeTinyIDXDataset(to folder: URL, trainCount: Int = 32, testCount: Int = 8, testSide: Int = 28) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func write(_ prefix: String, count: Int, side: Int) throws {
        func bigEndian(_ values: [Int]) -> [UInt8] { values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } } }
        let labels = (0..<count).map { $0 % 10 }
        let pixels = labels.flatMap { label in
            (0..<(side * side)).map { ($0 % side) / 2 == label ? UInt8(255) : UInt8(($0 * 37 + label) % 50) }
        }
        try Data(bigEndian([0x803, count, side, side]) + pixels).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(bigEndian([0x801, count]) + labels.map(UInt8.init)).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
    try write("train", count: trainCount, side: 28)
    try write("t10k", count: testCount, side: testSide)
}

/// One oneDNN thread per child: on a busy machine spinning OpenMP workers make tiny runs seconds long.
let quietThreads = ["OMP_NUM_THREADS": "1"]

/// `convkit train` on the tiny dataset and its answers to settings, data and failures that cannot work.
@Suite(.serialized) struct TrainingCLITests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-train-cli-\(UUID())")
    var data: String { folder.appendingPathComponent("data").path }

    init() throws { try writeTinyIDXDataset(to: folder.appendingPathComponent("data")) }

    func train(_ out: URL, _ arguments: String..., environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try convkitArguments(["train", "--data-dir", data, "--batch-size", "16", "--out", out.path, "--no-report"] + arguments,
                             environment: quietThreads.merging(environment) { $1 })
    }

    func checkpointEpoch(_ run: URL) throws -> Int? { try Checkpoint.read(run.appendingPathComponent("last.safetensors")).epoch }

    func loggedEpochs(_ run: URL) throws -> [Int] {
        try MetricsLog.load(from: run).epochs.map(\.epoch)
    }

    @Test func zeroEpochsAreRefusedWithoutCreatingTheRunFolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("zero")
        let result = try train(run, "--epochs", "0")
        #expect(result.status != 0 && result.output.contains("--epochs must be at least 1, got 0"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: run.path))
    }

    @Test func resumingWithoutACheckpointSaysSoInOneLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("fresh")
        let result = try train(run, "--epochs", "1", "--resume")
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("there is no checkpoint to resume from at \(run.path)/last.safetensors"), "\(result.output)")
        #expect(!result.output.contains("Domain="))
        #expect(!FileManager.default.fileExists(atPath: run.path))
    }

    @Test func resumingAnotherModelsCheckpointIsRefusedAndTheCheckpointKept() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("original")
        #expect(try train(run, "--epochs", "1", "--model", "lenet5_original").status == 0)
        let before = try Data(contentsOf: run.appendingPathComponent("last.safetensors"))
        let result = try train(run, "--epochs", "2", "--model", "lenet5", "--resume")
        #expect(result.status != 0 && result.output.contains("model 'lenet5_original', not 'lenet5'"), "\(result.output)")
        #expect(try Data(contentsOf: run.appendingPathComponent("last.safetensors")) == before)
        #expect(try loggedEpochs(run) == [1])
    }

    @Test func aBatchLargerThanTheTrainingSetIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("big-batch")
        let result = try train(run, "--epochs", "1", "--batch-size", "64")
        #expect(result.status != 0 && result.output.contains("the batch size 64 is larger than the 32 training examples"),
                "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: run.path))
    }

    @Test func testImagesOfAnotherSizeAreNotBlamedOnAugmentation() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let mixed = folder.appendingPathComponent("mixed-sizes")
        try writeTinyIDXDataset(to: mixed, testSide: 32)
        let result = try convkitArguments(["train", "--data-dir", mixed.path, "--batch-size", "16", "--epochs", "1", "--no-report",
                                           "--out", folder.appendingPathComponent("mixed-run").path], environment: quietThreads)
        #expect(result.status != 0 && result.output.contains("training and test files do not belong together"), "\(result.output)")
        #expect(!result.output.contains("augment"))
    }

    @Test func aNaNLossInTheFirstEpochDoesNotClaimACheckpointWasKept() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("nan")
        let result = try train(run, "--epochs", "2", "--lr", "1e30")
        #expect(result.status != 0 && result.output.contains("the loss became NaN at epoch 1"), "\(result.output)")
        #expect(result.output.contains("no checkpoint was written") && !result.output.contains("was kept"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("last.safetensors").path))
    }

    @Test func mixedBatchesLabelTheirAccuracy() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try train(folder.appendingPathComponent("mixup"), "--epochs", "1", "--augment", "mixup(0.4)")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("epoch 1: train loss ") && result.output.contains(" mixed-target acc "), "\(result.output)")
    }

    @Test func epochLinesReachARedirectedLogAsTheyHappen() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("train.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = try convkitProcess(["train", "--data-dir", data, "--batch-size", "16", "--epochs", "1000", "--no-report",
                                          "--out", folder.appendingPathComponent("long").path],
                                         environment: quietThreads, output: try FileHandle(forWritingTo: log))
        // SIGKILL: the test runner starts children with SIGTERM blocked.
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        var text = ""
        while Date() < deadline && !text.contains("epoch 2:") {
            Thread.sleep(forTimeInterval: 0.05)
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        #expect(process.isRunning, "the run ended early: \(text)")
        #expect(text.contains("training lenet5") && text.contains("epoch 1: train loss"), "\(text)")
        #expect(text.range(of: "training lenet5")!.lowerBound < text.range(of: "epoch 1 ")!.lowerBound,
                "the header must come before the first progress line")
    }

    @Test func aFullDiskKeepsThePreviousCheckpointAndLogsNoEpochItLacks() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("full")
        #expect(try train(run, "--epochs", "1").status == 0)
        let before = try Data(contentsOf: run.appendingPathComponent("last.safetensors"))
        // A 64 KB file-size limit: the metrics still fit, the 500 KB checkpoint does not (EFBIG, as ENOSPC would).
        let binary = try convkitBinary().path
        let command = ["trap '' XFSZ; ulimit -f 128; exec", binary, "train", "--data-dir", data, "--batch-size", "16",
                       "--epochs", "2", "--no-report", "--resume", "--out", run.path].joined(separator: " ")
        let result = try runCollectingOutput(URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: quietThreads)
        #expect(result.status != 0 && result.output.contains("cannot write \(run.path)/last.safetensors: File too large"),
                "\(result.output)")
        #expect(try Data(contentsOf: run.appendingPathComponent("last.safetensors")) == before)
        #expect(try loggedEpochs(run) == [1])
        let csv = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == ["last.safetensors", "metrics.csv", "metrics.json"])
        // With room again, the run resumes from the kept epoch.
        let resumed = try train(run, "--epochs", "2", "--resume")
        #expect(resumed.status == 0 && resumed.output.contains("epochs 2...2"), "\(resumed.output)")
        #expect(try checkpointEpoch(run) == 2 && loggedEpochs(run) == [1, 2])
    }
}

/// Sizes and counts on the command line are bounded before anything is built.
@Suite struct CommandLineBoundTests {
    @Test func summaryRefusesABillionClasses() throws {
        let result = try convkit("summary", "--model", "lenet5", "--input", "1x28x28", "--num-classes", "1000000000")
        #expect(result.status != 0 && result.output.contains("between 1 and 100000"), "\(result.output)")
    }

    @Test func augmentRefusesHugeOutputsCountsAndNesting() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-augment-bounds-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("gray.png")
        try Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 128, count: 64)).write(to: image)
        let out = folder.appendingPathComponent("grid.png").path
        for spec in ["resize(1000000)", "randomcrop(100000)"] {
            let result = try convkit("augment", "--image", image.path, "--transforms", spec, "--out", out)
            #expect(result.status != 0 && result.output.contains("more than the limit of 178956970 pixels"), "\(result.output)")
        }
        let many = try convkit("augment", "--image", image.path, "--transforms", "hflip", "--n", "100000", "--out", out)
        #expect(many.status != 0 && many.output.contains("--n must be between 1 and 1024"), "\(many.output)")
        let deep = String(repeating: "randomapply(", count: 1000) + "hflip" + String(repeating: ")", count: 1000)
        let start = Date()
        let nested = try convkit("augment", "--image", image.path, "--transforms", deep, "--out", out,
                                 environment: ["CONVKIT_MAX_SPEC_LENGTH": "100000"])
        #expect(nested.status != 0 && nested.output.contains("nests steps 999 deep, more than the limit of 16"), "\(nested.output)")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func predictReadsTheClassCountOfAWrappedStateDictAndRefusesAnEmptyHead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-wrapped-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("input.npy")
        try NumPyFile.write(Tensor([Float](repeating: 0.5, count: 28 * 28), shape: [1, 1, 28, 28]), to: input)
        var state = try LeNet5(numClasses: 7, inputChannels: 1).stateDict().map { ("module." + $0.0, $0.1) }
        let wrapped = folder.appendingPathComponent("wrapped.safetensors")
        try SafeTensorsFile.write(.init(tensors: state), to: wrapped)
        let result = try convkit("predict", "--model", "lenet5", "--weights", wrapped.path, "--input-npy", input.path, "--topk", "7")
        #expect(result.status == 0 && result.output.contains("class 6"), "\(result.output)")

        state = state.map { $0.0 == "module.classifier.4.weight" ? ($0.0, Tensor([], shape: [1_000_000_000, 0])) : $0 }
        let hostile = folder.appendingPathComponent("empty-head.safetensors")
        try SafeTensorsFile.write(.init(tensors: state), to: hostile)
        let refused = try convkit("predict", "--model", "lenet5", "--weights", hostile.path, "--input-npy", input.path)
        #expect(refused.status != 0 && refused.output.contains("classifier.4.weight has shape [1000000000, 0]"), "\(refused.output)")
    }
}
