import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// A file that could not be written, with the path and the system's reason (disk full, permission).
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Replaces files so that a reader, or a run killed at any instant, sees the old contents or
/// the new, never a mix: the data goes to a temporary beside the target, is synced to disk,
/// and renamed over it.
///
/// Foundation's atomic writes name their temporaries `.dat.nosync…`, which says nothing of
/// whose they are; these are named `.<target>.convkit-partial-<pid>-<random>`, so the next
/// run can remove exactly what a killed writer of the same target left behind.
public enum AtomicFile {
    /// Writes `data` to `url`, which keeps its previous contents if anything fails; what
    /// killed writers of `url` left is removed first.
    /// - Throws: ``FileWriteError`` naming the file and the reason.
    public static func write(_ data: Data, to url: URL) throws {
        removeStaleTemporaries(of: url)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(temporaryPrefix(of: url) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure(url, errno) }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary.path) }
        }
        let written: Int32? = data.withUnsafeBytes { bytes in
            let half = bytes.count / 2
            guard writeAll(descriptor, UnsafeRawBufferPointer(rebasing: bytes[..<half])) else { return errno }
            if let pause = pauseMidWrite { usleep(pause) }
            guard writeAll(descriptor, UnsafeRawBufferPointer(rebasing: bytes[half...])) else { return errno }
            return fsync(descriptor) == 0 ? nil : errno
        }
        let closed = close(descriptor) == 0 ? nil : errno
        if let code = written ?? closed { throw failure(url, code) }
        guard rename(temporary.path, url.path) == 0 else { throw failure(url, errno) }
        succeeded = true
    }

    /// Removes the temporaries that writers of `url` left when they were killed mid-write;
    /// those of a process still running, and every other file, are left alone.
    public static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent(), prefix = temporaryPrefix(of: url)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = pid_t(owner), !isRunning(pid) else { continue }
            unlink(folder.appendingPathComponent(name).path)
        }
    }

    /// Removes the `.dat.nosync…` temporaries Foundation's atomic writes (`Data.write(options: .atomic)`,
    /// which ConvKit used before this type) leave in `folder` when killed. Their names say nothing
    /// of whose they are, so only those unmodified for `age` seconds count as abandoned: a write
    /// still in progress keeps touching its temporary.
    public static func removeAbandonedFoundationTemporaries(in folder: URL, olderThan age: TimeInterval = 3_600) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".dat.nosync") {
            let path = folder.appendingPathComponent(name).path
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  Date().timeIntervalSince(modified) > age else { continue }
            unlink(path)
        }
    }

    static func temporaryPrefix(of url: URL) -> String { "." + url.lastPathComponent + ".convkit-partial-" }

    private static func isRunning(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private static func failure(_ url: URL, _ code: Int32) -> FileWriteError {
        let reason = ErrorMessage.writeFailureReason(url.path, code: code)
        let kept = FileManager.default.fileExists(atPath: url.path) ? "; the previous file is unchanged" : ""
        return FileWriteError("cannot write \(url.path): \(reason)\(kept)")
    }

    /// Fault-injection tests set `CONVKIT_TEST_PAUSE_MID_WRITE_US` to hold every write half-done
    /// for that many microseconds, so a kill reliably lands inside one.
    private static let pauseMidWrite: useconds_t? = ProcessInfo.processInfo.environment["CONVKIT_TEST_PAUSE_MID_WRITE_US"]
        .flatMap { useconds_t($0) }
}
