/// A convolution with a batch norm folded into its weights and, optionally, a ReLU
/// fused into the same oneDNN call: the inference form of `Conv2d → BatchNorm2d → ReLU`.
/// Built by ``Sequential/fusedForInference()``; it records no graph.
public final class FusedConv2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let stride: (Int, Int)
    public let padding: Padding2D
    public let samePadding: Bool
    public let dilation: (Int, Int)
    public let groups: Int
    public let appliesReLU: Bool

    /// Folds `batchNorm` (running statistics) into `convolution`:
    /// `W' = W γ / σ`, `b' = (b - μ) γ / σ + β` per output channel, with `σ = sqrt(var + eps)`.
    public init(_ convolution: Conv2d, batchNorm: BatchNorm?, reLU: Bool) throws {
        let channels = convolution.weight.shape[0]
        var scale = [Float](repeating: 1, count: channels)
        var shift = convolution.bias?.scalars ?? [Float](repeating: 0, count: channels)
        if let batchNorm {
            guard batchNorm.numFeatures == channels else {
                throw TensorError("cannot fold a batch norm over \(batchNorm.numFeatures) channels into a convolution "
                    + "with \(channels) outputs")
            }
            let gamma = batchNorm.weight?.scalars ?? scale, beta = batchNorm.bias?.scalars ?? [Float](repeating: 0, count: channels)
            let mean = batchNorm.runningMean.scalars, variance = batchNorm.runningVar.scalars
            for c in 0..<channels {
                scale[c] = gamma[c] / (variance[c] + batchNorm.eps).squareRoot()
                shift[c] = (shift[c] - mean[c]) * scale[c] + beta[c]
            }
        }
        weight = try withNoGrad { try convolution.weight.detached() * Tensor(scale, shape: [channels, 1, 1, 1]) }
        bias = Tensor(shift, shape: [channels])
        (stride, padding, samePadding) = (convolution.stride, convolution.padding, convolution.samePadding)
        (dilation, groups) = (convolution.dilation, convolution.groups)
        appliesReLU = reLU
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try withNoGrad {
            let padding = Conv2d.padding(for: input, fixed: padding, same: samePadding, weight: weight, stride: stride,
                                         dilation: dilation)
            return appliesReLU
                ? try conv2dReLU(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                                 groups: groups)
                : try conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                             groups: groups)
        }
    }
}

extension Sequential {
    /// A copy for evaluation in which every `Conv2d` (optionally followed by a
    /// `BatchNorm` and/or a `ReLU`) becomes one ``FusedConv2d``: one oneDNN call instead
    /// of three passes over the activations. Nested `Sequential`s are fused too; other
    /// layers are shared with this model. Batch norms use their running statistics, so
    /// the result computes what this model computes in evaluation mode.
    public func fusedForInference() throws -> Sequential {
        var fused: [Module] = []
        var index = 0
        while index < layers.count {
            let layer = layers[index]
            if let convolution = layer as? Conv2d {
                let batchNorm = index + 1 < layers.count ? layers[index + 1] as? BatchNorm : nil
                let reluIndex = index + (batchNorm == nil ? 1 : 2)
                let reLU = reluIndex < layers.count && layers[reluIndex] is ReLU
                fused.append(try FusedConv2d(convolution, batchNorm: batchNorm, reLU: reLU))
                // Keep the numbering: the absorbed layers become identities.
                let absorbed = (batchNorm == nil ? 0 : 1) + (reLU ? 1 : 0)
                fused += (0..<absorbed).map { _ in Identity() }
                index += 1 + absorbed
            } else {
                fused.append(try (layer as? Sequential)?.fusedForInference() ?? layer)
                index += 1
            }
        }
        let result = Sequential(fused)
        result.eval()
        return result
    }
}
