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
}
