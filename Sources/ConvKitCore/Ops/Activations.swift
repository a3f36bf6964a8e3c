#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Activation functions, with PyTorch's conventions at the kinks (ReLU'(0) = 0).
extension Tensor {
    public func relu() -> Tensor { elementwise(ReLUFunction()) }

    /// `min(max(x, 0), 6)` (MobileNet, EfficientNet-Lite).
    public func relu6() -> Tensor { elementwise(ReLU6Function()) }

    public func leakyReLU(negativeSlope: Float = 0.01) -> Tensor { elementwise(LeakyReLUFunction(slope: negativeSlope)) }

    public func sigmoid() -> Tensor { elementwise(SigmoidFunction()) }

    public func tanh() -> Tensor { elementwise(TanhFunction()) }

    /// Gaussian error linear unit: `x Φ(x)` exactly (erf), or PyTorch's `approximate='tanh'`.
    public func gelu(approximateWithTanh: Bool = false) -> Tensor {
        approximateWithTanh ? elementwise(TanhGELUFunction()) : elementwise(GELUFunction())
    }
}

struct ReLUFunction: ElementwiseFunction {
    static let name = "relu"
    static let isRectifier = true
    func value(_ x: Float) -> Float { Swift.max(x, 0) }
    func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : 0 }
}

struct ReLU6Function: ElementwiseFunction {
    static let name = "relu6"
    static let isRectifier = true
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, 0), 6) }
    func derivative(x: Float, y: Float) -> Float { x > 0 && x < 6 ? 1 : 0 }
}

struct LeakyReLUFunction: ElementwiseFunction {
    static let name = "leaky_relu"
    let slope: Float
    func value(_ x: Float) -> Float { x > 0 ? x : slope * x }
    func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : slope }
}

struct SigmoidFunction: ElementwiseFunction {
    static let name = "sigmoid"
    func value(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    func derivative(x: Float, y: Float) -> Float { y * (1 - y) }
}

struct TanhFunction: ElementwiseFunction {
    static let name = "tanh"
    func value(_ x: Float) -> Float { tanhf(x) }
    func derivative(x: Float, y: Float) -> Float { 1 - y * y }
}

struct GELUFunction: ElementwiseFunction {
    static let name = "gelu"
    func value(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.707_106_78)) }
    func derivative(x: Float, y: Float) -> Float {
        0.5 * (1 + erff(x * 0.707_106_78)) + x * 0.398_942_28 * expf(-0.5 * x * x)  // Φ(x) + x φ(x)
    }
}

struct TanhGELUFunction: ElementwiseFunction {
    static let name = "gelu_tanh"
    static let c: Float = 0.797_884_560_8  // sqrt(2 / pi)
    func value(_ x: Float) -> Float { 0.5 * x * (1 + tanhf(Self.c * (x + 0.044715 * x * x * x))) }
    func derivative(x: Float, y: Float) -> Float {
        let t = tanhf(Self.c * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Self.c * (1 + 3 * 0.044715 * x * x)
    }
}
