/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2
/// weight decay, with `torch.optim.SGD`'s exact update (the first step seeds the
/// momentum buffer with the gradient itself).
public final class SGD: Optimizer<SGD.State> {
    public struct State: OptimizerState {
        public var buffers: [String: [Float]] = [:]
        public init(count: Int) {}
    }

    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool

    public init(groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) throws {
        guard momentum >= 0 else { throw TensorError("SGD: momentum must not be negative, got \(momentum)") }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw TensorError("SGD: Nesterov momentum needs momentum > 0 and zero dampening, got \(momentum) and \(dampening)")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        try super.init(groups: groups)
    }

    public convenience init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    override public var hyperparameters: [String: String] {
        ["momentum": String(momentum), "dampening": String(dampening), "nesterov": String(nesterov)]
    }

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, step: Int, group: ParameterGroup) {
        let lr = group.learningRate, decay = group.weightDecay
        guard momentum > 0 else {
            forEachChunk(p.count) { range in for i in range { p[i] -= lr * (g[i] + decay * p[i]) } }
            return
        }
        // PyTorch seeds the buffer with the first gradient itself, undamped.
        let first = state.buffers["momentum_buffer"] == nil
        var buffer = state.takeBuffer("momentum_buffer", count: p.count)
        let (m, keep, nesterov) = (momentum, 1 - dampening, nesterov)
        // Separate loops per case keep the inner loops branch-free and vectorized.
        buffer.withUnsafeMutableBufferPointer { b in
            forEachChunk(p.count) { range in
                if first {
                    for i in range { b[i] = g[i] + decay * p[i] }
                } else {
                    for i in range { b[i] = m * b[i] + keep * (g[i] + decay * p[i]) }
                }
                if nesterov {
                    for i in range { p[i] -= lr * (g[i] + decay * p[i] + m * b[i]) }
                } else {
                    for i in range { p[i] -= lr * b[i] }
                }
            }
        }
        state.buffers["momentum_buffer"] = buffer
    }
}
