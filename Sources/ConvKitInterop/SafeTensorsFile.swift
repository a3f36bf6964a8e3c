import ConvKitCore
import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a
/// JSON header mapping each name to dtype, shape and byte range (plus an optional
/// `__metadata__` object of strings), then the raw little-endian data.
/// Nothing in it is executable, which makes it the safe way to ship weights.
public enum SafeTensorsFile {
    public struct Contents {
        /// Tensors in the file's data order.
        public var tensors: [(String, Tensor)]
        public var metadata: [String: String]

        public init(tensors: [(String, Tensor)], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }

        public var dictionary: [String: Tensor] { Dictionary(tensors, uniquingKeysWith: { first, _ in first }) }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads every tensor: F32, F16, BF16 and F64 become float32; I64, I32, I16 and I8
    /// become int64; U8 and BOOL stay uint8.
    /// - Parameter limits: the bound on each tensor's element count, checked before reading it.
    public static func read(_ url: URL, limits: ResourceLimits = .current) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw FormatError(description: ErrorMessage.line(for: error))
        }
        return try decode(data, name: url.path, limits: limits)
    }

    /// The reference implementation's bound on the JSON header.
    private static let maxHeaderLength = 100_000_000

    public static func decode(_ data: Data, name: String, limits: ResourceLimits = .current) throws -> Contents {
        guard data.count >= 8 else { throw FormatError(description: "\(name) is too short to be a safetensors file") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard headerLength <= min(UInt64(maxHeaderLength), UInt64(data.count - 8)) else {
            throw FormatError(description: "\(name) is not a safetensors file or is truncated: its header length "
                + "\(headerLength) exceeds the \(data.count - 8) bytes that follow or the format's limit of \(maxHeaderLength)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard headerLength > 1,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any]
        else {
            throw FormatError(description: "\(name) is not a safetensors file (its header is missing or not JSON)")
        }
        let body = data.subdata(in: headerEnd..<data.count)
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: String, shape: [Int], range: Range<Int>)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw FormatError(description: "\(name): malformed header entry for '\(key)'") }
            guard let itemSize = itemSizes[dtype] else {
                throw FormatError(description: "\(name): tensor '\(key)' has unsupported dtype \(dtype)")
            }
            let count: Int
            do { count = try limits.elementCount(of: shape, for: "\(name): tensor '\(key)'") } catch let error as TensorError {
                throw FormatError(description: error.description)
            }
            let (start, end) = (offsets[0], offsets[1])
            // count is at most maxTensorElements, but that limit is itself configurable.
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
            guard 0 <= start, start <= end, end <= body.count, !overflow, end - start == byteCount else {
                throw FormatError(description: "\(name): tensor '\(key)' (\(dtype) \(shape)) has byte range "
                    + "\(start)..<\(end) that does not fit its shape or the file (truncated?)")
            }
            entries.append((key, dtype, shape, start..<end))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        // The format requires the byte ranges to tile the data exactly: no overlaps, no gaps.
        var covered = 0
        for entry in entries {
            guard entry.range.lowerBound == covered else {
                throw FormatError(description: "\(name): tensor '\(entry.name)' starts at byte \(entry.range.lowerBound), "
                    + (entry.range.lowerBound < covered ? "overlapping" : "leaving a gap after")
                    + " the tensor data before it (which ends at \(covered)); the file is corrupt")
            }
            covered = entry.range.upperBound
        }
        guard covered == body.count else {
            throw FormatError(description: "\(name): the tensors cover \(covered) of the \(body.count) data bytes; the file is corrupt")
        }
        let tensors = entries.map { ($0.name, decodeTensor(body.subdata(in: $0.range), dtype: $0.dtype, shape: $0.shape)) }
        return Contents(tensors: tensors, metadata: metadata)
    }

    private static let itemSizes = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
                                    "U8": 1, "BOOL": 1]

    private static func decodeTensor(_ bytes: Data, dtype: String, shape: [Int]) -> Tensor {
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case "F32": return Tensor(Array(raw.bindMemory(to: Float.self)), shape: shape)
            case "F64": return Tensor(raw.bindMemory(to: Double.self).map { Float($0) }, shape: shape)
            case "F16": return Tensor(raw.bindMemory(to: UInt16.self).map { Float(Float16(bitPattern: $0)) }, shape: shape)
            case "BF16": return Tensor(raw.bindMemory(to: UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }, shape: shape)
            case "I64": return Tensor(integers: Array(raw.bindMemory(to: Int.self)), shape: shape)
            case "I32": return Tensor(integers: raw.bindMemory(to: Int32.self).map { Int($0) }, shape: shape)
            case "I16": return Tensor(integers: raw.bindMemory(to: Int16.self).map { Int($0) }, shape: shape)
            case "I8": return Tensor(integers: raw.bindMemory(to: Int8.self).map { Int($0) }, shape: shape)
            default: return Tensor(bytes: Array(raw.bindMemory(to: UInt8.self)), shape: shape)
            }
        }
    }

    public static func encode(_ contents: Contents) throws -> Data {
        var header: [String: Any] = [:]
        if !contents.metadata.isEmpty { header["__metadata__"] = contents.metadata }
        var body = Data()
        for (name, tensor) in contents.tensors {
            let (dtype, bytes): (String, Data)
            switch tensor.dtype {
            case .float32: (dtype, bytes) = ("F32", tensor.scalars.withUnsafeBytes { Data($0) })
            case .int64: (dtype, bytes) = ("I64", tensor.integers.withUnsafeBytes { Data($0) })
            case .uint8: (dtype, bytes) = ("U8", Data(tensor.bytes))
            }
            header[name] = ["dtype": dtype, "shape": tensor.shape, "data_offsets": [body.count, body.count + bytes.count]]
            body.append(bytes)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var data = Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) })
        data.append(json)
        data.append(body)
        return data
    }

    /// Writes atomically (a temporary file renamed over the target), so a crash
    /// mid-write never leaves a broken checkpoint in place of a good one.
    public static func write(_ contents: Contents, to url: URL) throws {
        try AtomicFile.write(encode(contents), to: url)
    }
}
