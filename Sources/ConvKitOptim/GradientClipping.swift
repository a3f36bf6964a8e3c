/// Rescales gradients so their joint L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping. The gradients
/// are replaced, not scaled in place, since a gradient tensor may be shared.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) throws -> Float {
    guard maxNorm > 0 else { throw TensorError("clipGradNorm: maxNorm must be positive, got \(maxNorm)") }
    let gradients = parameters.compactMap(\.grad)
    let total = gradients.reduce(Double(0)) { sum, gradient in
        sum + gradient.withFloats { $0.reduce(Double(0)) { $0 + Double($1) * Double($1) } }
    }.squareRoot()
    let coefficient = maxNorm / (Float(total) + 1e-6)
    if coefficient < 1 {
        withNoGrad { for parameter in parameters { parameter.grad = parameter.grad.map { $0 * coefficient } } }
    }
    return Float(total)
}

/// Clamps every gradient element to `[-limit, limit]`, as `torch.nn.utils.clip_grad_value_`.
public func clipGradValue(_ parameters: [Tensor], limit: Float) throws {
    guard limit > 0 else { throw TensorError("clipGradValue: limit must be positive, got \(limit)") }
    withNoGrad { for parameter in parameters { parameter.grad = parameter.grad?.clamped(min: -limit, max: limit) } }
}
