/// How `resized` samples the input.
public enum ResizeMode: Hashable, Sendable {
    /// Nearest neighbour, `source = floor(destination * in / out)` as PyTorch's `nearest`.
    case nearest
    /// Bilinear; `alignCorners` as PyTorch's flag (false: half-pixel centres).
    case bilinear(alignCorners: Bool)
}

extension Tensor {
    /// Resizes the spatial axes of `[N, C, H, W]` feature maps (no antialiasing), as
    /// `torch.nn.functional.interpolate`. Grad-CAM upsamples 7x7 maps to the input size.
    public func resized(to size: (height: Int, width: Int), mode: ResizeMode) throws -> Tensor {
        guard rank == 4, size.height > 0, size.width > 0 else {
            throw TensorError("resize: needs [N, C, H, W] input and a positive size; got shape \(describe(shape)) "
                + "and size \(size.height)x\(size.width)")
        }
        let rows = Self.samplingTaps(from: shape[2], to: size.height, mode: mode)
        let columns = Self.samplingTaps(from: shape[3], to: size.width, mode: mode)
        let (height, width) = (shape[2], shape[3])
        let planes = shape[0] * shape[1], outputPlane = size.height * size.width
        let source = contiguous()
        let output = Tensor(uninitializedShape: [shape[0], shape[1], size.height, size.width])
        let input = source.floatPointer, result = output.floatPointer
        parallelFor(planes, grain: Swift.max(1, 16_384 / outputPlane)) { range in
            for plane in range {
                let base = input + plane * height * width
                for (y, row) in rows.enumerated() {
                    for (x, column) in columns.enumerated() {
                        result[plane * outputPlane + y * size.width + x] =
                            row.weight0 * (column.weight0 * base[row.index0 * width + column.index0]
                                + column.weight1 * base[row.index0 * width + column.index1])
                            + row.weight1 * (column.weight0 * base[row.index1 * width + column.index0]
                                + column.weight1 * base[row.index1 * width + column.index1])
                    }
                }
            }
        }
        let inputShape = shape
        return output.recording("resize", inputs: [self]) { g in
            let gradient = g.contiguous(), gradInput = Tensor.zeros(inputShape)
            let upstream = gradient.floatPointer, accumulated = gradInput.floatPointer
            for plane in 0..<planes {
                let base = accumulated + plane * height * width
                for (y, row) in rows.enumerated() {
                    for (x, column) in columns.enumerated() {
                        let value = upstream[plane * outputPlane + y * size.width + x]
                        base[row.index0 * width + column.index0] += value * row.weight0 * column.weight0
                        base[row.index0 * width + column.index1] += value * row.weight0 * column.weight1
                        base[row.index1 * width + column.index0] += value * row.weight1 * column.weight0
                        base[row.index1 * width + column.index1] += value * row.weight1 * column.weight1
                    }
                }
            }
            return [gradInput]
        }
    }

    /// The two source positions and weights each output position blends (nearest uses
    /// one position with weight 1).
    private static func samplingTaps(from input: Int, to output: Int, mode: ResizeMode)
        -> [(index0: Int, index1: Int, weight0: Float, weight1: Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { position in
            switch mode {
            case .nearest:
                let index = Swift.min(Int(Float(position) * scale), input - 1)
                return (index, index, 1, 0)
            case .bilinear(let alignCorners):
                var source: Float
                if alignCorners {
                    source = output > 1 ? Float(position) * Float(input - 1) / Float(output - 1) : 0
                } else {
                    source = Swift.max((Float(position) + 0.5) * scale - 0.5, 0)
                }
                let lower = Swift.min(Int(source), input - 1)
                let upper = Swift.min(lower + 1, input - 1)
                let fraction = source - Float(lower)
                return (lower, upper, 1 - fraction, fraction)
            }
        }
    }
}
