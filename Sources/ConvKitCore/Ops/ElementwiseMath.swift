#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise functions. Each is one line of forward math and one line of derivative,
/// expressed in terms of the input `x` and output `y` so nothing extra is stored.
extension Tensor {
    /// Applies `f` and records `dy/dx = derivative(x, y)` for the backward pass.
    @inline(__always)
    func elementwise(_ name: String, _ f: (Float) -> Float,
                     derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let x = self
        let y = map(f)
        return y.recording(name, inputs: [x]) { gradOutput in
            [Tensor.combine(gradOutput, x, y) { g, x, y in g * derivative(x, y) }]
        }
    }

    /// `out[i] = f(a[i], b[i], c[i])` for three tensors of one shape.
    @inline(__always)
    static func combine(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        let a = a.isContiguous ? a : a.materialized(), b = b.isContiguous ? b : b.materialized()
        let c = c.isContiguous ? c : c.materialized()
        let out = Tensor(uninitializedShape: a.shape)
        let pa = a.floatPointer, pb = b.floatPointer, pc = c.floatPointer, po = out.floatPointer
        parallelFor(a.count) { range in
            for i in range { po[i] = f(pa[i], pb[i], pc[i]) }
        }
        return out
    }

    public func exp() -> Tensor { elementwise("exp", { expf($0) }, derivative: { _, y in y }) }

    public func log() -> Tensor { elementwise("log", { logf($0) }, derivative: { x, _ in 1 / x }) }

    public func sqrt() -> Tensor { elementwise("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }

    public func abs() -> Tensor { elementwise("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }

    public func squared() -> Tensor { elementwise("square", { $0 * $0 }, derivative: { x, _ in 2 * x }) }

    /// `x ^ exponent` elementwise.
    public func pow(_ exponent: Float) -> Tensor {
        elementwise("pow", { powf($0, exponent) }, derivative: { x, _ in exponent * powf(x, exponent - 1) })
    }

    /// Limits values to `[min, max]` (either bound optional); the gradient passes where
    /// the input lies inside the bounds, as in PyTorch.
    public func clamped(min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
        let low = lower ?? -.infinity, high = upper ?? .infinity
        return elementwise("clamp", { Swift.min(Swift.max($0, low), high) },
                           derivative: { x, _ in x >= low && x <= high ? 1 : 0 })
    }
}

/// `base ^ exponent` elementwise with broadcasting.
public func pow(_ base: Tensor, _ exponent: Tensor) throws -> Tensor {
    let output = try base.broadcastingMap(exponent, op: "pow") { powf($0, $1) }
    return output.recording("pow", inputs: [base, exponent]) { g in
        [base.requiresGrad ? try (g * exponent * pow(base, exponent - 1)).summed(toShape: base.shape) : nil,
         exponent.requiresGrad ? try (g * output * base.log()).summed(toShape: exponent.shape) : nil]
    }
}
