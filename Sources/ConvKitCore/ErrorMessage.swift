import Foundation

/// Any error as one line for a person: what failed, on which file or URL, and why.
///
/// ConvKit's own errors already read that way and come back unchanged. Foundation's file
/// errors would print as `Error Domain=NSCocoaErrorDomain Code=260 ... UserInfo={...}`;
/// here they read `cannot read /data/mnist: No such file or directory`.
public enum ErrorMessage {
    public static func line(for error: any Error) -> String {
        if let error = error as? CocoaError { return fileLine(error) }
        if let error = error as? URLError { return urlLine(error) }
        if let error = error as? POSIXError { return posixLine(error) }
        if let error = error as? DecodingError { return decodingLine(error) }
        // An NSError's description is the raw dump; everything else describes itself.
        return type(of: error) is NSError.Type ? error.localizedDescription : String(describing: error)
    }

    private static func fileLine(_ error: CocoaError) -> String {
        guard let path = filePath(of: error) else {
            return (error.userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
        }
        let posixCode = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map { $0 as NSError }
            .flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
        let reason = posixCode.map(systemReason) ?? reasonsByCode[error.code] ?? error.localizedDescription
        if readErrorCodes.contains(error.code.rawValue) { return "cannot read \(path): \(reason)" }
        if writeErrorCodes.contains(error.code.rawValue) || error.userInfo["NSUserStringVariant"] as? [String] == ["Folder"] {
            return "cannot write \(path): " + (posixCode == ENOENT ? missingFolderReason(path) : reason)
        }
        return "\(path): \(reason)"
    }

    // Foundation's numbering: CocoaError.fileReadUnknown is 256, fileWriteUnknown 512.
    private static let readErrorCodes = 256..<512, writeErrorCodes = 512..<768

    /// The path as the error gives it, or its URL made absolute (a relative URL prints as `rel -- file:///cwd/`).
    private static func filePath(of error: CocoaError) -> String? {
        if let path = error.userInfo[NSFilePathErrorKey] as? String { return path }
        return (error.userInfo[NSURLErrorKey] as? URL)?.absoluteURL.standardizedFileURL.path
    }

    /// Why writing `path` failed with the system error `code`: a missing folder and a file
    /// standing where a folder should be read alike to the system ("No such file or directory",
    /// "Not a directory"); say which.
    static func writeFailureReason(_ path: String, code: Int32) -> String {
        code == ENOENT || code == ENOTDIR ? missingFolderReason(path) : systemReason(code)
    }

    private static func missingFolderReason(_ path: String) -> String {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while folder.path != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                return isDirectory.boolValue ? systemReason(ENOENT) : "\(folder.path) is a file, not a folder"
            }
            folder.deleteLastPathComponent()
        }
        return systemReason(ENOENT)
    }

    /// Reasons for Cocoa errors that carry no POSIX error underneath.
    private static let reasonsByCode: [CocoaError.Code: String] = [
        .fileNoSuchFile: systemReason(ENOENT), .fileReadNoSuchFile: systemReason(ENOENT),
        .fileReadNoPermission: systemReason(EACCES), .fileWriteNoPermission: systemReason(EACCES),
        .fileWriteOutOfSpace: systemReason(ENOSPC), .fileWriteVolumeReadOnly: systemReason(EROFS),
        .fileWriteFileExists: systemReason(EEXIST), .fileReadTooLarge: systemReason(EFBIG),
    ]

    private static func systemReason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func posixLine(_ error: POSIXError) -> String {
        let reason = systemReason(error.code.rawValue)
        return (error.userInfo[NSFilePathErrorKey] as? String).map { "\($0): \(reason)" } ?? reason
    }

    private static func urlLine(_ error: URLError) -> String {
        let url = error.failingURL?.absoluteString
        let reason = (error.userInfo[NSLocalizedDescriptionKey] as? String)
            ?? urlReasonsByCode[error.code] ?? "network error \(error.code.rawValue)"
        return url.map { "\($0): \(reason)" } ?? reason
    }

    private static let urlReasonsByCode: [URLError.Code: String] = [
        .cannotFindHost: "host not found", .cannotConnectToHost: "could not connect to the server",
        .timedOut: "timed out", .notConnectedToInternet: "not connected to a network",
        .networkConnectionLost: "the connection was lost", .badServerResponse: "bad server response",
        .secureConnectionFailed: "the secure connection failed", .badURL: "not a valid URL",
        .unsupportedURL: "unsupported URL",
    ]

    private static func decodingLine(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .keyNotFound(_, let found),
             .dataCorrupted(let found): context = found
        @unknown default: return error.localizedDescription
        }
        let location = context.codingPath.map(\.stringValue).joined(separator: ".")
        return "invalid data" + (location.isEmpty ? "" : " at \(location)") + ": \(context.debugDescription)"
    }
}
