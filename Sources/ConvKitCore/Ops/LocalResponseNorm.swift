#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Local response normalization across channels, from the original AlexNet, as
/// `torch.nn.functional.local_response_norm`:
/// `y = x / (k + alpha * mean of x² over `size` neighbouring channels) ^ beta`, the
/// window zero-padded by `size / 2` before and `(size - 1) / 2` after.
public func localResponseNorm(_ input: Tensor, size: Int, alpha: Float = 1e-4, beta: Float = 0.75,
                              k: Float = 1) throws -> Tensor {
    guard input.rank >= 3, size > 0 else {
        throw TensorError("localResponseNorm: needs [N, C, ...] input and a positive size; got "
            + "\(describe(input.shape)) and size \(size)")
    }
    let (batch, channels) = (input.shape[0], input.shape[1])
    let spatial = input.shape.dropFirst(2).reduce(1, *)
    let before = size / 2, after = (size - 1) / 2
    let source = input.contiguous()
    let x = source.floatPointer
    // denominators d = k + alpha / size * sum of squares over the window
    let denominators = Tensor(uninitializedShape: input.shape)
    let output = Tensor(uninitializedShape: input.shape)
    let d = denominators.floatPointer, y = output.floatPointer
    parallelFor(batch * channels, grain: Swift.max(1, 8_192 / Swift.max(spatial, 1))) { range in
        for row in range {
            let n = row / channels, c = row % channels
            let window = Swift.max(c - before, 0)...Swift.min(c + after, channels - 1)
            for s in 0..<spatial {
                var squares: Float = 0
                for neighbour in window { let v = x[(n * channels + neighbour) * spatial + s]; squares += v * v }
                let denominator = k + alpha / Float(size) * squares
                d[row * spatial + s] = denominator
                y[row * spatial + s] = x[row * spatial + s] * powf(denominator, -beta)
            }
        }
    }
    return output.recording("local_response_norm", inputs: [input]) { g in
        // dx_j = g_j d_j^-beta - 2 alpha beta / size * x_j * sum over windows containing j of g_i x_i d_i^(-beta-1)
        let gradient = g.contiguous(), gradInput = Tensor(uninitializedShape: input.shape)
        // Pointers taken from the captured tensors, which keeps their storage alive.
        let dy = gradient.floatPointer, dx = gradInput.floatPointer
        let x = source.floatPointer, d = denominators.floatPointer
        let coefficient = 2 * alpha * beta / Float(size)
        parallelFor(batch * channels, grain: Swift.max(1, 8_192 / Swift.max(spatial, 1))) { range in
            for row in range {
                let n = row / channels, c = row % channels
                // Channel c appears in the windows of channels c - after ... c + before.
                let windows = Swift.max(c - after, 0)...Swift.min(c + before, channels - 1)
                for s in 0..<spatial {
                    var accumulated: Float = 0
                    for i in windows {
                        let index = (n * channels + i) * spatial + s
                        accumulated += dy[index] * x[index] * powf(d[index], -beta - 1)
                    }
                    let index = row * spatial + s
                    dx[index] = dy[index] * powf(d[index], -beta) - coefficient * x[index] * accumulated
                }
            }
        }
        return [gradInput]
    }
}
