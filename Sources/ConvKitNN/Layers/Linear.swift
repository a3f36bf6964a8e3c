/// A fully connected layer, `y = x Wᵀ + b`, as `torch.nn.Linear`: weight `[out, in]`,
/// bias `[out]`, input `[..., in]`.
public final class Linear: Module {
    public var weight: Tensor
    public var bias: Tensor?

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
        super.init()
    }

    /// A freshly initialized layer (PyTorch's default initialization).
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        guard inFeatures > 0, outFeatures > 0 else {
            throw TensorError("Linear: feature counts must be positive, got \(inFeatures) -> \(outFeatures)")
        }
        let weight = Tensor.zeros([outFeatures, inFeatures])
        let bias = bias ? Tensor.zeros([outFeatures]) : nil
        try Initializer.pytorchDefault(weight: weight, bias: bias)
        self.init(weight: weight, bias: bias)
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try linear(input, weight: weight, bias: bias)
    }
}
