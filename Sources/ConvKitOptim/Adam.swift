/// Adam (Kingma & Ba, 2015) with optional AMSGrad; `decoupledWeightDecay` makes it
/// AdamW (Loshchilov & Hutter, 2019), which shrinks weights directly instead of adding
/// the decay to the gradient. Updates match `torch.optim.Adam` / `AdamW`.
public final class Adam: Optimizer<Adam.State> {
    public struct State: OptimizerState {
        public var buffers: [String: [Float]] = [:]
        public init(count: Int) {}
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

    override public var kind: String { decoupledWeightDecay ? "AdamW" : "Adam" }

    override public var hyperparameters: [String: String] {
        ["betas": "\(beta1),\(beta2)", "eps": String(eps), "amsgrad": String(amsgrad)]
    }

    override public func update(_ p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>,
                                state: inout State, step: Int, group: ParameterGroup) {
        let (beta1, beta2, eps, amsgrad) = (beta1, beta2, eps, amsgrad)
        // Scalars in double precision, as PyTorch computes them in Python.
        let stepSize = Float(Double(group.learningRate) / (1 - pow(Double(beta1), Double(step))))
        let correction2Root = Float((1 - pow(Double(beta2), Double(step))).squareRoot())
        let shrink = decoupledWeightDecay ? Float(1 - Double(group.learningRate) * Double(group.weightDecay)) : 1
        let l2 = decoupledWeightDecay ? 0 : group.weightDecay
        var m = state.takeBuffer("exp_avg", count: p.count), v = state.takeBuffer("exp_avg_sq", count: p.count)
        var vMax = amsgrad ? state.takeBuffer("max_exp_avg_sq", count: p.count) : []
        withMutableBuffers(&m, &v, &vMax) { m, v, vMax in
            forEachChunk(p.count) { range in
                for i in range {
                    let d = g[i] + l2 * p[i]
                    // PyTorch's lerp form of beta1 m + (1 - beta1) d, so the rounding matches.
                    m[i] += (1 - beta1) * (d - m[i])
                    v[i] = beta2 * v[i] + (1 - beta2) * d * d
                }
                // AMSGrad normalizes by the largest second moment seen so far.
                if amsgrad { for i in range { vMax[i] = max(vMax[i], v[i]) } }
                let second = amsgrad ? vMax : v
                for i in range { p[i] = p[i] * shrink - stepSize * m[i] / (second[i].squareRoot() / correction2Root + eps) }
            }
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
