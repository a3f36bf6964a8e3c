/// Bounds-checked reads over a checkpoint's bytes. Checkpoints come from anywhere, so
/// running off the end of a truncated or corrupt file throws instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    mutating func seek(to offset: Int) throws {
        guard offset >= 0, offset <= end else {
            throw PyTorchCheckpoint.FormatError("truncated: offset \(offset) lies beyond the end (\(end) bytes)")
        }
        position = offset
    }

    /// The range of the next `count` bytes, consumed.
    mutating func take(_ count: Int) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw PyTorchCheckpoint.FormatError("truncated: needs \(count) bytes at offset \(position), "
                + "only \(max(remaining, 0)) remain")
        }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func byte() throws -> UInt8 { bytes[try take(1).lowerBound] }

    /// A little-endian integer of `T`'s width.
    mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let range = try take(MemoryLayout<T>.size)
        return range.reversed().reduce(T.zero) { $0 << 8 | T(truncatingIfNeeded: bytes[$1]) }
    }

    /// A little-endian unsigned length that must also fit in the remaining bytes, so a
    /// corrupt length fails here rather than in a huge allocation.
    mutating func length<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws -> Int {
        let value = try integer(T.self)
        guard value <= T(clamping: remaining) else {
            throw PyTorchCheckpoint.FormatError("truncated: a length of \(value) bytes at offset \(position) "
                + "exceeds the \(remaining) that remain")
        }
        return Int(value)
    }

    mutating func array(_ count: Int) throws -> [UInt8] { Array(bytes[try take(count)]) }

    mutating func string(_ count: Int) throws -> String {
        String(decoding: bytes[try take(count)], as: UTF8.self)
    }

    /// Text up to the next newline (consumed, not returned), as GLOBAL opcodes write it.
    mutating func line() throws -> String {
        guard let newline = bytes[position..<end].firstIndex(of: 0x0A) else {
            throw PyTorchCheckpoint.FormatError("truncated: unterminated text line at offset \(position)")
        }
        let text = try string(newline - position)
        position += 1
        return text
    }
}
