/// Reductions over axes.
extension Tensor {
    /// Sum over `axes`, optionally keeping them as dimensions of size 1.
    public func sum(axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        try requireDType(.float32, for: "sum")
        let resolved = Set(try axes.map { try resolvedAxis($0, for: "sum") })
        let keptShape = shape.indices.map { resolved.contains($0) ? 1 : shape[$0] }
        let result = Tensor.zeros(keptShape)
        // Accumulate every input element into its output cell; the output is broadcast
        // back over the reduced axes with stride 0.
        var outStrides = Tensor.contiguousStrides(for: keptShape)
        for axis in resolved { outStrides[axis] = 0 }
        accumulate(into: result.floatPointer, outStrides: outStrides)
        let finalShape = keepingDimensions ? keptShape : shape.indices.filter { !resolved.contains($0) }.map { shape[$0] }
        let output = keepingDimensions ? result : Tensor(storage: result.storage, shape: finalShape,
                                                         strides: Tensor.contiguousStrides(for: finalShape),
                                                         offset: 0, dtype: .float32)
        let inputShape = shape
        return output.recording("sum", inputs: [self]) { g in
            [try g.reshaped(keptShape).expanded(to: inputShape).contiguous()]
        }
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        // Every axis of this tensor is in range, so this cannot throw.
        try! sum(axes: Array(0..<rank))
    }

    private func accumulate(into out: UnsafeMutablePointer<Float>, outStrides: [Int]) {
        let layout = StridedLayout(shape: shape, strides: [strides, outStrides])
        let inStep = layout.rowStep(0), outStep = layout.rowStep(1)
        let base = floatPointer, rowLength = layout.rowLength
        layout.forEachRow(0..<layout.rowCount) { _, offsets in
            let source = base + offsets[0], target = out + offsets[1]
            if outStep == 0 {
                var total: Float = 0
                for index in 0..<rowLength { total += source[index * inStep] }
                target[0] += total
            } else {
                for index in 0..<rowLength { target[index * outStep] += source[index * inStep] }
            }
        }
    }
}
