#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax and log-softmax along an axis, computed stably (shifted by the maximum).
extension Tensor {
    public func softmax(axis: Int = -1) throws -> Tensor {
        let y = try normalizedExponential(axis: axis, logarithm: false)
        // `unowned`: y owns this closure (see `elementwise`).
        return y.recording("softmax", inputs: [self]) { [unowned y] g in
            // dx = y * (g - sum(g * y))
            [try y * (g - (g * y).sum(axes: [axis], keepingDimensions: true))]
        }
    }

    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        let y = try normalizedExponential(axis: axis, logarithm: true)
        return y.recording("log_softmax", inputs: [self]) { [unowned y] g in
            // dx = g - softmax * sum(g)
            [try g - y.exp() * g.sum(axes: [axis], keepingDimensions: true)]
        }
    }

    /// Softmax or log-softmax of each line along `axis`; records no graph.
    func normalizedExponential(axis: Int, logarithm: Bool) throws -> Tensor {
        try requireDType(.float32, for: "softmax")
        let resolved = try resolvedAxis(axis, for: "softmax")
        let source = contiguous()
        let length = shape[resolved], stride = shape[(resolved + 1)...].reduce(1, *)
        let lines = shape[..<resolved].reduce(1, *) * stride
        let output = Tensor(uninitializedShape: shape)
        let input = source.floatPointer, result = output.floatPointer
        parallelFor(lines, grain: Swift.max(1, 16_384 / Swift.max(length, 1))) { range in
            for line in range {
                let base = (line / stride) * length * stride + line % stride
                var largest = -Float.infinity
                for i in 0..<length { largest = Swift.max(largest, input[base + i * stride]) }
                var total: Float = 0
                for i in 0..<length { total += expf(input[base + i * stride] - largest) }
                let logTotal = logf(total)
                for i in 0..<length {
                    let shifted = input[base + i * stride] - largest
                    result[base + i * stride] = logarithm ? shifted - logTotal : expf(shifted - logTotal)
                }
            }
        }
        return output
    }
}
