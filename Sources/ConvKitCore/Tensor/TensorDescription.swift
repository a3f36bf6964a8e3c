extension Tensor: CustomStringConvertible {
    /// Shape, dtype and values, with long dimensions elided as `...` like PyTorch.
    public var description: String {
        var text = "Tensor(shape: \(describe(shape)), dtype: \(dtype)"
        if requiresGrad { text += ", requiresGrad" }
        text += ")\n"
        let values = scalars
        let strides = Tensor.contiguousStrides(for: shape)
        func format(_ value: Float) -> String {
            dtype == .float32 ? String(format: value) : String(Int(value))
        }
        func render(axis: Int, start: Int) -> String {
            if axis == rank { return format(values[start]) }
            let size = shape[axis]
            let shown: [Int] = size > 6 ? Array(0..<3) + [-1] + Array((size - 3)..<size) : Array(0..<size)
            let separator = axis == rank - 1 ? ", " : ",\n" + String(repeating: " ", count: axis + 1)
            let parts = shown.map { $0 < 0 ? "..." : render(axis: axis + 1, start: start + $0 * strides[axis]) }
            return "[" + parts.joined(separator: separator) + "]"
        }
        return text + render(axis: 0, start: 0)
    }
}

private extension String {
    /// Four decimals, as PyTorch's default print precision.
    init(format value: Float) {
        if value.isNaN { self = "nan"; return }
        if value.isInfinite { self = value > 0 ? "inf" : "-inf"; return }
        let scaled = (Double(value) * 10_000).rounded() / 10_000
        self = String(scaled)
    }
}
