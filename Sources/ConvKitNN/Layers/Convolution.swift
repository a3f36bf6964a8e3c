/// 2-D convolution over `[N, C, H, W]` input, as `torch.nn.Conv2d`.
///
/// Weight `[outChannels, inChannels / groups, kH, kW]`, bias `[outChannels]`, initialized
/// like PyTorch (U(-1/sqrt(fanIn), 1/sqrt(fanIn))). `groups == inChannels` makes it
/// depthwise; a 1x1 kernel makes it pointwise.
///
/// - See Also: ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``
public final class Conv2d: Module {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: (Int, Int)
    public let padding: Padding2D
    /// TensorFlow "SAME" padding computed from each input's size (`padding` is then unused).
    public let samePadding: Bool
    public let dilation: (Int, Int)
    public let groups: Int

    /// A layer around given tensors (used when building from a checkpoint).
    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: Padding2D = .zero,
                samePadding: Bool = false, dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
        self.stride = stride
        self.padding = padding
        self.samePadding = samePadding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    /// A freshly initialized layer. Kernel, stride, padding and dilation take one value for
    /// both axes or a `(height, width)` pair.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                            padding: Padding2D = .zero, samePadding: Bool = false, dilation: (Int, Int) = (1, 1),
                            groups: Int = 1, bias: Bool = true) throws {
        guard inChannels > 0, outChannels > 0, groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TensorError("Conv2d: groups \(groups) must divide both inChannels \(inChannels) and "
                + "outChannels \(outChannels), all positive")
        }
        let weight = Tensor.zeros([outChannels, inChannels / groups, kernelSize.0, kernelSize.1])
        let bias = bias ? Tensor.zeros([outChannels]) : nil
        try Initializer.pytorchDefault(weight: weight, bias: bias)
        self.init(weight: weight, bias: bias, stride: stride, padding: padding, samePadding: samePadding,
                  dilation: dilation, groups: groups)
    }

    /// Square-kernel convenience: `Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3)`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            samePadding: Bool = false, dilation: Int = 1, groups: Int = 1, bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                      padding: .symmetric(padding, padding), samePadding: samePadding, dilation: (dilation, dilation),
                      groups: groups, bias: bias)
    }

    /// The padding applied to `input`: the fixed one, or TensorFlow "SAME" for its size.
    public func padding(for input: Tensor) -> Padding2D {
        Self.padding(for: input, fixed: padding, same: samePadding, weight: weight, stride: stride, dilation: dilation)
    }

    static func padding(for input: Tensor, fixed: Padding2D, same: Bool, weight: Tensor, stride: (Int, Int),
                        dilation: (Int, Int)) -> Padding2D {
        guard same, input.rank == 4 else { return fixed }
        return .same(input: (input.shape[2], input.shape[3]), kernel: (weight.shape[2], weight.shape[3]), stride: stride,
                     dilation: dilation)
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding(for: input), dilation: dilation,
                   groups: groups)
    }
}
