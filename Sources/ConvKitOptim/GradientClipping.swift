#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rescales gradients so their joint `normType`-norm (`.infinity` for the largest
/// magnitude) is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_`; returns the
/// norm before clipping. The gradients are replaced, not scaled in place, since a
/// gradient tensor may be shared.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float, normType: Float = 2) throws -> Float {
    guard maxNorm > 0, normType > 0 else {
        throw TensorError("clipGradNorm: maxNorm and normType must be positive, got \(maxNorm) and \(normType)")
    }
    let total = Float(jointNorm(parameters.compactMap(\.grad), order: Double(normType)))
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
        withNoGrad { for parameter in parameters { parameter.grad = parameter.grad.map { $0 * coefficient } } }
    }
    return total
}

/// The `order`-norm of all elements of `tensors` together, accumulated in double precision.
private func jointNorm(_ tensors: [Tensor], order: Double) -> Double {
    if order == .infinity {
        return tensors.reduce(0) { largest, tensor in
            tensor.withFloats { max(largest, Double($0.reduce(Float(0)) { max($0, Swift.abs($1)) })) }
        }
    }
    // The square is by far the common case; `pow` per element would dominate its cost.
    let power: (Float) -> Double = order == 2 ? { Double($0) * Double($0) } : { pow(Double(Swift.abs($0)), order) }
    let sum = tensors.reduce(0) { sum, tensor in sum + tensor.withFloats { $0.reduce(0) { $0 + power($1) } } }
    return order == 2 ? sum.squareRoot() : pow(sum, 1 / order)
}

/// Clamps every gradient element to `[-limit, limit]`, as `torch.nn.utils.clip_grad_value_`.
public func clipGradValue(_ parameters: [Tensor], limit: Float) throws {
    guard limit > 0 else { throw TensorError("clipGradValue: limit must be positive, got \(limit)") }
    withNoGrad { for parameter in parameters { parameter.grad = parameter.grad?.clamped(min: -limit, max: limit) } }
}
