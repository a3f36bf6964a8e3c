import ConvKitTestSupport
import Foundation
import Testing

/// Runs the built `convkit` binary and returns its exit status and combined output.
func convkit(_ arguments: String..., in directory: URL? = nil, environment: [String: String] = [:],
             unsetting: [String] = []) throws -> (status: Int32, output: String) {
    let removals = Dictionary(uniqueKeysWithValues: unsetting.map { ($0, unsetMarker) })
    return try convkitArguments(arguments, in: directory, environment: environment.merging(removals) { $1 })
}

func convkitArguments(_ arguments: [String], in directory: URL? = nil,
                      environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    try runCollectingOutput(try convkitBinary(), arguments, in: directory, environment: environment)
}

/// The `convkit` binary built next to the tests.
func convkitBinary() throws -> URL {
    let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        .map { $0.appendingPathComponent("convkit") }
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                        "convkit binary not found next to the tests")
}

/// Starts the built `convkit` binary with standard output and error going to `output` (a Pipe or FileHandle).
func convkitProcess(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    output: Any) throws -> Process {
    try launch(try convkitBinary(), arguments, in: directory, environment: environment, output: output)
}

/// An `environment` value that removes the variable from the child's environment.
let unsetMarker = "\u{0}unset"

func launch(_ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
            output: Any) throws -> Process {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { $0.value != unsetMarker }
    process.standardOutput = output
    process.standardError = output
    try process.run()
    return process
}

/// Runs `executable` to the end; its exit status and combined output.
func runCollectingOutput(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                         environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let pipe = Pipe()
    let process = try launch(executable, arguments, in: directory, environment: environment, output: pipe)
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

@Suite(.serialized) struct CLITests {
    @Test func trainWritesMetricsAndCheckpointThenEvalReadsIt() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-cli-\(UUID())")
        defer { try? FileManager.default.removeItem(at: run) }
        let train = try convkit("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", mnistDirectory,
                                "--epochs", "2", "--limit-train", "1024", "--batch-size", "32", "--out", run.path,
                                "--no-report")
        #expect(train.status == 0, "\(train.output)")
        #expect(!train.output.contains("\r"), "progress must fall back to plain lines when not on a terminal")
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("metrics.json")))
        let epochs = try #require(metrics as? [[String: Any]])
        #expect(epochs.count == 2)
        #expect((epochs.last?["test_accuracy"] as? Double ?? 0) > 0.5)
        #expect(epochs.allSatisfy { ($0["train_seconds"] as? Double ?? 0) > 0 })
        let csv = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)

        let eval = try convkit("eval", "--model", "lenet5", "--dataset", "mnist", "--data-dir", mnistDirectory,
                               "--weights", run.appendingPathComponent("last.safetensors").path)
        #expect(eval.status == 0 && eval.output.contains("accuracy"), "\(eval.output)")

        let resumed = try convkit("train", "--dataset", "mnist", "--data-dir", mnistDirectory, "--epochs", "2",
                                  "--limit-train", "1024", "--out", run.path, "--resume")
        #expect(resumed.status == 0 && resumed.output.contains("already finished"), "\(resumed.output)")
    }

    @Test func badInputsExplainThemselves() throws {
        let unknownModel = try convkit("train", "--model", "resnet9000", "--data-dir", mnistDirectory, "--epochs", "1")
        #expect(unknownModel.status != 0 && unknownModel.output.contains("known models:"), "\(unknownModel.output)")
        #expect(["lenet5", "resnet18", "efficientnet_lite0"].allSatisfy(unknownModel.output.contains))
        let unknownData = try convkit("train", "--dataset", "imagenet22k")
        #expect(unknownData.status != 0 && unknownData.output.contains("known: mnist, fashion-mnist"), "\(unknownData.output)")
        let missing = try convkit("train", "--data-dir", "/nonexistent/mnist", "--epochs", "1")
        #expect(missing.status != 0 && missing.output.contains("/nonexistent/mnist"), "\(missing.output)")
        let wrongWeights = try convkit("eval", "--data-dir", mnistDirectory, "--weights", "/nonexistent.safetensors")
        #expect(wrongWeights.status != 0 && wrongWeights.output.contains("/nonexistent.safetensors"), "\(wrongWeights.output)")
    }

    @Test func benchOpsPrintsEveryRow() throws {
        let bench = try convkit("bench", "ops", "--repeats", "1", "--json")
        #expect(bench.status == 0, "\(bench.output)")
        let rows = try JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [[String: String]]
        #expect(rows?.count == 11)
        #expect(rows?.allSatisfy { Double($0["convkit_gflops"] ?? "") ?? 0 > 0 } == true)
        let noTorch = try convkit("bench", "ops", "--repeats", "1", "--torch", "/nonexistent/python")
        #expect(noTorch.status != 0 && noTorch.output.contains("PyTorch"), "\(noTorch.output)")
        // A Python without the module a comparison imports.
        let python = FileManager.default.temporaryDirectory.appendingPathComponent("python-without-torch-\(UUID())")
        try "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch.nn'\" >&2\nexit 1\n"
            .write(to: python, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: python) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        let missing = try convkit("bench", "ops", "--repeats", "1", "--torch", python.path)
        #expect(missing.status != 0 && missing.output.contains("that Python has no module 'torch'; pip install it"),
                "\(missing.output)")
    }
}

