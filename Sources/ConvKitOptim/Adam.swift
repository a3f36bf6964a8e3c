/// Adam (Kingma & Ba, 2015) with optional AMSGrad; `decoupledWeightDecay` makes it
/// AdamW (Loshchilov & Hutter, 2019), which shrinks weights directly instead of adding
/// the decay to the gradient. Updates match `torch.optim.Adam` / `AdamW`.
public final class Adam: Optimizer<Adam.State> {
    public struct State: OptimizerState {
        public var buffers: [String: [Float]]
        public init(count: Int) {
            buffers = ["exp_avg": [Float](repeating: 0, count: count), "exp_avg_sq": [Float](repeating: 0, count: count)]
        }
    }

    public let beta1, beta2, eps: Float
    public let amsgrad: Bool
    public let decoupledWeightDecay: Bool

    public init(groups: [ParameterGroup], betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8, amsgrad: Bool = false,
                decoupledWeightDecay: Bool = false) throws {
        guard (0..<1).contains(betas.0), (0..<1).contains(betas.1), eps >= 0 else {
            throw TensorError("Adam: betas must be in [0, 1) and eps non-negative, got \(betas) and \(eps)")
        }
        (beta1, beta2, self.eps, self.amsgrad, self.decoupledWeightDecay) = (betas.0, betas.1, eps, amsgrad, decoupledWeightDecay)
        try super.init(groups: groups)
    }

    /// Adam with L2 weight decay added to the gradient.
    public static func adam(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                            eps: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false) throws -> Adam {
        try Adam(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)], betas: betas,
                 eps: eps, amsgrad: amsgrad)
    }

    /// AdamW: decoupled weight decay (PyTorch's default decay is 0.01).
    public static func adamW(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                             eps: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false) throws -> Adam {
        try Adam(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)], betas: betas,
                 eps: eps, amsgrad: amsgrad, decoupledWeightDecay: true)
    }

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, group: ParameterGroup) {
        let lr = group.learningRate, decay = group.weightDecay
        let step = Float(stepCount)
        let correction1 = 1 - powf(beta1, step), correction2Root = (1 - powf(beta2, step)).squareRoot()
        // Buffers are taken out of the dictionary (not copied) so updating them in place costs no copy.
        var m = state.buffers.removeValue(forKey: "exp_avg")!, v = state.buffers.removeValue(forKey: "exp_avg_sq")!
        var vMax = amsgrad ? state.buffers.removeValue(forKey: "max_exp_avg_sq") ?? [Float](repeating: 0, count: p.count) : []
        for i in p.indices {
            var d = g[i]
            if decoupledWeightDecay { p[i] *= 1 - lr * decay } else { d += decay * p[i] }
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            var second = v[i]
            if amsgrad { vMax[i] = max(vMax[i], v[i]); second = vMax[i] }
            p[i] -= lr / correction1 * m[i] / (second.squareRoot() / correction2Root + eps)
        }
        state.buffers["exp_avg"] = m
        state.buffers["exp_avg_sq"] = v
        if amsgrad { state.buffers["max_exp_avg_sq"] = vMax }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
