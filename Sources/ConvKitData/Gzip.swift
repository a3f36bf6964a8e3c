import CZlib
import Foundation

/// gzip decompression through zlib, for the `.gz` files datasets ship as. Callers say how
/// many bytes they expect from what the file's own header announces, so a small bomb never
/// expands past that.
enum Gzip {
    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The first `count` decompressed bytes (fewer if the stream is shorter), to read a header.
    static func prefix(_ count: Int, of data: Data, name: String) throws -> Data {
        try inflate(data, name: name, limit: count, toEnd: false)
    }

    /// The whole stream, which must hold exactly `size` bytes and end intact (its CRC checked).
    static func decompress(_ data: Data, name: String, size: Int) throws -> Data {
        let output = try inflate(data, name: name, limit: size, toEnd: true)
        guard output.count <= size else {
            throw DatasetError("\(name) decompresses to more than the \(size) bytes its header announces; it is corrupt")
        }
        return output
    }

    /// Inflates up to `limit` bytes; with `toEnd`, one byte more (to detect a longer stream) and
    /// on to the end of the stream. `name` appears in errors.
    private static func inflate(_ data: Data, name: String, limit: Int, toEnd: Bool) throws -> Data {
        var stream = z_stream()
        // 15 window bits + 32: detect the gzip header automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError("\(name): zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        let capacity = toEnd ? limit + 1 : limit
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: min(1 << 20, capacity))
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            var inputLeft = input.count
            while status != Z_STREAM_END, output.count < capacity {
                // zlib counts in 32 bits: a file over 4 GB goes in pieces.
                let piece = min(inputLeft, Int(UInt32.max))
                stream.avail_in = uInt(piece)
                let produced = try chunk.withUnsafeMutableBufferPointer { buffer in
                    let room = min(buffer.count, capacity - output.count)
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(room)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && inputLeft == 0) else {
                        throw DatasetError("\(name) is a corrupt or truncated gzip file (zlib status \(status)); "
                            + "download it again")
                    }
                    output.append(buffer.baseAddress!, count: room - Int(stream.avail_out))
                    return room - Int(stream.avail_out)
                }
                inputLeft -= piece - Int(stream.avail_in)
                if status == Z_BUF_ERROR || (produced == 0 && inputLeft == 0 && status != Z_STREAM_END) { break }
            }
        }
        guard status == Z_STREAM_END || (!toEnd && output.count == limit) || output.count > limit else {
            throw DatasetError("\(name) is a truncated gzip file (it ends before the compressed data does); download it again")
        }
        return output
    }

    /// Inflates a whole gzip stream; `name` appears in errors.
    static func decompress(_ data: Data, name: String) throws -> Data {
        let inflater = try Inflater(name: name)
        var output = Data()
        try data.withUnsafeBytes { input in try inflater.feed(input) { output.append(contentsOf: $0) } }
        try inflater.finish()
        return output
    }

    /// Inflates a gzip file piece by piece, handing each decoded piece to `consume`, so an archive
    /// larger than memory can be read.
    static func stream(_ url: URL, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw DatasetError("cannot read \(url.path)") }
        defer { try? handle.close() }
        let inflater = try Inflater(name: url.path)
        while !inflater.ended, let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
            try piece.withUnsafeBytes { try inflater.feed($0, emit: consume) }
        }
        try inflater.finish()
    }

    /// A zlib inflate stream fed compressed bytes in pieces of any size.
    final class Inflater {
        let name: String
        private(set) var ended = false
        // zlib keeps a pointer back to its z_stream, so the struct must not move.
        private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        private var output = [UInt8](repeating: 0, count: 1 << 20)

        init(name: String) throws {
            self.name = name
            stream.initialize(to: z_stream())
            // 15 window bits + 32: detect the gzip header automatically.
            guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw DatasetError("\(name): zlib could not start decompressing")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
        }

        /// Decodes `input`, passing what comes out to `emit`; bytes after the end of the gzip stream are ignored.
        func feed(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
            guard !ended, let base = input.bindMemory(to: Bytef.self).baseAddress else { return }
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
            stream.pointee.avail_in = uInt(input.count)
            repeat {
                let (status, produced) = output.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = uInt(buffer.count)
                    return (CZlib.inflate(stream, Z_NO_FLUSH), buffer.count - Int(stream.pointee.avail_out))
                }
                // Z_BUF_ERROR with nothing produced only means zlib wants more input.
                guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced == 0) else {
                    throw DatasetError("\(name) is a corrupt or truncated gzip file (zlib status \(status)); download it again")
                }
                try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
                ended = status == Z_STREAM_END
                if produced == 0 && status == Z_BUF_ERROR { break }
            } while !ended && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
        }

        /// Throws unless the gzip stream was complete.
        func finish() throws {
            guard ended else {
                throw DatasetError("\(name) is a truncated gzip file (it ends before the compressed data does); download it again")
            }
        }
    }
}
