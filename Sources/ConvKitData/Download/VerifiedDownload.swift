import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A download that failed, phrased as one line with the URL or path and what to do.
public struct DownloadError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fetches a published file so that only a complete copy with the expected SHA-256 ever appears
/// under its name: published checkpoints (like `torch.hub.load_state_dict_from_url`) and datasets.
public enum VerifiedDownload {
    /// Bytes received so far and the total when the server announced it.
    public typealias Progress = @Sendable (_ received: Int64, _ expected: Int64?) -> Void

    /// What an error points the user to: the variable that replaces the server and how to choose
    /// another destination folder.
    public struct Settings: Sendable {
        public var mirrorVariable: String
        public var folderHint: String
        /// Seconds without a byte from the server before the transfer is given up.
        public var stallTimeout: TimeInterval

        /// - Parameters:
        ///   - mirrorVariable: named when the server answers with an error status.
        ///   - folderHint: said when the destination folder cannot be written ("set CONVKIT_CACHE").
        ///   - stallTimeout: seconds without data before the download is abandoned.
        public init(mirrorVariable: String, folderHint: String, stallTimeout: TimeInterval = 60) {
            self.mirrorVariable = mirrorVariable
            self.folderHint = folderHint
            self.stallTimeout = stallTimeout
        }
    }

    /// Downloads `url` to `destination`. The bytes go to a hidden temporary file beside it, renamed
    /// to `destination` only when the transfer completed and the digest starts with `sha256` (a full
    /// digest, or the prefix a torch hub file name carries), so an interrupted or corrupted download
    /// never passes for a complete one. Temporaries a killed earlier run left for the same
    /// destination are removed first.
    public static func fetch(_ url: URL, to destination: URL, sha256 expected: String?, settings: Settings,
                             progress: @escaping Progress = { _, _ in }) throws {
        let folder = destination.deletingLastPathComponent()
        try createFolder(folder, settings: settings)
        removeStaleTemporaries(of: destination)
        let partial = temporaryFile(for: destination)
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let file = FileHandle(forWritingAtPath: partial.path) else {
            throw DownloadError("cannot write into \(folder.path): \(String(cString: strerror(errno))); "
                + "check its permissions or \(settings.folderHint)")
        }
        defer { try? FileManager.default.removeItem(at: partial) }

        let receiver = StreamingReceiver(file: file, progress: progress)
        let session = URLSession(configuration: .ephemeral, delegate: receiver, delegateQueue: nil)
        var request = URLRequest(url: url)
        request.timeoutInterval = settings.stallTimeout
        session.dataTask(with: request).resume()
        receiver.finished.wait()
        session.finishTasksAndInvalidate()
        try? file.close()

        let outcome = receiver.outcome()
        if let failure = outcome.failure {
            throw DownloadError(failure.message(url: url, outcome: outcome, settings: settings))
        }
        if let total = outcome.expected, outcome.received != total {
            throw DownloadError(Failure.truncated(url: url, received: outcome.received, expected: total))
        }
        if let expected, !outcome.digest.hasPrefix(expected.lowercased()) {
            throw DownloadError("SHA-256 of \(url.lastPathComponent) is \(outcome.digest), expected \(expected); "
                + "the download was removed (corrupted, or the server holds a different file)")
        }
        guard rename(partial.path, destination.path) == 0 else {
            throw DownloadError("cannot move the download to \(destination.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The folder URL a mirror variable names (`CONVKIT_WEIGHTS_MIRROR`, `CONVKIT_DATA_MIRROR`), if set.
    public static func mirror(_ variable: String, environment: [String: String]) -> URL? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        return URL(string: value.hasSuffix("/") ? value : value + "/")
    }

    /// Creates `folder` and its parents, or says why it cannot.
    static func createFolder(_ folder: URL, settings: Settings) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DownloadError("cannot create \(folder.path) (\(readableReason(error))); "
                + "check its permissions or \(settings.folderHint)")
        }
        guard access(folder.path, W_OK) == 0 else {
            throw DownloadError("cannot write into \(folder.path): \(String(cString: strerror(errno))); "
                + "check its permissions or \(settings.folderHint)")
        }
    }

