/// An N-dimensional array with reverse-mode automatic differentiation.
///
/// A tensor is a view (`shape`, `strides`, `offset`) onto a shared ``TensorStorage``,
/// so reshapes of contiguous data, permutes, slices and broadcasts cost no copy.
/// Images and feature maps follow PyTorch's NCHW convention; convolution weights are
/// `[outChannels, inChannels / groups, kH, kW]` and linear weights `[out, in]`, so
/// torchvision checkpoints load without any transposition.
///
/// Tensors have reference semantics, as in PyTorch: an optimizer updates a parameter
/// in place and every module holding it sees the new values.
public final class Tensor {
    public let shape: [Int]
    /// Element strides of each dimension; 0 marks a broadcast dimension.
    public let strides: [Int]
    /// Element offset of the first element within `storage`.
    public let offset: Int
    public let dtype: DType
    public let storage: TensorStorage

    /// Whether gradients flow to this tensor. Setting it on a leaf makes `backward()`
    /// fill ``grad``; operation results inherit it from their inputs.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf tensor (or of one with ``retainsGrad``) after
    /// `backward()`; `nil` until then.
    public var grad: Tensor?
    /// Keeps the gradient of an intermediate result in ``grad``, as PyTorch's `retain_grad()`:
    /// Grad-CAM reads the gradient of a layer's activations this way.
    public var retainsGrad = false
    /// How this tensor was computed, for the backward pass; `nil` for leaves.
    var gradFunction: GradFunction?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.requiresGrad = false
    }

    /// A new contiguous tensor with uninitialized (or zeroed) memory.
    package convenience init(uninitializedShape shape: [Int], dtype: DType = .float32, zeroed: Bool = false) {
        let count = shape.reduce(1, *)
        let storage = TensorStorage(byteCount: count * dtype.byteSize, zeroed: zeroed)
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, dtype: dtype)
    }

    /// Row-major strides for `shape`.
    static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// True when this tensor was not produced by a recorded operation.
    public var isLeaf: Bool { gradFunction == nil }

    /// True when the elements are laid out row-major without gaps, so kernels can
    /// walk them as one flat buffer.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The same data cut off from the graph: no gradient flows through the result.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Marks this leaf as requiring gradients and returns it, for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    func resolvedAxis(_ axis: Int, for op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < Swift.max(rank, 1) else {
            throw TensorError("\(op): axis \(axis) is out of range for a tensor of shape \(describe(shape))")
        }
        return resolved
    }

    func requireDType(_ expected: DType, for op: String) throws {
        guard dtype == expected else {
            throw TensorError("\(op) needs a \(expected) tensor, got \(dtype) with shape \(describe(shape))")
        }
    }
}

// MARK: - Element access

extension Tensor {
    /// Pointer to the first float element of this view (honouring `offset`).
    package var floatPointer: UnsafeMutablePointer<Float> {
        storage.base.assumingMemoryBound(to: Float.self) + offset
    }

    /// Calls `body` with the contiguous float elements, copying first if this view is strided.
    public func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .float32, "withFloats on a \(dtype) tensor")
        let source = isContiguous ? self : contiguous()
        return try body(UnsafeBufferPointer(start: source.floatPointer, count: count))
    }

    /// Mutates the elements in place; every view sharing the storage sees the change.
    /// Meant for optimizers and initializers, under no-grad: the graph does not see it.
    public func withMutableFloats<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .float32 && isContiguous, "in-place update needs a contiguous float32 tensor")
        return try body(UnsafeMutableBufferPointer(start: floatPointer, count: count))
    }

    /// The elements in row-major order, converted to Float.
    public var scalars: [Float] {
        switch dtype {
        case .float32: return withFloats { Array($0) }
        case .int64: return integers.map(Float.init)
        case .uint8: return bytes.map(Float.init)
        }
    }

    /// The elements of an int64 tensor in row-major order.
    public var integers: [Int] {
        precondition(dtype == .int64, "integers of a \(dtype) tensor")
        let source = contiguous()
        let pointer = source.storage.base.assumingMemoryBound(to: Int.self) + source.offset
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// The elements of a uint8 tensor in row-major order.
    public var bytes: [UInt8] {
        precondition(dtype == .uint8, "bytes of a \(dtype) tensor")
        let source = contiguous()
        let pointer = source.storage.base.assumingMemoryBound(to: UInt8.self) + source.offset
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with shape \(describe(shape)); it needs exactly one element")
        return scalars[0]
    }
}
