extension Tensor {
    /// A float32 tensor holding `values` in row-major order.
    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count,
                     "Tensor: \(values.count) values do not fill shape \(describe(shape))")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { floatPointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A one-dimensional float32 tensor.
    public convenience init(_ values: [Float]) { self.init(values, shape: [values.count]) }

    /// A float32 scalar (rank 0).
    public convenience init(scalar value: Float) { self.init([value], shape: []) }

    /// An int64 tensor, e.g. class labels for cross-entropy.
    public convenience init(integers values: [Int], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count,
                     "Tensor: \(values.count) integers do not fill shape \(describe(shape))")
        self.init(uninitializedShape: shape, dtype: .int64)
        let pointer = storage.base.assumingMemoryBound(to: Int.self)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A uint8 tensor, e.g. decoded image bytes in HWC order.
    public convenience init(bytes values: [UInt8], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count,
                     "Tensor: \(values.count) bytes do not fill shape \(describe(shape))")
        self.init(uninitializedShape: shape, dtype: .uint8)
        let pointer = storage.base.assumingMemoryBound(to: UInt8.self)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(uninitializedShape: shape, dtype: dtype, zeroed: true)
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        tensor.floatPointer.update(repeating: value, count: tensor.count)
        return tensor
    }

    /// Zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// `[start, start + step, ...)` up to but excluding `end`, as PyTorch's `arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<count).map { start + Float($0) * step }, shape: [count])
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        let pointer = tensor.floatPointer
        for index in 0..<tensor.count { pointer[index] = low + (high - low) * generator.nextFloat() }
        return tensor
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              using generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        let pointer = tensor.floatPointer
        for index in 0..<tensor.count { pointer[index] = mean + std * generator.nextNormal() }
        return tensor
    }

    /// Uniform samples drawn from the global generator (see ``manualSeed(_:)``).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        RandomGenerator.withGlobal { uniform(shape, low: low, high: high, using: &$0) }
    }

    /// Normal samples drawn from the global generator (see ``manualSeed(_:)``).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        RandomGenerator.withGlobal { normal(shape, mean: mean, std: std, using: &$0) }
    }
}

extension Tensor {
    /// A contiguous tensor over storage filled elsewhere (e.g. a batch assembled on a
    /// loader thread), without copying.
    package convenience init(adopting storage: TensorStorage, shape: [Int], dtype: DType) {
        precondition(storage.byteCount >= shape.reduce(1, *) * dtype.byteSize, "storage too small for \(shape)")
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, dtype: dtype)
    }
}
