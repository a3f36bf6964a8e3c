/// `max(0, x)`.
public final class ReLU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) throws -> Tensor { input.relu() }
}

/// `min(max(0, x), 6)`, MobileNet's and EfficientNet-Lite's activation.
public final class ReLU6: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) throws -> Tensor { input.relu6() }
}

/// `x` for positive inputs, `negativeSlope * x` otherwise.
public final class LeakyReLU: Module {
    public let negativeSlope: Float

    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor { input.leakyReLU(negativeSlope: negativeSlope) }
}

/// `1 / (1 + exp(-x))`.
public final class Sigmoid: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) throws -> Tensor { input.sigmoid() }
}

/// Hyperbolic tangent, the original LeNet-5's activation.
public final class Tanh: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) throws -> Tensor { input.tanh() }
}

/// Gaussian error linear unit (exact erf form, or the tanh approximation).
public final class GELU: Module {
    public let approximateWithTanh: Bool

    public init(approximateWithTanh: Bool = false) {
        self.approximateWithTanh = approximateWithTanh
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor { input.gelu(approximateWithTanh: approximateWithTanh) }
}
