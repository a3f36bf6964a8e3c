import ConvKitTraining
import Foundation

/// Announces each download on standard error and shows its progress in megabytes there;
/// URLSession reports from its own queue.
final class DownloadProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?

    func announce(_ source: URL, _ destination: URL) {
        FileHandle.standardError.write(Data("Downloading \(source.absoluteString) to \(destination.path)\n".utf8))
        lock.withLock { bar = nil }
    }

    func update(received: Int64, expected: Int64?) {
        let megabyte = Int64(1 << 20)
        lock.withLock {
            guard let expected else { return }
            let current = bar ?? ProgressBar(title: "download", total: Int((expected + megabyte - 1) / megabyte),
                                             unit: "MB", isTerminal: isatty(STDERR_FILENO) != 0,
                                             write: { FileHandle.standardError.write(Data($0.utf8)) })
            bar = current
            let megabytes = Int(received / megabyte)
            current.update(completed: received >= expected ? current.total : megabytes, items: megabytes, figures: [:])
        }
    }
}
