/// Joining and splitting along an axis (inception blocks join their branches on channels).
extension Tensor {
    /// Joins tensors whose shapes agree except along `axis`.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("concatenate: no tensors given") }
        let resolved = try first.resolvedAxis(axis, for: "concatenate")
        for tensor in tensors {
            var expected = first.shape, actual = tensor.shape
            guard tensor.rank == first.rank, tensor.dtype == first.dtype else {
                throw TensorError("concatenate: shapes \(tensors.map { describe($0.shape) }.joined(separator: ", ")) "
                    + "differ in rank or dtype")
            }
            expected[resolved] = 0
            actual[resolved] = 0
            guard expected == actual else {
                throw TensorError("concatenate: shapes \(tensors.map { describe($0.shape) }.joined(separator: ", ")) "
                    + "must agree except along axis \(axis)")
            }
        }
        var outputShape = first.shape
        outputShape[resolved] = tensors.reduce(0) { $0 + $1.shape[resolved] }
        let output = Tensor(uninitializedShape: outputShape, dtype: first.dtype)
        var start = 0
        for tensor in tensors {
            let window = try output.sliced(axis: resolved, start: start, end: start + tensor.shape[resolved])
            try window.assignStrided(from: tensor)
            start += tensor.shape[resolved]
        }
        let sizes = tensors.map { $0.shape[resolved] }
        return output.recording("concatenate", inputs: tensors) { g in
            try g.split(sizes: sizes, axis: resolved).map { $0.contiguous() }
        }
    }

    /// Views of consecutive pieces along `axis` with the given sizes (which must add up).
    public func split(sizes: [Int], axis: Int) throws -> [Tensor] {
        let resolved = try resolvedAxis(axis, for: "split")
        guard sizes.reduce(0, +) == shape[resolved], sizes.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("split: sizes \(sizes) do not add up to \(shape[resolved]), axis \(axis) of "
                + "shape \(describe(shape))")
        }
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try sliced(axis: resolved, start: start, end: start + size)
        }
    }

    /// `parts` nearly equal pieces along `axis`, as `torch.chunk`.
    public func chunked(_ parts: Int, axis: Int) throws -> [Tensor] {
        let size = shape[try resolvedAxis(axis, for: "chunk")]
        guard parts > 0 else { throw TensorError("chunk: parts must be positive, got \(parts)") }
        let piece = (size + parts - 1) / parts
        let sizes = stride(from: 0, to: size, by: Swift.max(piece, 1)).map { Swift.min(piece, size - $0) }
        return try split(sizes: sizes, axis: axis)
    }

    /// Copies `source` (same shape) into this possibly strided view; no graph.
    func assignStrided(from source: Tensor) throws {
        guard source.shape == shape else {
            throw TensorError("assign: shape \(describe(source.shape)) does not match \(describe(shape))")
        }
        let contiguousSource = source.isContiguous ? source : source.materialized()
        switch dtype {
        case .float32:
            copyStrided(from: contiguousSource.floatPointer, shape: shape,
                        strides: Tensor.contiguousStrides(for: shape), toStrided: self)
        case .int64, .uint8:
            throw TensorError("concatenate supports float32 tensors only, got \(dtype)")
        }
    }
}
