/// How `padded` fills the border.
public enum PaddingMode: Hashable, Sendable {
    /// A constant value (0 is zero padding).
    case constant(Float)
    /// Mirror without repeating the edge (`[1 2 3]` → `[3 2 | 1 2 3 | 2 1]`), as PyTorch's `reflect`.
    case reflect
}

extension Tensor {
    /// Pads the last two (spatial) axes, as `torch.nn.functional.pad(x, (left, right, top, bottom))`.
    public func padded(_ padding: Padding2D, mode: PaddingMode = .constant(0)) throws -> Tensor {
        guard rank >= 2 else { throw TensorError("pad: needs at least 2 dimensions, got shape \(describe(shape))") }
        guard Swift.min(padding.top, padding.left, padding.bottom, padding.right) >= 0 else {
            throw TensorError("pad: padding must not be negative, got \(padding) for shape \(describe(shape))")
        }
        let (height, width) = (shape[rank - 2], shape[rank - 1])
        if mode == .reflect {
            guard padding.top < height, padding.bottom < height, padding.left < width, padding.right < width else {
                throw TensorError("pad: reflect padding \(padding) must be smaller than the padded dimensions "
                    + "\(height)x\(width) of shape \(describe(shape))")
            }
        }
        let rows = Self.sourceIndices(size: height, before: padding.top, after: padding.bottom, mode: mode)
        let columns = Self.sourceIndices(size: width, before: padding.left, after: padding.right, mode: mode)
        let fill: Float = if case .constant(let value) = mode { value } else { 0 }
        let planes = count / Swift.max(height * width, 1)
        let source = contiguous()
        let outputShape = Array(shape.dropLast(2)) + [rows.count, columns.count]
        let output = Tensor(uninitializedShape: outputShape)
        let input = source.floatPointer, result = output.floatPointer
        let outputPlane = rows.count * columns.count
        parallelFor(planes, grain: Swift.max(1, 32_768 / Swift.max(outputPlane, 1))) { range in
            for plane in range {
                for (y, sourceRow) in rows.enumerated() {
                    let target = result + plane * outputPlane + y * columns.count
                    for (x, sourceColumn) in columns.enumerated() {
                        target[x] = sourceRow >= 0 && sourceColumn >= 0
                            ? input[(plane * height + sourceRow) * width + sourceColumn] : fill
                    }
                }
            }
        }
        let inputShape = shape
        return output.recording("pad", inputs: [self]) { g in
            // Each padded position sends its gradient back to the element it copied.
            let gradient = g.contiguous(), gradInput = Tensor.zeros(inputShape)
            let upstream = gradient.floatPointer, accumulated = gradInput.floatPointer
            for plane in 0..<planes {
                for (y, sourceRow) in rows.enumerated() where sourceRow >= 0 {
                    for (x, sourceColumn) in columns.enumerated() where sourceColumn >= 0 {
                        accumulated[(plane * height + sourceRow) * width + sourceColumn] +=
                            upstream[plane * outputPlane + y * columns.count + x]
                    }
                }
            }
            return [gradInput]
        }
    }

    /// For each padded position, the index it copies from, or -1 for a constant fill.
    private static func sourceIndices(size: Int, before: Int, after: Int, mode: PaddingMode) -> [Int] {
        (-before..<(size + after)).map { position in
            if (0..<size).contains(position) { return position }
            guard mode == .reflect else { return -1 }
            return position < 0 ? -position : 2 * (size - 1) - position
        }
    }
}
