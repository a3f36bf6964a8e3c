import ConvKitCore

/// Element types of PyTorch storages, as pickles name them.
enum StorageElement: Hashable, Sendable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// From a storage class (`torch.FloatStorage`) or, in newer files, a dtype (`torch.float32`).
    init?(torchName name: String) {
        switch name {
        case "FloatStorage", "float32", "float": self = .float32
        case "DoubleStorage", "float64", "double": self = .float64
        case "HalfStorage", "float16", "half": self = .float16
        case "BFloat16Storage", "bfloat16": self = .bfloat16
        case "LongStorage", "int64", "long": self = .int64
        case "IntStorage", "int32", "int": self = .int32
        case "ShortStorage", "int16", "short": self = .int16
        case "CharStorage", "int8": self = .int8
        case "ByteStorage", "uint8": self = .uint8
        case "BoolStorage", "bool": self = .bool
        default: return nil
        }
    }

    var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }
}

/// One storage a checkpoint refers to by key: `data/<key>` in a zip archive, a
/// numbered record after the pickles in the legacy format.
struct StorageReference: Hashable {
    let key: String
    let element: StorageElement
    let count: Int
}

/// A storage decoded into the element types ConvKit tensors hold: floats become
/// float32, signed integers int64, bytes and booleans stay uint8.
enum StorageValues {
    case floats([Float])
    case integers([Int])
    case bytes([UInt8])

    /// Decodes the storage's elements from the start of `raw`, which holds at least them.
    init(decoding raw: ArraySlice<UInt8>, as storage: StorageReference) throws {
        let (needed, overflow) = storage.count.multipliedReportingOverflow(by: storage.element.byteSize)
        guard !overflow, raw.count >= needed else {
            throw PyTorchCheckpoint.FormatError("storage record \(storage.key) holds \(raw.count) bytes, but its "
                + "\(storage.count) \(storage.element) elements need \(needed) (truncated?)")
        }
        self = raw.prefix(needed).withUnsafeBytes { raw in
            func load<T>(_: T.Type) -> [T] {
                [T](unsafeUninitializedCapacity: storage.count) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                    initialized = storage.count
                }
            }
            switch storage.element {
            case .float32: return .floats(load(Float.self))
            case .float64: return .floats(load(Double.self).map { Float($0) })
            case .float16: return .floats(load(UInt16.self).map { Float(Float16(bitPattern: $0)) })
            // bfloat16 is the upper half of a float32.
            case .bfloat16: return .floats(load(UInt16.self).map { Float(bitPattern: UInt32($0) << 16) })
            case .int64: return .integers(load(Int.self))
            case .int32: return .integers(load(Int32.self).map { Int($0) })
            case .int16: return .integers(load(Int16.self).map { Int($0) })
            case .int8: return .integers(load(Int8.self).map { Int($0) })
            case .uint8, .bool: return .bytes(load(UInt8.self))
            }
        }
    }
}

/// A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view into a
/// storage, which other tensors of the checkpoint may share.
struct TensorRecord {
    let storage: StorageReference
    let offset: Int
    let shape: [Int]
    let strides: [Int]

    /// A contiguous copy of the view's `count` elements (from ``elementCount(name:limits:)``).
    func tensor(from values: StorageValues, count: Int) -> Tensor {
        switch values {
        case .floats(let elements): Tensor(gather(elements, count: count), shape: shape)
        case .integers(let elements): Tensor(integers: gather(elements, count: count), shape: shape)
        case .bytes(let elements): Tensor(bytes: gather(elements, count: count), shape: shape)
        }
    }

    /// The element count, after checking that the shape is within `limits` and that every
    /// element the view reaches lies inside the storage: a corrupt view must throw, not read
    /// out of bounds. `name` (the state-dict key) appears in errors.
    func elementCount(name: String, limits: ResourceLimits) throws -> Int {
        let problem = "tensor '\(name)' with shape \(shape), strides \(strides) and offset \(offset)"
        guard shape.count == strides.count, strides.allSatisfy({ $0 >= 0 }), offset >= 0
        else { throw PyTorchCheckpoint.FormatError("\(problem) is not a valid view") }
        let count = try limits.elementCount(of: shape, for: "tensor '\(name)'")
        var lastIndex = offset
        for (size, stride) in zip(shape, strides) {
            let (reach, reachOverflow) = max(size - 1, 0).multipliedReportingOverflow(by: stride)
            let (sum, sumOverflow) = lastIndex.addingReportingOverflow(reach)
            guard !reachOverflow, !sumOverflow else {
                throw PyTorchCheckpoint.FormatError("\(problem) is too large")
            }
            lastIndex = sum
        }
        guard count == 0 ? offset <= storage.count : lastIndex < storage.count else {
            throw PyTorchCheckpoint.FormatError("\(problem) reaches past the end of its storage \(storage.key) "
                + "of \(storage.count) elements")
        }
        return count
    }

    private var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            if stride != expected { return false }
            // An empty shape can multiply past Int.max here; it is not contiguous then, merely empty.
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            if overflow { return false }
            expected = product
        }
        return true
    }

    /// The view's elements in row-major order. Transposed, sliced and broadcast
    /// tensors are saved as views of their base's storage, so strides must be walked.
    private func gather<Element>(_ elements: [Element], count: Int) -> [Element] {
        if isContiguous { return Array(elements[offset..<(offset + count)]) }
        var result: [Element] = []
        result.reserveCapacity(count)
        var index = [Int](repeating: 0, count: shape.count)
        var position = offset
        for _ in 0..<count {
            result.append(elements[position])
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
