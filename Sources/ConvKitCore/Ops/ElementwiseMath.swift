#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An elementwise function: one line of forward math and one line of derivative,
/// expressed through the input `x` and output `y` so nothing extra is stored.
///
/// Functions are types rather than closures so that each kernel loop is specialized
/// for its function and vectorized; a closure called per element was 15% of a LeNet
/// training step.
public protocol ElementwiseFunction {
    static var name: String { get }
    func value(_ x: Float) -> Float
    func derivative(x: Float, y: Float) -> Float
    /// Whether guided backpropagation (``GradMode/rectifierGradient``) applies to it.
    static var isRectifier: Bool { get }
}

extension ElementwiseFunction {
    public static var isRectifier: Bool { false }
}

extension Tensor {
    /// Applies `function` and records its derivative for the backward pass.
    public func elementwise<F: ElementwiseFunction>(_ function: F) -> Tensor {
        precondition(dtype == .float32, "\(F.name) on a \(dtype) tensor; convert it to float32 first")
        let x = isContiguous ? self : materialized()
        let y = Tensor(uninitializedShape: shape)
        let input = x.floatPointer, output = y.floatPointer
        parallelFor(count) { range in
            for i in range { output[i] = function.value(input[i]) }
        }
        // `unowned`: the closure is stored in y's own graph node, so a strong capture would
        // be a retain cycle leaking every activation; y is alive whenever this runs.
        return y.recording(F.name, inputs: [self]) { [unowned y] gradOutput in
            let g = gradOutput.isContiguous ? gradOutput : gradOutput.materialized()
            let gradInput = Tensor(uninitializedShape: y.shape)
            let upstream = g.floatPointer, xs = x.floatPointer, ys = y.floatPointer, result = gradInput.floatPointer
            if F.isRectifier && GradMode.rectifierGradient == .guided {
                parallelFor(y.count) { range in
                    for i in range { result[i] = Swift.max(upstream[i], 0) * function.derivative(x: xs[i], y: ys[i]) }
                }
            } else {
                parallelFor(y.count) { range in
                    for i in range { result[i] = upstream[i] * function.derivative(x: xs[i], y: ys[i]) }
                }
            }
            return [gradInput]
        }
    }

    public func exp() -> Tensor { elementwise(Exp()) }
    public func log() -> Tensor { elementwise(Log()) }
    public func sqrt() -> Tensor { elementwise(SquareRoot()) }
    public func abs() -> Tensor { elementwise(Absolute()) }
    public func squared() -> Tensor { elementwise(Square()) }

    /// `x ^ exponent` elementwise.
    public func pow(_ exponent: Float) -> Tensor { elementwise(Power(exponent: exponent)) }

    /// Limits values to `[min, max]` (either bound optional); the gradient passes where
    /// the input lies inside the bounds, as in PyTorch.
    public func clamped(min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
        elementwise(Clamp(low: lower ?? -.infinity, high: upper ?? .infinity))
    }
}

struct Exp: ElementwiseFunction {
    static let name = "exp"
    func value(_ x: Float) -> Float { expf(x) }
    func derivative(x: Float, y: Float) -> Float { y }
}

struct Log: ElementwiseFunction {
    static let name = "log"
    func value(_ x: Float) -> Float { logf(x) }
    func derivative(x: Float, y: Float) -> Float { 1 / x }
}

struct SquareRoot: ElementwiseFunction {
    static let name = "sqrt"
    func value(_ x: Float) -> Float { x.squareRoot() }
    func derivative(x: Float, y: Float) -> Float { 0.5 / y }
}

struct Absolute: ElementwiseFunction {
    static let name = "abs"
    func value(_ x: Float) -> Float { Swift.abs(x) }
    func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

struct Square: ElementwiseFunction {
    static let name = "square"
    func value(_ x: Float) -> Float { x * x }
    func derivative(x: Float, y: Float) -> Float { 2 * x }
}

struct Power: ElementwiseFunction {
    static let name = "pow"
    let exponent: Float
    func value(_ x: Float) -> Float { powf(x, exponent) }
    func derivative(x: Float, y: Float) -> Float { exponent * powf(x, exponent - 1) }
}

struct Clamp: ElementwiseFunction {
    static let name = "clamp"
    let low, high: Float
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, low), high) }
    func derivative(x: Float, y: Float) -> Float { x >= low && x <= high ? 1 : 0 }
}

/// `base ^ exponent` elementwise with broadcasting.
public func pow(_ base: Tensor, _ exponent: Tensor) throws -> Tensor {
    let output = try base.broadcastingMap(exponent, op: "pow", PowerFunction.self)
    // `unowned`: output owns this closure (see `Tensor.elementwise`).
    return output.recording("pow", inputs: [base, exponent]) { [unowned output] g in
        [base.requiresGrad ? try (g * exponent * pow(base, exponent - 1)).summed(toShape: base.shape) : nil,
         exponent.requiresGrad ? try (g * output * base.log()).summed(toShape: exponent.shape) : nil]
    }
}

enum PowerFunction: BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float { powf(a, b) } }
