import ConvKitTestSupport
import Foundation

/// Inputs the CLI tests generate instead of downloading: made once per test process, in a folder
/// removed when the process exits.
enum GeneratedInputs {
    static let folder: Result<URL, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-cli-inputs-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { if case .success(let folder) = GeneratedInputs.folder { try? FileManager.default.removeItem(at: folder) } }
        return folder
    }

    /// MNIST-format synthetic digits: enough for `--limit-train 1024` and a quick, meaningful test accuracy.
    static let digits: Result<String, any Error> = Result {
        let directory = try folder.get().appendingPathComponent("digits")
        try SyntheticDigits.write(to: directory, trainCount: 1200, testCount: 300, seed: 7)
        return directory.path
    }

    /// A generated picture of the given size, as PNG or JPEG by `name`'s extension.
    static func picture(_ name: String, width: Int = 160, height: Int = 120) throws -> String {
        let url = try folder.get().appendingPathComponent("\(width)x\(height)-\(name)")
        if !FileManager.default.fileExists(atPath: url.path) {
            try TestPictures.scene(width: width, height: height).write(to: url)
        }
        return url.path
    }
}

/// The MNIST stand-in the training tests pass as `--data-dir`.
var mnistDirectory: String { get throws { try GeneratedInputs.digits.get() } }
