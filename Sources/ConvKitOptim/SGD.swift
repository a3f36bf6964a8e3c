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
            throw TensorError("SGD: Nesterov momentum needs momentum > 0 and zero dampening")
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

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, group: ParameterGroup) {
        let lr = group.learningRate, decay = group.weightDecay
        guard momentum > 0 else {
            for i in p.indices { p[i] -= lr * (g[i] + decay * p[i]) }
            return
        }
        // Taken out of the dictionary (not copied) so the in-place updates below do not copy the buffer.
        let stored = state.buffers.removeValue(forKey: "momentum_buffer")
        let first = stored == nil
        var buffer = stored ?? [Float](repeating: 0, count: p.count)
        let (m, keep) = (momentum, 1 - dampening)
        // Separate loops per case keep the inner loops branch-free and vectorized.
        buffer.withUnsafeMutableBufferPointer { b in
            if first {
                for i in p.indices { b[i] = g[i] + decay * p[i] }
            } else {
                for i in p.indices { b[i] = m * b[i] + keep * (g[i] + decay * p[i]) }
            }
            if nesterov {
                for i in p.indices { p[i] -= lr * (g[i] + decay * p[i] + m * b[i]) }
            } else {
                for i in p.indices { p[i] -= lr * b[i] }
            }
        }
        state.buffers["momentum_buffer"] = buffer
    }
}
