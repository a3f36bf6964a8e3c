import Foundation

/// Builders for small hostile or broken files (the bytes of a zip archive, a pickle, a PNG
/// or JPEG header) so that tests make them instead of committing them.
public enum HostileFiles {
    /// CRC-32 as zip, gzip and PNG use it.
    public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = ~UInt32(0)
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    public static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    public static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { littleEndian(value).reversed() }

    /// A zip archive of stored (uncompressed) entries, as `torch.save` writes them.
    public static func storedZip(_ entries: [(name: String, contents: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = [], directory: [UInt8] = []
        for (name, contents) in entries {
            let common = littleEndian(UInt16(20)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0)) + [0, 0, 0, 0]
                + littleEndian(crc32(contents)) + littleEndian(UInt32(contents.count)) + littleEndian(UInt32(contents.count))
                + littleEndian(UInt16(name.utf8.count)) + littleEndian(UInt16(0))
            directory += littleEndian(UInt32(0x0201_4B50)) + littleEndian(UInt16(20)) + common
                + [UInt8](repeating: 0, count: 10) + littleEndian(UInt32(archive.count)) + Array(name.utf8)
            archive += littleEndian(UInt32(0x0403_4B50)) + common + Array(name.utf8) + contents
        }
        return archive + directory + littleEndian(UInt32(0x0605_4B50)) + [0, 0, 0, 0]
            + littleEndian(UInt16(entries.count)) + littleEndian(UInt16(entries.count))
            + littleEndian(UInt32(directory.count)) + littleEndian(UInt32(archive.count)) + [0, 0]
    }

    /// The containers a pickle can nest.
    public enum Container: String, CaseIterable, Sendable {
        case tuple, list, dict
    }

    /// A protocol-2 pickle of `depth` containers nested in one another, 1 to 3 bytes per level.
    public static func nestedPickle(_ container: Container, depth: Int) -> [UInt8] {
        let body: [UInt8] = switch container {
        case .tuple: [0x29] + [UInt8](repeating: 0x85, count: depth - 1)  // EMPTY_TUPLE, TUPLE1...
        case .list: [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1)  // EMPTY_LIST..., APPEND...
        // EMPTY_DICT, BININT1 0 (the key) per level, then SETITEM per level.
        case .dict: Array([[UInt8]](repeating: [0x7D, 0x4B, 0], count: depth - 1).joined()) + [0x7D]
            + [UInt8](repeating: 0x73, count: depth - 1)
        }
        return [0x80, 2] + body + [0x2E]
    }

    /// One tensor of a state dict: a view of a float32 storage record.
    public struct TensorView {
        public var name: String, storageKey: String, storageCount: Int, offset: Int, shape: [Int], strides: [Int]

        /// - Parameters:
        ///   - name: The state-dict key.
        ///   - storageKey: The storage record it views (`data/<key>` in the archive).
        ///   - storageCount: The float32 elements the pickle says the storage holds.
        ///   - offset: The view's first element.
        ///   - shape: The view's shape.
        ///   - strides: Its strides, in elements.
        public init(name: String, storageKey: String, storageCount: Int, offset: Int = 0, shape: [Int], strides: [Int]) {
            (self.name, self.storageKey, self.storageCount) = (name, storageKey, storageCount)
            (self.offset, self.shape, self.strides) = (offset, shape, strides)
        }
    }

    /// The `data.pkl` that `torch.save(state_dict)` writes for `tensors`.
    public static func stateDictPickle(_ tensors: [TensorView]) -> [UInt8] {
        func string(_ text: String) -> [UInt8] { [0x58] + littleEndian(UInt32(text.utf8.count)) + Array(text.utf8) }
        func integer(_ value: Int) -> [UInt8] { [0x8A, 8] + littleEndian(value) }  // LONG1, any 64-bit value
        func tuple(_ items: [[UInt8]]) -> [UInt8] { [0x28] + items.joined() + [0x74] }  // MARK ... TUPLE
        func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        var pickle: [UInt8] = [0x80, 2] + global("collections", "OrderedDict") + [0x29, 0x52, 0x28]  // () REDUCE MARK
        for view in tensors {
            let storage = tuple([string("storage"), global("torch", "FloatStorage"), string(view.storageKey), string("cpu"),
                                 integer(view.storageCount)]) + [0x51]  // BINPERSID
            pickle += string(view.name) + global("torch._utils", "_rebuild_tensor_v2")
                + tuple([storage, integer(view.offset), tuple(view.shape.map(integer)), tuple(view.strides.map(integer)),
                         [0x89], global("collections", "OrderedDict") + [0x29, 0x52]]) + [0x52]  // False, hooks; REDUCE
        }
        return pickle + [0x75, 0x2E]  // SETITEMS STOP
    }

    /// A zip checkpoint as `torch.save` writes it, with float32 storage records.
    public static func zipCheckpoint(_ tensors: [TensorView], storages: [String: [Float]]) -> [UInt8] {
        storedZip([("archive/data.pkl", stateDictPickle(tensors))]
            + storages.sorted { $0.key < $1.key }.map { ("archive/data/\($0.key)", $0.value.withUnsafeBytes { Array($0) }) })
    }

    /// A PNG whose header claims `width` x `height` RGB pixels, followed by a few bytes of data.
    public static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9C, 0x63, 0, 0, 0, 1, 0, 1]) + chunk("IEND", [])
    }

    /// `jpeg` with the size in its SOF marker replaced, the rest of the file unchanged.
    public static func jpeg(_ jpeg: [UInt8], claimingWidth width: UInt16, height: UInt16) -> [UInt8] {
        var bytes = jpeg
        guard let sof = bytes.indices.dropLast(8).first(where: { bytes[$0] == 0xFF && (0xC0...0xC2).contains(bytes[$0 + 1]) })
        else { return bytes }
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: bigEndian(height) + bigEndian(width))
        return bytes
    }

    /// A baseline JPEG whose every sample of component `c` is `samples[c]` (every block holds
    /// only its DC coefficient, so it decodes exactly). With four
    /// components it is CMYK, or YCCK when `adobeTransform` is 2; an Adobe APP14 marker is
    /// written when `adobeTransform` is given (Adobe's CMYK is stored inverted).
    public static func flatJPEG(width: Int, height: Int, samples: [UInt8], adobeTransform: UInt8? = nil) -> [UInt8] {
        func segment(_ marker: UInt8, _ data: [UInt8]) -> [UInt8] { [0xFF, marker] + bigEndian(UInt16(data.count + 2)) + data }
        let components = samples.count
        var file: [UInt8] = [0xFF, 0xD8]
        if let adobeTransform {
            file += segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, adobeTransform])
        }
        file += segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))  // all quantizers 1
        file += segment(0xC0, [8] + bigEndian(UInt16(height)) + bigEndian(UInt16(width)) + [UInt8(components)]
            + (0..<components).flatMap { [UInt8($0 + 1), 0x11, 0] })
        // DC: the standard luminance table (categories 0-11); AC: only end-of-block, code "0".
        let dcLengths: [UInt8] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
        file += segment(0xC4, [0x00] + dcLengths + Array(0...11))
        file += segment(0xC4, [0x10, 1] + [UInt8](repeating: 0, count: 15) + [0])
        file += segment(0xDA, [UInt8(components)] + (0..<components).flatMap { [UInt8($0 + 1), 0] } + [0, 63, 0])
        // Canonical Huffman codes of the DC categories.
        var codes: [(code: Int, length: Int)] = [], code = 0
        for (index, count) in dcLengths.enumerated() {
            for _ in 0..<count { codes.append((code, index + 1)); code += 1 }
            code <<= 1
        }
        var bits: [Bool] = []
        func put(_ value: Int, _ length: Int) { bits += (0..<length).reversed().map { value >> $0 & 1 == 1 } }
        var previous = [Int](repeating: 0, count: components)
        for _ in 0..<(((width + 7) / 8) * ((height + 7) / 8)) {
            for component in 0..<components {
                let dc = (Int(samples[component]) - 128) * 8
                let difference = dc - previous[component]
                previous[component] = dc
                let category = difference == 0 ? 0 : Int.bitWidth - abs(difference).leadingZeroBitCount
                put(codes[category].code, codes[category].length)
                put(difference >= 0 ? difference : (difference - 1) & ((1 << category) - 1), category)
                put(0, 1)  // end of block
            }
        }
        bits += [Bool](repeating: true, count: (8 - bits.count % 8) % 8)
        for start in stride(from: 0, to: bits.count, by: 8) {
            let byte = bits[start..<(start + 8)].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
            file += byte == 0xFF ? [0xFF, 0] : [byte]
        }
        return file + [0xFF, 0xD9]
    }
}
