#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Activation functions, with PyTorch's conventions at the kinks (ReLU'(0) = 0).
extension Tensor {
    public func relu() -> Tensor {
        elementwise("relu", { Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }

    /// `min(max(x, 0), 6)` (MobileNet, EfficientNet-Lite).
    public func relu6() -> Tensor {
        elementwise("relu6", { Swift.min(Swift.max($0, 0), 6) }, derivative: { x, _ in x > 0 && x < 6 ? 1 : 0 })
    }

    public func leakyReLU(negativeSlope: Float = 0.01) -> Tensor {
        elementwise("leaky_relu", { $0 > 0 ? $0 : negativeSlope * $0 },
                    derivative: { x, _ in x > 0 ? 1 : negativeSlope })
    }

    public func sigmoid() -> Tensor {
        elementwise("sigmoid", { 1 / (1 + expf(-$0)) }, derivative: { _, y in y * (1 - y) })
    }

    public func tanh() -> Tensor {
        elementwise("tanh", { tanhf($0) }, derivative: { _, y in 1 - y * y })
    }

    /// Gaussian error linear unit: `x Φ(x)` exactly (erf), or PyTorch's `approximate='tanh'`.
    public func gelu(approximateWithTanh: Bool = false) -> Tensor {
        if approximateWithTanh {
            let c: Float = 0.797_884_560_8  // sqrt(2 / pi)
            return elementwise("gelu_tanh", { x in 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x))) },
                               derivative: { x, _ in
                                   let inner = c * (x + 0.044715 * x * x * x), t = tanhf(inner)
                                   return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
                               })
        }
        return elementwise("gelu", { x in 0.5 * x * (1 + erff(x * 0.707_106_78)) },
                           derivative: { x, _ in
                               0.5 * (1 + erff(x * 0.707_106_78)) + x * 0.398_942_28 * expf(-0.5 * x * x)
                           })
    }
}
