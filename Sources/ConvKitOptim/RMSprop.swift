/// RMSprop (Hinton's lecture 6e) as `torch.optim.RMSprop`: a running average of squared
/// gradients scales each step; `centered` subtracts the squared mean gradient, and
/// `momentum` adds a velocity buffer.
public final class RMSprop: Optimizer<RMSprop.State> {
    public struct State: OptimizerState {
        public var buffers: [String: [Float]]
        public init(count: Int) { buffers = ["square_avg": [Float](repeating: 0, count: count)] }
    }

    public let alpha, eps, momentum: Float
    public let centered: Bool

    public init(groups: [ParameterGroup], alpha: Float = 0.99, eps: Float = 1e-8, momentum: Float = 0,
                centered: Bool = false) throws {
        guard (0...1).contains(alpha), momentum >= 0, eps >= 0 else {
            throw TensorError("RMSprop: alpha must be in [0, 1] and momentum, eps non-negative")
        }
        (self.alpha, self.eps, self.momentum, self.centered) = (alpha, eps, momentum, centered)
        try super.init(groups: groups)
    }

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, group: ParameterGroup) {
        let lr = group.learningRate, decay = group.weightDecay
        // Buffers are taken out of the dictionary (not copied) so updating them in place costs no copy.
        var square = state.buffers.removeValue(forKey: "square_avg")!
        var mean = centered ? state.buffers.removeValue(forKey: "grad_avg") ?? [Float](repeating: 0, count: p.count) : []
        var velocity = momentum > 0
            ? state.buffers.removeValue(forKey: "momentum_buffer") ?? [Float](repeating: 0, count: p.count) : []
        for i in p.indices {
            let d = g[i] + decay * p[i]
            square[i] = alpha * square[i] + (1 - alpha) * d * d
            var variance = square[i]
            if centered {
                mean[i] = alpha * mean[i] + (1 - alpha) * d
                variance -= mean[i] * mean[i]
            }
            let scaled = d / (variance.squareRoot() + eps)
            if momentum > 0 {
                velocity[i] = momentum * velocity[i] + scaled
                p[i] -= lr * velocity[i]
            } else {
                p[i] -= lr * scaled
            }
        }
        state.buffers["square_avg"] = square
        if centered { state.buffers["grad_avg"] = mean }
        if momentum > 0 { state.buffers["momentum_buffer"] = velocity }
    }
}
