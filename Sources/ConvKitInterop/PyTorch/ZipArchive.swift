import CZlib

/// A minimal zip reader for PyTorch's checkpoint archives: the central directory
/// (zip64 included, which PyTorch always writes), stored entries as PyTorch writes
/// them, and deflated entries for archives re-packed by other tools.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    private static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let saturated32 = Int(UInt32.max)

    let bytes: [UInt8]
    /// In central-directory order.
    let entries: [Entry]
    /// The first entry of each name: a checkpoint looks up one per storage, and a crafted
    /// archive can hold hundreds of thousands.
    private let entriesByName: [String: Entry]

    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        var reader = ByteReader(bytes)
        var (count, directoryOffset) = try Self.locateCentralDirectory(in: &reader)
        try reader.seek(to: directoryOffset)
        var entries: [Entry] = []
        while count > 0 {
            entries.append(try Self.readCentralHeader(&reader))
            count -= 1
        }
        self.entries = entries
        entriesByName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Finds the end-of-central-directory record (searching back over a possible
    /// comment) and, when a zip64 locator precedes it, the zip64 record's wider fields.
    private static func locateCentralDirectory(in reader: inout ByteReader) throws -> (count: Int, offset: Int) {
        let lastCandidate = reader.bytes.count - 22
        let firstCandidate = max(0, lastCandidate - Int(UInt16.max))
        guard lastCandidate >= 0, let end = stride(from: lastCandidate, through: firstCandidate, by: -1).first(where: {
            reader.bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x05, 0x06])
        }) else {
            throw PyTorchCheckpoint.FormatError("truncated zip archive: no end-of-central-directory record")
        }
        try reader.seek(to: end + 10)
        var count = Int(try reader.integer(UInt16.self))
        _ = try reader.integer(UInt32.self)
        var offset = Int(try reader.integer(UInt32.self))
        if end >= 20 {
            try reader.seek(to: end - 20)
            if try reader.integer(UInt32.self) == zip64LocatorSignature {
                try reader.seek(to: end - 12)
                try reader.seek(to: Int(clamping: try reader.integer(UInt64.self)))
                guard try reader.integer(UInt32.self) == zip64EndSignature else {
                    throw PyTorchCheckpoint.FormatError("corrupt zip archive: the zip64 locator points at no zip64 record")
                }
                try reader.seek(to: reader.position + 28)
                count = Int(clamping: try reader.integer(UInt64.self))
                _ = try reader.integer(UInt64.self)
                offset = Int(clamping: try reader.integer(UInt64.self))
            }
        }
        return (count, offset)
    }

    private static func readCentralHeader(_ reader: inout ByteReader) throws -> Entry {
        guard try reader.integer(UInt32.self) == centralHeaderSignature else {
            throw PyTorchCheckpoint.FormatError("corrupt zip archive: bad central directory header at offset \(reader.position - 4)")
        }
        _ = try reader.take(4)
        let flags = try reader.integer(UInt16.self)
        let method = try reader.integer(UInt16.self)
        _ = try reader.take(4)
        let crc = try reader.integer(UInt32.self)
        var compressedSize = Int(try reader.integer(UInt32.self))
        var uncompressedSize = Int(try reader.integer(UInt32.self))
        let nameLength = Int(try reader.integer(UInt16.self))
        let extraLength = Int(try reader.integer(UInt16.self))
        let commentLength = Int(try reader.integer(UInt16.self))
        _ = try reader.take(8)
        var localHeaderOffset = Int(try reader.integer(UInt32.self))
        let name = try reader.string(nameLength)
        var extra = ByteReader(reader.bytes, from: reader.position, to: reader.position + extraLength)
        _ = try reader.take(extraLength + commentLength)
        // Zip64 extra fields hold, in this order, only the values saturated above.
        while extra.remaining >= 4 {
            let id = try extra.integer(UInt16.self)
            let size = Int(try extra.integer(UInt16.self))
            var field = ByteReader(extra.bytes, from: extra.position, to: extra.position + size)
            _ = try extra.take(size)
            guard id == 1 else { continue }
            if uncompressedSize == saturated32 { uncompressedSize = Int(clamping: try field.integer(UInt64.self)) }
            if compressedSize == saturated32 { compressedSize = Int(clamping: try field.integer(UInt64.self)) }
            if localHeaderOffset == saturated32 { localHeaderOffset = Int(clamping: try field.integer(UInt64.self)) }
        }
        return Entry(name: name, method: method, flags: flags, crc: crc, compressedSize: compressedSize,
                     uncompressedSize: uncompressedSize, localHeaderOffset: localHeaderOffset)
    }

    func entry(named name: String) -> Entry? { entriesByName[name] }

    /// The entry's uncompressed bytes, checked against its CRC-32.
    func contents(of entry: Entry) throws -> [UInt8] {
        guard entry.flags & 1 == 0 else {
            throw PyTorchCheckpoint.FormatError("zip entry \(entry.name) is encrypted")
        }
        var reader = ByteReader(bytes)
        try reader.seek(to: entry.localHeaderOffset)
        guard try reader.integer(UInt32.self) == Self.localHeaderSignature else {
            throw PyTorchCheckpoint.FormatError("corrupt zip archive: no local header for \(entry.name)")
        }
        _ = try reader.take(22)
        // The local extra field differs from the central one: PyTorch pads it to align data.
        let skipped = Int(try reader.integer(UInt16.self)) + Int(try reader.integer(UInt16.self))
        _ = try reader.take(skipped)
        let stored = try reader.take(entry.compressedSize)
        let data: [UInt8]
        switch entry.method {
        case 0: data = Array(bytes[stored])
        case 8: data = try inflate(bytes[stored], expectedSize: entry.uncompressedSize, name: entry.name)
        default:
            throw PyTorchCheckpoint.FormatError("zip entry \(entry.name) uses compression method \(entry.method); "
                + "only stored and deflated entries are supported")
        }
        let checksum = data.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, z_size_t($0.count))) }
        guard data.count == entry.uncompressedSize, checksum == entry.crc else {
            throw PyTorchCheckpoint.FormatError("corrupt zip entry \(entry.name): its size or CRC-32 does not match the directory")
        }
        return data
    }

    private func inflate(_ compressed: ArraySlice<UInt8>, expectedSize: Int, name: String) throws -> [UInt8] {
        // Deflate expands data at most about 1032-fold; a larger claim is corruption, not a reason to allocate.
        guard expectedSize <= compressed.count * 1032 else {
            throw PyTorchCheckpoint.FormatError("corrupt deflated zip entry \(name): \(compressed.count) bytes cannot "
                + "inflate to the \(expectedSize) the directory claims")
        }
        guard expectedSize > 0 else { return [] }
        var stream = z_stream()
        // Negative window bits: zip stores raw deflate data, without a zlib header.
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw PyTorchCheckpoint.FormatError("zlib could not start inflating \(name)")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: expectedSize)
        let (status, outputLeft) = compressed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.next_out = buffer.baseAddress
                var (inputLeft, outputLeft, status) = (input.count, buffer.count, Z_OK)
                // zlib counts in 32 bits: an entry over 4 GB goes through in pieces.
                while status == Z_OK {
                    let (inputPiece, outputPiece) = (min(inputLeft, Int(UInt32.max)), min(outputLeft, Int(UInt32.max)))
                    (stream.avail_in, stream.avail_out) = (uInt(inputPiece), uInt(outputPiece))
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    inputLeft -= inputPiece - Int(stream.avail_in)
                    outputLeft -= outputPiece - Int(stream.avail_out)
                }
                return (status, outputLeft)
            }
        }
        guard status == Z_STREAM_END, outputLeft == 0 else {
            throw PyTorchCheckpoint.FormatError("corrupt deflated zip entry \(name) (zlib status \(status))")
        }
        return output
    }
}
