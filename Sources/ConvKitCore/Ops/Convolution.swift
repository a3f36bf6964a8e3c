/// Zero padding around the two spatial axes of a convolution or pooling window.
/// Symmetric in most networks; TensorFlow-ported weights (EfficientNet) need the
/// asymmetric "same" padding, one more pixel at the bottom and right.
public struct Padding2D: Hashable, Sendable {
    public var top, left, bottom, right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        (self.top, self.left, self.bottom, self.right) = (top, left, bottom, right)
    }

    /// `height` rows above and below, `width` columns left and right (PyTorch's `padding=(h, w)`).
    public static func symmetric(_ height: Int, _ width: Int) -> Padding2D {
        Padding2D(top: height, left: width, bottom: height, right: width)
    }

    public static let zero = Padding2D(top: 0, left: 0, bottom: 0, right: 0)

    /// TensorFlow's "SAME" padding for an input size: the output is `ceil(input / stride)`
    /// and any odd pixel of padding goes to the bottom/right, as the weights ported from
    /// TensorFlow (EfficientNet) were trained with.
    public static func same(input: (Int, Int), kernel: (Int, Int), stride: (Int, Int),
                            dilation: (Int, Int) = (1, 1)) -> Padding2D {
        func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            let output = (size + s - 1) / s
            let total = Swift.max((output - 1) * s + (k - 1) * d + 1 - size, 0)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = split(input.0, kernel.0, stride.0, dilation.0)
        let (left, right) = split(input.1, kernel.1, stride.1, dilation.1)
        return Padding2D(top: top, left: left, bottom: bottom, right: right)
    }
}

/// 2-D convolution (cross-correlation, as in every deep learning framework) of
/// `input [N, C, H, W]` with `weight [O, C / groups, kH, kW]`, plus `bias [O]`.
///
/// Runs on oneDNN's JIT kernels; gradients flow to whichever of input, weight and bias
/// require them. `groups == C == O` is a depthwise convolution.
///
/// - Throws: ``TensorError`` naming the shapes when they do not fit together.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: Padding2D = .zero, dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
    let geometry = try convolutionGeometry(input, weight: weight, bias: bias, stride: stride, padding: padding,
                                           dilation: dilation, groups: groups)
    let x = input.contiguous(), w = weight.contiguous(), b = bias?.contiguous()
    let output = Tensor(uninitializedShape: geometry.outputShape)
    let recordsGraph = GradMode.isEnabled && (input.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
    try DNNLConvolution.forward(geometry, input: x.floatPointer, weight: w.floatPointer, bias: b?.floatPointer,
                                output: output.floatPointer, fusedReLU: false, training: recordsGraph)
    return output.recording("conv2d", inputs: [input, weight] + (bias.map { [$0] } ?? [])) { gradOutput in
        let g = gradOutput.contiguous()
        var gradients: [Tensor?] = [nil, nil]
        if input.requiresGrad {
            let gradInput = Tensor(uninitializedShape: geometry.inputShape)
            try DNNLConvolution.backwardData(geometry, gradOutput: g.floatPointer, weight: w.floatPointer,
                                             gradInput: gradInput.floatPointer)
            gradients[0] = gradInput
        }
        let gradBias = bias?.requiresGrad == true ? Tensor(uninitializedShape: [geometry.outChannels]) : nil
        if weight.requiresGrad || gradBias != nil {
            // oneDNN computes the bias gradient in the same pass as the weight gradient.
            let gradWeight = Tensor(uninitializedShape: geometry.weightShape)
            try DNNLConvolution.backwardWeights(geometry, input: x.floatPointer, gradOutput: g.floatPointer,
                                                gradWeight: gradWeight.floatPointer, gradBias: gradBias?.floatPointer)
            gradients[1] = weight.requiresGrad ? gradWeight : nil
        }
        if bias != nil { gradients.append(gradBias) }
        return gradients
    }
}

/// Convolution, bias and ReLU in one oneDNN call, for inference: records no graph and
/// refuses inputs that need gradients (use `conv2d(...).relu()` for training).
public func conv2dReLU(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                       padding: Padding2D = .zero, dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
    guard !(GradMode.isEnabled && (input.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)) else {
        throw TensorError("conv2dReLU is inference-only; its inputs require gradients (wrap the call in withNoGrad)")
    }
    let geometry = try convolutionGeometry(input, weight: weight, bias: bias, stride: stride, padding: padding,
                                           dilation: dilation, groups: groups)
    let output = Tensor(uninitializedShape: geometry.outputShape)
    try DNNLConvolution.forward(geometry, input: input.contiguous().floatPointer, weight: weight.contiguous().floatPointer,
                                bias: bias?.contiguous().floatPointer, output: output.floatPointer,
                                fusedReLU: true, training: false)
    return output
}

/// Validates a convolution's arguments and returns its geometry.
func convolutionGeometry(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: Padding2D,
                         dilation: (Int, Int), groups: Int) throws -> ConvolutionGeometry {
    func fail(_ reason: String) -> TensorError {
        TensorError("conv2d: \(reason) (input \(describe(input.shape)), weight \(describe(weight.shape))"
            + (bias.map { ", bias \(describe($0.shape))" } ?? "") + ")")
    }
    guard input.dtype == .float32, weight.dtype == .float32 else { throw fail("input and weight must be float32") }
    guard input.rank == 4 else { throw fail("input must be [N, C, H, W]") }
    guard weight.rank == 4 else { throw fail("weight must be [outChannels, inChannels / groups, kH, kW]") }
    guard groups > 0 else { throw fail("groups must be positive, got \(groups)") }
    guard input.shape[1] % groups == 0, weight.shape[0] % groups == 0 else {
        throw fail("groups \(groups) must divide the input channels \(input.shape[1]) and output channels \(weight.shape[0])")
    }
    guard weight.shape[1] * groups == input.shape[1] else {
        throw fail("weight expects \(weight.shape[1] * groups) input channels, input has \(input.shape[1])")
    }
    if let bias, bias.shape != [weight.shape[0]] { throw fail("bias must be [\(weight.shape[0])]") }
    guard stride.0 > 0, stride.1 > 0 else { throw fail("stride must be positive, got \(stride)") }
    guard dilation.0 > 0, dilation.1 > 0 else { throw fail("dilation must be positive, got \(dilation)") }
    guard min(padding.top, padding.left, padding.bottom, padding.right) >= 0 else {
        throw fail("padding must not be negative, got \(padding)")
    }
    let geometry = ConvolutionGeometry(
        batch: input.shape[0], inChannels: input.shape[1], height: input.shape[2], width: input.shape[3],
        outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
        strideHeight: stride.0, strideWidth: stride.1,
        padTop: padding.top, padLeft: padding.left, padBottom: padding.bottom, padRight: padding.right,
        dilationHeight: dilation.0, dilationWidth: dilation.1, groups: groups)
    let effectiveKernel = (dilation.0 * (weight.shape[2] - 1) + 1, dilation.1 * (weight.shape[3] - 1) + 1)
    let padded = (input.shape[2] + padding.top + padding.bottom, input.shape[3] + padding.left + padding.right)
    guard effectiveKernel.0 <= padded.0, effectiveKernel.1 <= padded.1 else {
        throw fail("kernel \(effectiveKernel.0)x\(effectiveKernel.1) (with dilation) is larger than the padded input "
            + "\(padded.0)x\(padded.1)")
    }
    guard geometry.batch > 0, geometry.inChannels > 0, geometry.outChannels > 0 else { throw fail("empty tensor") }
    return geometry
}
