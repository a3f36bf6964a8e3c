/// RMSprop (Hinton's lecture 6e) as `torch.optim.RMSprop`: a running average of squared
/// gradients scales each step; `centered` subtracts the squared mean gradient, and
/// `momentum` adds a velocity buffer.
public final class RMSprop: Optimizer<RMSprop.State> {
    public struct State: OptimizerState {
        public var buffers: [String: [Float]] = [:]
        public init(count: Int) {}
    }

    public let alpha, eps, momentum: Float
    public let centered: Bool

    public init(groups: [ParameterGroup], alpha: Float = 0.99, eps: Float = 1e-8, momentum: Float = 0,
                centered: Bool = false) throws {
        guard (0...1).contains(alpha), momentum >= 0, eps >= 0 else {
            throw TensorError("RMSprop: alpha must be in [0, 1] and momentum, eps non-negative; got alpha \(alpha), "
                + "momentum \(momentum), eps \(eps)")
        }
        (self.alpha, self.eps, self.momentum, self.centered) = (alpha, eps, momentum, centered)
        try super.init(groups: groups)
    }

    override public var hyperparameters: [String: String] {
        ["alpha": String(alpha), "eps": String(eps), "momentum": String(momentum), "centered": String(centered)]
    }

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, step: Int, group: ParameterGroup) {
        let (lr, decay, alpha, eps, momentum, centered) = (group.learningRate, group.weightDecay, alpha, eps, momentum, centered)
        var square = state.takeBuffer("square_avg", count: p.count)
        var mean = centered ? state.takeBuffer("grad_avg", count: p.count) : []
        var velocity = momentum > 0 ? state.takeBuffer("momentum_buffer", count: p.count) : []
        withMutableBuffers(&square, &mean, &velocity) { square, mean, velocity in
            forEachChunk(p.count) { range in
                // The parameters change only in the last loop, so the decayed gradient is recomputed, not stored.
                func decayed(_ i: Int) -> Float { g[i] + decay * p[i] }
                func denominator(_ i: Int) -> Float {
                    (centered ? square[i] - mean[i] * mean[i] : square[i]).squareRoot() + eps
                }
                for i in range { square[i] = alpha * square[i] + (1 - alpha) * decayed(i) * decayed(i) }
                if centered { for i in range { mean[i] += (1 - alpha) * (decayed(i) - mean[i]) } }
                if momentum > 0 {
                    for i in range {
                        velocity[i] = momentum * velocity[i] + decayed(i) / denominator(i)
                        p[i] -= lr * velocity[i]
                    }
                } else {
                    for i in range { p[i] -= lr * decayed(i) / denominator(i) }
                }
            }
        }
        state.buffers["square_avg"] = square
        if centered { state.buffers["grad_avg"] = mean }
        if momentum > 0 { state.buffers["momentum_buffer"] = velocity }
    }
}
