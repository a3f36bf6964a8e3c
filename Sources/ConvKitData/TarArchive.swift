import ConvKitCore
import Foundation

/// Extracts chosen files from a `.tar.gz` dataset archive (ustar or GNU tar), reading it as a stream.
///
/// Every entry is checked before anything is written: a valid header checksum, a size within
/// ``ResourceLimits/maxArchiveEntryBytes``, at most ``ResourceLimits/maxArchiveEntries`` entries, a
/// relative name without `..`, and a plain file or folder (links and devices are refused). Only the
/// wanted members are written, each to a temporary file renamed into place once the whole archive
/// has been read, in the order given, so an interrupted extraction leaves no member behind.
enum TarArchive {
    /// Extracts `folder/<member>` for each of `members` into `directory` under the member's name.
    static func extract(_ archive: URL, folder: String, members: [String], into directory: URL,
                        limits: ResourceLimits = .current) throws {
        var reader = TarReader(archiveName: archive.lastPathComponent, limits: limits)
        var written: [String: URL] = [:]
        defer { for temporary in written.values { try? FileManager.default.removeItem(at: temporary) } }
        var sink: FileHandle?
        defer { try? sink?.close() }

        try Gzip.stream(archive) { piece in
            try reader.consume(piece) { event in
                switch event {
                case .entry(let entry):
                    guard entry.kind == .file, entry.path.hasPrefix(folder + "/"),
                          let member = members.first(where: { entry.path == folder + "/" + $0 }) else { return }
                    guard written[member] == nil else {
                        throw DatasetError("\(archive.lastPathComponent) holds \(entry.path) twice; it is not the published archive")
                    }
                    let temporary = VerifiedDownload.temporaryFile(for: directory.appendingPathComponent(member))
                    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
                          let handle = FileHandle(forWritingAtPath: temporary.path) else {
                        throw DatasetError("cannot write \(temporary.path): \(String(cString: strerror(errno)))")
                    }
                    written[member] = temporary
                    sink = handle
                case .content(let bytes):
                    do { try sink?.write(contentsOf: bytes) } catch {
                        throw DatasetError("writing into \(directory.path) failed (\(readableReason(error)))")
                    }
                case .entryEnd:
                    try sink?.close()
                    sink = nil
                }
            }
        }
        try reader.finish()
        if let missing = members.first(where: { written[$0] == nil }) {
            throw DatasetError("\(archive.lastPathComponent) has no \(folder)/\(missing); it is not the archive the loader expects")
        }
        for member in members {
            let destination = directory.appendingPathComponent(member)
            guard rename(written[member]!.path, destination.path) == 0 else {
                throw DatasetError("cannot move \(member) into \(directory.path): \(String(cString: strerror(errno)))")
            }
            written[member] = nil
        }
    }
}

/// One entry of a tar archive, as its header describes it.
struct TarEntry: Equatable {
    enum Kind { case file, folder, metadata }
    let path: String
    let size: Int
    let kind: Kind
}

/// A tar parser fed bytes in pieces of any size; it reports each entry, its content and its end.
struct TarReader {
    enum Event {
        case entry(TarEntry)
        case content(Data)
        case entryEnd
    }

    static let blockSize = 512

    let archiveName: String
    let limits: ResourceLimits
    private(set) var entryCount = 0
    private var header: [UInt8] = []
    private var contentLeft = 0
    private var paddingLeft = 0
    private var inEntry = false
    private var ended = false

    init(archiveName: String, limits: ResourceLimits) {
        self.archiveName = archiveName
        self.limits = limits
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, handle: (Event) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count && !ended {
            if contentLeft > 0 {
                let count = min(contentLeft, bytes.count - offset)
                try handle(.content(Data(bytes: bytes.baseAddress! + offset, count: count)))
                contentLeft -= count
                offset += count
            } else if paddingLeft > 0 {
                let count = min(paddingLeft, bytes.count - offset)
                paddingLeft -= count
                offset += count
            } else {
                if inEntry {
                    inEntry = false
                    try handle(.entryEnd)
                }
                let count = min(Self.blockSize - header.count, bytes.count - offset)
                header += bytes[offset..<(offset + count)]
                offset += count
                guard header.count == Self.blockSize else { continue }
                defer { header.removeAll(keepingCapacity: true) }
                guard let entry = try parse(header) else {
                    ended = true
                    return
                }
                contentLeft = entry.size
                paddingLeft = (Self.blockSize - entry.size % Self.blockSize) % Self.blockSize
                inEntry = true
                try handle(.entry(entry))
            }
        }
        if inEntry && contentLeft == 0 && paddingLeft == 0 {
            inEntry = false
            try handle(.entryEnd)
        }
    }

