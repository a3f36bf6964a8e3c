import ConvKitVision
import Foundation
import Testing

/// A folder removed when the test ends (by the caller's `defer`).
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-\(name)-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Four tiny IDX files in MNIST's layout: enough for a command to load the dataset.
func writeTinyMNIST(to folder: URL) throws {
    func bigEndian(_ values: Int...) -> [UInt8] { values.flatMap { value in (0..<4).reversed().map { UInt8(value >> (8 * $0) & 0xFF) } } }
    for (prefix, count) in [("train", 8), ("t10k", 4)] {
        try Data([0, 0, 8, 3] + bigEndian(count, 28, 28) + [UInt8](repeating: 0, count: count * 784))
            .write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data([0, 0, 8, 1] + bigEndian(count) + (0..<count).map { UInt8($0 % 10) })
            .write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

/// Errors a newcomer meets first: each one line that names what was wrong, with no usage text
/// unless the flags themselves were wrong.
@Suite struct CommandErrorTests {
    /// The error lines of a failed run: exactly one, no Foundation dump and no usage text.
    func singleErrorLine(_ result: (status: Int32, output: String)) -> String? {
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        guard result.status != 0, lines.count == 1, !result.output.contains("Domain="),
              !result.output.contains("Usage:") else { return nil }
        return String(lines[0])
    }

    @Test func fileSystemErrorsNameThePathAndTheReason() throws {
        let folder = try temporaryFolder("errors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file.txt")
        try Data("not a folder".utf8).write(to: file)
        let photo = folder.appendingPathComponent("photo.png")
        try Image(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 128, count: 192)).write(to: photo)
        let mnist = folder.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        try writeTinyMNIST(to: mnist)

        let missingPhotos = try convkit("bench", "augment", "--images", folder.path + "/no-photos")
        #expect(singleErrorLine(missingPhotos) == "Error: cannot read \(folder.path)/no-photos: No such file or directory",
                "\(missingPhotos.output)")
        #expect(missingPhotos.status == 1)

        let runUnderFile = try convkit("train", "--data-dir", mnist.path, "--epochs", "1", "--batch-size", "4",
                                       "--no-report", "--out", file.path + "/run")
        #expect(singleErrorLine(runUnderFile) == "Error: cannot write \(file.path)/run: Not a directory", "\(runUnderFile.output)")

        let gridUnderFile = try convkit("augment", "--image", photo.path, "--transforms", "hflip", "--n", "1",
                                        "--out", file.path + "/grid.png")
        #expect(singleErrorLine(gridUnderFile)
                == "Error: cannot write \(file.path)/grid.png: \(file.path) is a file, not a folder", "\(gridUnderFile.output)")
    }

    /// Root writes into folders whatever their permissions, but not into sysfs.
    @Test(.enabled(if: geteuid() != 0 || FileManager.default.fileExists(atPath: "/sys/kernel"), "root and no /sys"))
    func aReadOnlyOutputFolderSaysSo() throws {
        let folder = try temporaryFolder("read-only")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            try? FileManager.default.removeItem(at: folder)
        }
        let photo = folder.appendingPathComponent("photo.png")
        try Image(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 128, count: 192)).write(to: photo)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        let readOnly = geteuid() == 0 ? "/sys" : folder.path
        let result = try convkit("augment", "--image", photo.path, "--transforms", "hflip", "--n", "1",
                                 "--out", readOnly + "/grid.png")
        let line = try #require(singleErrorLine(result), "\(result.output)")
        #expect(line.hasPrefix("Error: cannot write \(readOnly)/")
                && [": Permission denied", ": Read-only file system"].contains { line.hasSuffix($0) }, "\(line)")
    }

    @Test func aWrongModelIsReportedBeforeAnythingIsLoaded() throws {
        let (bad, data, weights, image) = ("resnet9000", "/nonexistent/mnist", "/nonexistent/w.pth", "/nonexistent/cat.png")
        let runs: [(String, () throws -> (status: Int32, output: String))] = [
            ("train", { try convkit("train", "--model", bad, "--data-dir", data) }),
            ("eval", { try convkit("eval", "--model", bad, "--weights", weights, "--data-dir", data) }),
            ("summary", { try convkit("summary", "--model", bad) }),
            ("bench model", { try convkit("bench", "model", "--model", bad) }),
            ("embed", { try convkit("embed", "--model", bad, "--weights", weights, "--data-dir", data, "--out", "/nonexistent/e.npy") }),
            ("finetune", { try convkit("finetune", "--model", bad, "--weights", weights, "--data-dir", data) }),
            ("predict", { try convkit("predict", "--model", bad, "--weights", weights, "--image", image) }),
            ("saliency", { try convkit("saliency", "--model", bad, "--weights", weights, "--image", image) }),
            ("filters", { try convkit("filters", "--model", bad, "--weights", weights) }),
            ("activations", { try convkit("activations", "--model", bad, "--weights", weights, "--image", image) }),
        ]
        for (command, run) in runs {
            let result = try run()
            #expect(result.status != 0 && result.output.contains("unknown model 'resnet9000'; known models: alexnet"),
                    "\(command): \(result.output)")
            #expect(!result.output.contains("/nonexistent"), "\(command) looked for files first: \(result.output)")
        }
        let mixedCase = try convkit("summary", "--model", "ResNet18", "--input", "3x64x64")
        #expect(mixedCase.status == 0, "\(mixedCase.output)")
    }

    @Test func onlyWrongFlagsShowTheUsage() throws {
        let badValue = try convkit("bench", "model", "--model", "lenet5", "--mode", "sideways")
        #expect(singleErrorLine(badValue) == "Error: --mode must be inference or train, got sideways", "\(badValue.output)")
        let badFlag = try convkit("summary", "--model", "lenet5", "--bogus")
        #expect(badFlag.status != 0 && badFlag.output.contains("Usage: convkit summary"), "\(badFlag.output)")
    }

    @Test func versionComesFromTheLibrary() throws {
        let version = try convkit("--version")
        #expect(version.status == 0 && version.output == ConvKitVersion.current + "\n", "\(version.output)")
        let help = try convkit("--help")
        #expect(help.output.split(separator: "\n").first?.contains("ConvKit \(ConvKitVersion.current)") == true, "\(help.output)")
    }
}

