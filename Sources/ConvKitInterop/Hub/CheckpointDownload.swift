import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public struct DownloadError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fetches published checkpoints the way `torch.hub.load_state_dict_from_url` does: the file name's
/// `-<hex>.` part is a prefix of the file's SHA-256, checked before the file is kept.
public enum CheckpointDownload {
    /// Bytes received so far and the total when the server announced it.
    public typealias Progress = @Sendable (_ received: Int64, _ expected: Int64?) -> Void

    /// The hash prefix torchvision's file names carry (`resnet18-f37072fd.pth` → `f37072fd`), if any.
    public static func sha256Prefix(inFileName name: String) -> String? {
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let candidate = stem[stem.index(after: dash)...]
        let isHex = candidate.count >= 6 && candidate.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return isHex ? String(candidate) : nil
    }

    /// Downloads `url` to `destination`. The bytes go to a hidden partial file beside it, which is renamed
    /// to `destination` only when the transfer completed and the hash matched, so an interrupted or
    /// corrupted download never passes for a complete one; on failure the partial file is removed.
    public static func fetch(_ url: URL, to destination: URL, sha256Prefix expectedPrefix: String?,
                             timeout: TimeInterval = 60, progress: @escaping Progress = { _, _ in }) throws {
        let folder = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DownloadError("cannot create the cache folder \(folder.path): \(error.localizedDescription)")
        }
        let partial = folder.appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let file = FileHandle(forWritingAtPath: partial.path) else {
            throw DownloadError("cannot write into \(folder.path); check its permissions or set CONVKIT_CACHE")
        }
        defer { try? FileManager.default.removeItem(at: partial) }

        let receiver = StreamingReceiver(file: file, progress: progress)
        let session = URLSession(configuration: .ephemeral, delegate: receiver, delegateQueue: nil)
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        session.dataTask(with: request).resume()
        receiver.finished.wait()
        session.finishTasksAndInvalidate()
        try? file.close()

        let outcome = receiver.outcome()
        if let failure = outcome.failure {
            throw DownloadError("downloading \(url.absoluteString) failed: \(failure); nothing was kept, run the command again")
        }
        if let expected = outcome.expected, outcome.received != expected {
            throw DownloadError("downloading \(url.absoluteString) stopped after \(outcome.received) of \(expected) bytes; "
                + "nothing was kept, run the command again")
        }
        if let expectedPrefix, !outcome.digest.hasPrefix(expectedPrefix.lowercased()) {
            throw DownloadError("\(url.lastPathComponent) has SHA-256 \(outcome.digest), which does not start with "
                + "\(expectedPrefix) as its name promises; the file was corrupted or replaced and was not kept")
        }
        guard rename(partial.path, destination.path) == 0 else {
            throw DownloadError("cannot move the download to \(destination.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Streams a response body into a file while hashing it; URLSession calls it on its own queue.
private final class StreamingReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Outcome {
        let failure: String?
        let received: Int64
        let expected: Int64?
        let digest: String
    }

    let finished = DispatchSemaphore(value: 0)
    private let file: FileHandle
    private let progress: CheckpointDownload.Progress
    private let lock = NSLock()
    private var hasher = SHA256()
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: String?

    init(file: FileHandle, progress: @escaping CheckpointDownload.Progress) {
        self.file = file
        self.progress = progress
    }

    func outcome() -> Outcome {
        lock.withLock { Outcome(failure: failure, received: received, expected: expected,
                                digest: SHA256.hex(hasher.finalize())) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        lock.withLock {
            expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
            if status != 200 { failure = "the server answered HTTP \(status)" }
        }
        completionHandler(status == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (total, announced): (Int64, Int64?) = lock.withLock {
            do {
                try file.write(contentsOf: data)
            } catch {
                failure = "writing to disk failed (\(error.localizedDescription))"
                dataTask.cancel()
            }
            hasher.update(data)
            received += Int64(data.count)
            return (received, expected)
        }
        progress(total, announced)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.withLock {
            if failure == nil, let error { failure = error.localizedDescription }
        }
        finished.signal()
    }
}