    /// The hidden file `destination` is written to first: `.<name>.<pid>.partial` beside it.
    /// The process id tells a temporary still being written from one a killed run left behind.
    static func temporaryFile(for destination: URL) -> URL {
        destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).partial")
    }

    /// Removes the temporaries of `destination` whose process is gone (a run killed mid-download);
    /// those of a live process, possibly fetching the same file right now, are left alone.
    static func removeStaleTemporaries(of destination: URL) {
        let folder = destination.deletingLastPathComponent()
        let prefix = ".\(destination.lastPathComponent).", suffix = ".partial"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
            let owner = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard let pid = pid_t(owner), pid > 0, pid != getpid() else { continue }
            let alive = kill(pid, 0) == 0 || errno == EPERM
            if !alive { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        }
    }
}

/// Why a transfer ended early, recorded as it happened and phrased once it is over.
private enum Failure {
    case status(Int)
    case transport(URLError.Code?, String)
    case disk(String)

    func message(url: URL, outcome: StreamingReceiver.Outcome, settings: VerifiedDownload.Settings) -> String {
        let host = url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? url.absoluteString
        switch self {
        case .status(let status):
            return "server answered \(status) for \(url.absoluteString); check \(settings.mirrorVariable)"
        case .disk(let reason):
            return "writing the download of \(url.absoluteString) failed (\(reason)); nothing was kept"
        case .transport(let code, let description):
            let received = outcome.expected.map { "got \(outcome.received) of \($0) bytes" } ?? "got \(outcome.received) bytes"
            switch code {
            case .timedOut?:
                return "no data from \(url.absoluteString) for \(Int(settings.stallTimeout)) s (\(received)); "
                    + "nothing was kept, run the command again"
            case .cannotConnectToHost?:
                return "cannot connect to \(host) for \(url.absoluteString) (connection refused or unreachable); "
                    + "check the network or set \(settings.mirrorVariable)"
            case .cannotFindHost?, .dnsLookupFailed?:
                return "cannot resolve \(host) for \(url.absoluteString); check the network or set \(settings.mirrorVariable)"
            case .notConnectedToInternet?:
                return "no network connection for \(url.absoluteString); connect, or set \(settings.mirrorVariable) to a reachable server"
            case .secureConnectionFailed?, .serverCertificateUntrusted?, .serverCertificateHasBadDate?,
                 .serverCertificateNotYetValid?, .serverCertificateHasUnknownRoot?:
                return "the secure connection to \(host) for \(url.absoluteString) failed (\(description))"
            default:
                if let total = outcome.expected, outcome.received < total {
                    return Self.truncated(url: url, received: outcome.received, expected: total)
                }
                return "downloading \(url.absoluteString) failed: \(description); nothing was kept, run the command again"
            }
        }
    }

    static func truncated(url: URL, received: Int64, expected: Int64) -> String {
        "downloading \(url.absoluteString) stopped early: got \(received) of \(expected) bytes; "
            + "nothing was kept, run the command again"
    }
}

/// Streams a response body into a file while hashing it; URLSession calls it on its own queue.
private final class StreamingReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Outcome {
        let failure: Failure?
        let received: Int64
        let expected: Int64?
        let digest: String
    }

    let finished = DispatchSemaphore(value: 0)
    private let file: FileHandle
    private let progress: VerifiedDownload.Progress
    private let lock = NSLock()
    private var hasher = SHA256()
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: Failure?

    init(file: FileHandle, progress: @escaping VerifiedDownload.Progress) {
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
            if status != 200 { failure = .status(status) }
        }
        completionHandler(status == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (total, announced): (Int64, Int64?) = lock.withLock {
            do {
                try file.write(contentsOf: data)
            } catch {
                failure = .disk(readableReason(error))
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
            if failure == nil, let error { failure = .transport((error as? URLError)?.code, error.localizedDescription) }
        }
        finished.signal()
    }
}

/// The system's words for a file error ("No space left on device"), which Foundation on Linux
/// otherwise renders as "The operation could not be completed".
func readableReason(_ error: Error) -> String {
    let error = error as NSError
    for candidate in [error, error.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap({ $0 })
    where candidate.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(candidate.code)))
    }
    return error.localizedDescription
}