@Suite struct BenchOutputTests {
    @Test func benchAugmentRunsWithNoArgumentsOnSyntheticImages() throws {
        let folder = try temporaryFolder("bench-augment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try convkit("bench", "augment", "--repeats", "1", in: folder)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("photos (8 synthetic 500x375 photos)") && result.output.contains("synthetic 28x28 digits"),
                "\(result.output)")
    }

    @Test func benchOpsPrintsWholeNames() throws {
        let result = try convkit("bench", "ops", "--repeats", "1")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("conv_bwd_weights 256->512 28x28 1x1 s2 "), "\(result.output)")
    }

    /// A stand-in for a Python with PyTorch that reports `seconds` for any model.
    func fakeTorch(seconds: Double, in folder: URL) throws -> String {
        let python = folder.appendingPathComponent("python-\(seconds)")
        try "#!/bin/sh\necho '{\"seconds\": \(seconds)}'\n".write(to: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        return python.path
    }

    @Test func benchModelSaysWhichIsFaster() throws {
        let folder = try temporaryFolder("bench-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (seconds, word) in [(1000.0, "faster"), (1e-9, "slower")] {
            let result = try convkit("bench", "model", "--model", "lenet5", "--input", "1x28x28", "--batch-size", "2",
                                     "--repeats", "1", "--torch", try fakeTorch(seconds: seconds, in: folder))
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.range(of: #"ConvKit is [0-9.]+x \#(word)"#, options: .regularExpression) != nil,
                    "\(result.output)")
        }
    }

    @Test func openMPWaitsPassivelyUnlessTheUserChose() throws {
        func openMP(_ environment: [String: String]) throws -> String? {
            let result = try convkit("bench", "model", "--model", "lenet5", "--input", "1x28x28", "--batch-size", "2",
                                     "--repeats", "1", "--json", environment: environment,
                                     unsetting: ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"].filter { environment[$0] == nil })
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return object?["openmp"] as? String
        }
        #expect(try openMP([:])?.hasSuffix("threads, OMP_WAIT_POLICY=PASSIVE") == true)
        #expect(try openMP(["OMP_WAIT_POLICY": "ACTIVE"])?.hasSuffix("threads, OMP_WAIT_POLICY=ACTIVE") == true)
        #expect(try openMP(["GOMP_SPINCOUNT": "1000"])?.hasSuffix("threads, GOMP_SPINCOUNT=1000") == true)
    }
}