@Suite struct PredictCommandTests {
    @Test func efficientNetNamesTheCatFirst() throws {
        let result = try convkit("predict", "--model", "efficientnet_lite0", "--weights", TestAssets.efficientNetLite0Weights().path,
                                 "--image", TestAssets.photo("chelsea.png").path, "--topk", "3", "--json")
        #expect(result.status == 0, "\(result.output)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let predictions = try #require(object?["predictions"] as? [[String: Any]])
        #expect(predictions.count == 3)
        let label = try #require(predictions.first?["label"] as? String)
        #expect(["tabby", "tiger cat", "Egyptian cat"].contains(label), "top-1 was \(label)")
        let probabilities = predictions.compactMap { $0["probability"] as? Double }
        #expect(probabilities == probabilities.sorted(by: >))
    }

    @Test func logitsOutAndNpyInputRoundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-predict-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let logits = folder.appendingPathComponent("logits.npy")
        let weights = try TestAssets.efficientNetLite0Weights().path
        let first = try convkit("predict", "--model", "efficientnet_lite0", "--weights", weights,
                                "--image", GeneratedInputs.picture("scene.jpg"), "--logits-out", logits.path)
        #expect(first.status == 0, "\(first.output)")
        #expect(FileManager.default.fileExists(atPath: logits.path))
        let wrongShape = try convkit("predict", "--model", "efficientnet_lite0", "--weights", weights, "--input-npy", logits.path)
        #expect(wrongShape.status != 0 && wrongShape.output.contains("N x C x H x W"), "\(wrongShape.output)")
    }

    @Test func mismatchedWeightsSayWhichKeysDiffer() throws {
        let result = try convkit("predict", "--model", "resnet18", "--weights", TestAssets.efficientNetLite0Weights().path,
                                 "--image", GeneratedInputs.picture("scene.png"))
        #expect(result.status != 0)
        #expect(result.output.contains("missing keys") && result.output.contains("unexpected keys"), "\(result.output)")
    }
}

@Suite struct PublishedWeightsCommandTests {
    static let fileName = "efficientnet-lite0-57934424.pth"

    @Test func imagenetWeightsAreDownloadedOnceVerifiedAndReused() throws {
        let weights = try Data(contentsOf: TestAssets.efficientNetLite0Weights())
        let chelsea = try TestAssets.photo("chelsea.png").path
        let server = try LocalHTTPServer(routes: ["/models/\(Self.fileName)": .body(weights)])
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["CONVKIT_CACHE": cache.path,
                           "CONVKIT_WEIGHTS_MIRROR": server.baseURL.appendingPathComponent("models").absoluteString]
        for _ in 0..<2 {
            let result = try convkit("predict", "--model", "efficientnet_lite0", "--weights", "imagenet",
                                     "--image", chelsea, "--topk", "1", environment: environment)
            #expect(result.status == 0, "\(result.output)")
            #expect(["tabby", "tiger cat", "Egyptian cat"].contains { result.output.contains($0) }, "\(result.output)")
        }
        #expect(server.requests == ["/models/\(Self.fileName)"], "the second run must reuse the cached file")
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("checkpoints").path)
        #expect(cached == [Self.fileName])
    }

    @Test func aCorruptedDownloadIsNotKept() throws {
        let server = try LocalHTTPServer(routes: ["/\(Self.fileName)": .body(Data(repeating: 7, count: 4096))])
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try convkit("predict", "--model", "efficientnet_lite0", "--weights", "imagenet",
                                 "--image", GeneratedInputs.picture("scene.png"),
                                 environment: ["CONVKIT_CACHE": cache.path,
                                               "CONVKIT_WEIGHTS_MIRROR": server.baseURL.absoluteString])
        #expect(result.status != 0 && result.output.contains("SHA-256"), "\(result.output)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("checkpoints").path)) ?? []
        #expect(left.isEmpty)
    }

    @Test func modelsWithoutPublishedWeightsSaySo() throws {
        let result = try convkit("predict", "--model", "lenet5", "--weights", "imagenet", "--image", GeneratedInputs.picture("scene.png"))
        #expect(result.status != 0 && result.output.contains("no published ImageNet weights for 'lenet5'"), "\(result.output)")
    }
}

@Suite struct SummaryAndModelBenchCommandTests {
    @Test func summaryPrintsTheTable() throws {
        let result = try convkit("summary", "--model", "resnet18")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Total parameters: 11,689,512"))
        // torchinfo and fvcore quote 1.81-1.82 G for resnet18 at 224x224; they differ in counting batch norm.
        let multiplyAdds = result.output.split(separator: "\n").first { $0.hasPrefix("Total mult-adds") }
            .flatMap { line in line.split(separator: "(").last.map { Int($0.filter(\.isNumber)) } } ?? nil
        #expect((1_800_000_000...1_830_000_000).contains(multiplyAdds ?? 0), "\(result.output.suffix(200))")
        #expect(result.output.contains("layer4.1.conv2"))
    }

    @Test func benchModelPrintsJSON() throws {
        let result = try convkit("bench", "model", "--model", "lenet5", "--input", "1x28x28", "--batch-size", "4",
                                 "--mode", "train", "--repeats", "1", "--json")
        #expect(result.status == 0, "\(result.output)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(object?["model"] as? String == "lenet5" && object?["batch_size"] as? Int == 4)
        #expect((object?["median_ms"] as? Double ?? 0) > 0 && (object?["images_per_second"] as? Double ?? 0) > 0)
        let bad = try convkit("bench", "model", "--model", "lenet5", "--mode", "sideways")
        #expect(bad.status != 0 && bad.output.contains("inference or train"))
    }
}