    /// Throws unless the stream stopped at an entry boundary.
    func finish() throws {
        guard ended || (header.isEmpty && contentLeft == 0 && paddingLeft == 0) else {
            throw DatasetError("\(archiveName) is a truncated tar archive; download it again")
        }
    }

    /// The entry a 512-byte header block describes, or nil for the zero block that ends an archive.
    private mutating func parse(_ block: [UInt8]) throws -> TarEntry? {
        if block.allSatisfy({ $0 == 0 }) { return nil }
        entryCount += 1
        guard entryCount <= limits.maxArchiveEntries else {
            throw DatasetError("\(archiveName) lists more than \(limits.maxArchiveEntries) entries; "
                + "it is not a dataset archive (raise CONVKIT_MAX_ARCHIVE_ENTRIES if it is)")
        }
        let storedChecksum = Self.octal(block[148..<156])
        let checksum = block.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
        guard storedChecksum == checksum else {
            throw DatasetError("\(archiveName) is not a tar archive or is corrupt (entry \(entryCount) has a bad header checksum)")
        }
        let name = try Self.text(block[0..<100], archiveName: archiveName)
        // POSIX ustar ("ustar\0") keeps a path prefix in bytes 345..<500; GNU ("ustar ") uses them otherwise.
        let prefix = block[257..<263].elementsEqual(Array("ustar".utf8) + [0])
            ? try Self.text(block[345..<500], archiveName: archiveName) : ""
        let path = prefix.isEmpty ? name : prefix + "/" + name
        guard let size = Self.octal(block[124..<136]) else {
            throw DatasetError("\(archiveName): entry '\(path)' has an unreadable or oversized size field")
        }
        guard size <= limits.maxArchiveEntryBytes else {
            throw DatasetError("\(archiveName): entry '\(path)' is \(size) bytes, more than the limit of "
                + "\(limits.maxArchiveEntryBytes) (raise CONVKIT_MAX_ARCHIVE_ENTRY_BYTES if it is genuine)")
        }
        let kind: TarEntry.Kind
        switch block[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "5"): kind = .folder
        case UInt8(ascii: "x"), UInt8(ascii: "g"): kind = .metadata
        case UInt8(ascii: "1"), UInt8(ascii: "2"):
            throw DatasetError("\(archiveName): entry '\(path)' is a link; dataset archives hold only files and folders, so it was refused")
        default:
            throw DatasetError("\(archiveName): entry '\(path)' has tar type '\(Character(Unicode.Scalar(block[156])))', "
                + "not a plain file or folder; it was refused")
        }
        return TarEntry(path: try Self.checkedPath(path, archiveName: archiveName), size: size, kind: kind)
    }

    /// `path` without a leading `./`, refused when absolute or when it climbs out with `..`.
    static func checkedPath(_ path: String, archiveName: String) throws -> String {
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        let components = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"), !components.contains("..") else {
            throw DatasetError("\(archiveName): entry '\(path)' points outside the folder it is extracted into; it was refused")
        }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }

    /// A NUL-terminated UTF-8 field.
    private static func text(_ field: ArraySlice<UInt8>, archiveName: String) throws -> String {
        let bytes = field.prefix { $0 != 0 }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DatasetError("\(archiveName) has an entry whose name is not UTF-8; it is not a dataset archive")
        }
        return text
    }

    /// An octal number field padded with spaces or NULs; nil if malformed or over 11 digits (8 GiB).
    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let digits = field.drop { $0 == UInt8(ascii: " ") }.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        guard !digits.isEmpty, digits.count <= 11, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }) else {
            return nil
        }
        return digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
    }
}
