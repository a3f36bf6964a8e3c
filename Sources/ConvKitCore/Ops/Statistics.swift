/// Means, maxima and variances over axes, built on `sum` and on one strided walk.
extension Tensor {
    /// Mean over `axes`.
    public func mean(axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let resolved = try Set(axes.map { try resolvedAxis($0, for: "mean") })
        let reducedCount = resolved.reduce(1) { $0 * shape[$1] }
        return try sum(axes: axes, keepingDimensions: keepingDimensions) * (1 / Float(Swift.max(reducedCount, 1)))
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Variance over `axes` with Bessel's `correction` (1: unbiased, as `torch.var`'s default).
    public func variance(axes: [Int], correction: Int = 1, keepingDimensions: Bool = false) throws -> Tensor {
        let resolved = try Set(axes.map { try resolvedAxis($0, for: "var") })
        let reducedCount = resolved.reduce(1) { $0 * shape[$1] }
        let centered = try self - mean(axes: axes, keepingDimensions: true)
        let squares = try (centered * centered).sum(axes: axes, keepingDimensions: keepingDimensions)
        return squares * (1 / Float(Swift.max(reducedCount - correction, 1)))
    }

    /// Largest value along `axis`; the gradient goes to the first maximum, as in PyTorch.
    public func max(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        let (values, indices) = try maxWithIndices(axis: axis)
        let resolved = try resolvedAxis(axis, for: "max")
        let inputShape = shape
        let output = keepingDimensions ? values : try values.squeezed(at: resolved).detached()
        let keptShape = values.shape
        return output.recording("max", inputs: [self]) { g in
            let gradInput = Tensor.zeros(inputShape)
            let gradient = try g.reshaped(keptShape).contiguous()
            let stride = inputShape[(resolved + 1)...].reduce(1, *)
            let length = inputShape[resolved]
            for (cell, index) in indices.enumerated() {
                let outer = cell / stride, inner = cell % stride
                gradInput.floatPointer[(outer * length + index) * stride + inner] = gradient.floatPointer[cell]
            }
            return [gradInput]
        }
    }

    /// Index of the first largest value along `axis`, as an int64 tensor.
    public func argmax(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        let resolved = try resolvedAxis(axis, for: "argmax")
        let (values, indices) = try maxWithIndices(axis: axis)
        let result = Tensor(integers: indices, shape: values.shape)
        return keepingDimensions ? result : try result.squeezed(at: resolved)
    }

    /// Largest element of the whole tensor, as a scalar.
    public func max() throws -> Tensor { try flattened().max(axis: 0) }

    /// Maxima along `axis` (kept as size 1) and their first indices, in row-major order.
    private func maxWithIndices(axis: Int) throws -> (Tensor, [Int]) {
        try requireDType(.float32, for: "max")
        let resolved = try resolvedAxis(axis, for: "max")
        guard shape[resolved] > 0 else {
            throw TensorError("max: axis \(axis) of shape \(describe(shape)) is empty")
        }
        let source = contiguous()
        let length = shape[resolved], stride = shape[(resolved + 1)...].reduce(1, *)
        let outerCount = shape[..<resolved].reduce(1, *)
        var keptShape = shape
        keptShape[resolved] = 1
        let values = Tensor(uninitializedShape: keptShape)
        var indices = [Int](repeating: 0, count: outerCount * stride)
        let input = source.floatPointer, output = values.floatPointer
        for outer in 0..<outerCount {
            for inner in 0..<stride {
                var best = input[outer * length * stride + inner], bestIndex = 0
                for position in 1..<Swift.max(length, 1) {
                    let value = input[(outer * length + position) * stride + inner]
                    if value > best || (value.isNaN && !best.isNaN) { best = value; bestIndex = position }
                }
                output[outer * stride + inner] = best
                indices[outer * stride + inner] = bestIndex
            }
        }
        return (values, indices)
    }
}
