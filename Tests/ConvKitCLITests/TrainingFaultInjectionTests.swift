import ConvKitInterop
import ConvKitTraining
import ConvKitVision
import Foundation
import Testing

/// `convkit train` killed with SIGKILL at random moments, many of them inside a checkpoint
/// or metrics write: whatever is left must load, resume from the epoch it records, and
/// never log an epoch the checkpoint lacks.
@Suite(.serialized) struct TrainingFaultInjectionTests {
    static let epochs = 4

    @Test func runsKilledAtRandomMomentsResumeFromTheirCheckpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-fault-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try writeTinyIDXDataset(to: data)
        // Every atomic write holds still for 30 ms halfway, so random kills often land inside one.
        let environment = quietThreads.merging(["CONVKIT_TEST_PAUSE_MID_WRITE_US": "30000"]) { $1 }
        var generator = RandomGenerator(seed: 20_261_201)
        var runIndex = 0, killsMidWrite = 0, resumes = 0
        var run = folder.appendingPathComponent("run-0")

        for trial in 0..<24 {
            let resuming = FileManager.default.fileExists(atPath: run.appendingPathComponent("last.safetensors").path)
            let recorded = resuming ? try checkpointEpoch(run) : 0
            let pipe = Pipe()
            let process = try convkitProcess(["train", "--data-dir", data.path, "--batch-size", "16", "--epochs", "\(Self.epochs)",
                                              "--no-report", "--out", run.path] + (resuming ? ["--resume"] : []),
                                             environment: environment, output: pipe)
            Thread.sleep(forTimeInterval: Double(50 + generator.nextInt(below: 950)) / 1000)
            let killed = process.isRunning
            if killed { kill(process.processIdentifier, SIGKILL) }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let context = "trial \(trial), \(killed ? "killed" : "finished"), output:\n\(output)"
            if !killed { #expect(process.terminationStatus == 0, "\(context)") }

            // A resumed run starts from the epoch its checkpoint recorded.
            if resuming, output.contains("training lenet5") {
                resumes += 1
                #expect(output.contains("epochs \(recorded + 1)...\(Self.epochs)")
                        || (recorded == Self.epochs && output.contains("nothing to do")), "\(context)")
            }
            // Killed before the run folder was made: nothing was written, so nothing can be damaged.
            guard FileManager.default.fileExists(atPath: run.path) else { continue }
            let names = try FileManager.default.contentsOfDirectory(atPath: run.path)
            if names.contains(where: { $0.contains(".convkit-partial-") }) { killsMidWrite += 1 }
            let epoch = try checkIntegrity(of: run, finished: !killed, context: context)

            if epoch == Self.epochs {
                runIndex += 1
                run = folder.appendingPathComponent("run-\(runIndex)")
            }
        }
        // Finish the last run, which also clears what the kills left.
        if FileManager.default.fileExists(atPath: run.appendingPathComponent("last.safetensors").path) {
            let finished = try convkitArguments(["train", "--data-dir", data.path, "--batch-size", "16",
                                                 "--epochs", "\(Self.epochs)", "--no-report", "--out", run.path, "--resume"],
                                                environment: quietThreads)
            #expect(finished.status == 0, "\(finished.output)")
            #expect(try checkIntegrity(of: run, finished: true, context: finished.output) == Self.epochs)
            #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
                    == ["last.safetensors", "metrics.csv", "metrics.json"])
        }
        #expect(killsMidWrite >= 2, "only \(killsMidWrite) kills landed inside a write")
        #expect(resumes >= 5, "only \(resumes) runs resumed")
    }

    func checkpointEpoch(_ run: URL) throws -> Int {
        try #require(try Checkpoint.read(run.appendingPathComponent("last.safetensors")).epoch)
    }

    /// Checks what a run left and returns its checkpoint's epoch (0 when it wrote none): the
    /// checkpoint loads into the model, and metrics.json and metrics.csv list epochs 1...n with
    /// n the checkpoint's epoch, or one less when a kill came between the writes.
    func checkIntegrity(of run: URL, finished: Bool, context: String) throws -> Int {
        let checkpointURL = run.appendingPathComponent("last.safetensors")
        let jsonEpochs = (try? MetricsLog.load(from: run).epochs.map(\.epoch)) ?? []
        let csv = (try? String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)) ?? ""
        let csvEpochs = csv.split(separator: "\n").dropFirst().compactMap { Int($0.prefix { $0 != "," }) }
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
            #expect(jsonEpochs.isEmpty && csvEpochs.isEmpty, "metrics without a checkpoint; \(context)")
            return 0
        }
        let checkpoint = try Checkpoint.read(checkpointURL)
        let epoch = try #require(checkpoint.epoch, "\(context)")
        let model = try LeNet5(numClasses: 10, inputChannels: 1)
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: checkpoint.modelState))
        #expect(checkpoint.metrics?.map(\.epoch) == Array(1...epoch), "\(context)")
        for logged in [jsonEpochs, csvEpochs] {
            #expect(logged == Array(1...epoch) || (!finished && logged == Array(1..<epoch)),
                    "logged \(logged), checkpoint \(epoch); \(context)")
        }
        return epoch
    }
}
