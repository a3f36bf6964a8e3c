import ConvKitCore
import Foundation

/// Reads and writes NumPy `.npy` files (format versions 1 to 3), the lingua franca for
/// handing arrays to and from Python: preprocessed inputs, logits, embeddings, fixtures.
public enum NumPyFile {
    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Loads an array as a tensor: float32/float64/float16 become float32, signed and
    /// unsigned integers up to 64 bits become int64, uint8 and bool stay uint8.
    /// - Parameter limits: the bound on the array's element count, checked before reading it.
    public static func read(_ url: URL, limits: ResourceLimits = .current) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FormatError(description: ErrorMessage.line(for: error))
        }
        return try decode(data, name: url.path, limits: limits)
    }

    /// The dtypes read, without their byte-order character.
    private static let supportedTypes = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]

    public static func decode(_ data: Data, name: String = "npy data", limits: ResourceLimits = .current) throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw FormatError(description: "\(name) is not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw FormatError(description: "\(name): truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        }
        guard bytes.count >= headerStart + headerLength,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw FormatError(description: "\(name): truncated .npy header")
        }
        let descr = try field("descr", in: header, name: name)
        let fortran = try field("fortran_order", in: header, name: name)
        let shapeText = try field("shape", in: header, name: name)
        guard fortran.hasPrefix("False") else {
            throw FormatError(description: "\(name): Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        var shape: [Int] = []
        for item in shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",") {
            guard let dimension = Int(item.trimmingCharacters(in: .whitespaces)) else {
                throw FormatError(description: "\(name): the shape \(shapeText) is not a tuple of 64-bit integers")
            }
            shape.append(dimension)
        }
        let count: Int
        do { count = try limits.elementCount(of: shape, for: "\(name)'s array") } catch let error as TensorError {
            throw FormatError(description: error.description)
        }
        let kind = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let code = String(kind.dropFirst())
        guard let order = kind.first, "<|=".contains(order), supportedTypes.contains(code), let itemSize = Int(code.dropFirst())
        else {
            throw FormatError(description: "\(name): unsupported dtype \(kind); ConvKit reads little-endian "
                + supportedTypes.joined(separator: ", "))
        }
        let body = bytes[(headerStart + headerLength)...]
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, body.count >= byteCount else {
            throw FormatError(description: "\(name): truncated data: shape \(shape) of \(kind) needs "
                + "\(count) x \(itemSize) bytes, the file has \(body.count)")
        }
        let raw = Array(body.prefix(byteCount))
        switch code {
        case "f4": return Tensor(raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }, shape: shape)
        case "f8": return Tensor(raw.withUnsafeBytes { $0.bindMemory(to: Double.self).map { Float($0) } }, shape: shape)
        case "f2": return Tensor(raw.withUnsafeBytes { $0.bindMemory(to: UInt16.self).map { Float(Float16(bitPattern: $0)) } },
                                 shape: shape)
        case "u1", "b1": return Tensor(bytes: raw, shape: shape)
        default:
            let signed = code.hasPrefix("i")
            var values: [Int] = []
            values.reserveCapacity(count)
            for start in stride(from: 0, to: raw.count, by: itemSize) {
                var value: UInt64 = 0
                for byte in 0..<itemSize { value |= UInt64(raw[start + byte]) << (8 * UInt64(byte)) }
                if signed, itemSize < 8, value >> (8 * UInt64(itemSize) - 1) == 1 {
                    values.append(Int(truncatingIfNeeded: value) - (1 << (8 * itemSize)))
                } else {
                    guard signed || value <= UInt64(Int.max) else {
                        throw FormatError(description: "\(name): uint64 value \(value) does not fit the int64 tensor ConvKit reads it into")
                    }
                    values.append(Int(truncatingIfNeeded: value))
                }
            }
            return Tensor(integers: values, shape: shape)
        }
    }

    private static func field(_ key: String, in header: String, name: String) throws -> String {
        guard let range = header.range(of: "'\(key)':") else {
            throw FormatError(description: "\(name): .npy header lacks '\(key)'")
        }
        let rest = header[range.upperBound...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else {
                throw FormatError(description: "\(name): .npy header's '\(key)' tuple is not closed")
            }
            return String(rest[...close])
        }
        return String(rest.prefix(while: { $0 != "," && $0 != "}" }))
    }

    /// Encodes a tensor as a version 1.0 `.npy` file (`<f4`, `<i8` or `|u1`).
    public static func encode(_ tensor: Tensor) -> Data {
        let descr: String
        let payload: [UInt8]
        switch tensor.dtype {
        case .float32:
            descr = "<f4"
            payload = tensor.scalars.withUnsafeBytes { Array($0) }
        case .int64:
            descr = "<i8"
            payload = tensor.integers.withUnsafeBytes { Array($0) }
        case .uint8:
            descr = "|u1"
            payload = tensor.bytes
        }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        // Pad so the data starts on a 64-byte boundary, as NumPy does.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: payload)
        return data
    }

    /// Writes atomically: a partial file never replaces a good one.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }
}
