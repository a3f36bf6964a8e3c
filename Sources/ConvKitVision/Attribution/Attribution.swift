/// What an attribution differentiates for the target class.
public enum AttributionObjective: String, Sendable, CaseIterable {
    /// The cross-entropy loss of the target class, as the lecture's saliency map. It is
    /// differentiated with its sign flipped (the target's log-probability), so that positive
    /// attributions support the target in every method; saliency maps take |gradient|, so the
    /// sign does not change them.
    case loss
    /// The target's raw logit, as Simonyan et al. and Grad-CAM use.
    case score
}

/// A way of explaining a classifier's output for an input, with one call shape for every
/// method (Captum's `attribute(inputs, target=)`).
///
/// The model should be in evaluation mode. Its parameters are left as they were: no
/// gradients accumulate in them.
public protocol AttributionMethod {
    /// Attributions for `input [N, C, H, W]` towards class `target` (default: each row's
    /// predicted class): `[N, C, H, W]` like the input for gradient methods, `[N, 1, H, W]`
    /// for Grad-CAM.
    func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor
}

extension AttributionMethod {
    /// The `[N, H, W]` map to draw: max |attribution| over channels, as the lecture's saliency map.
    public func saliencyMap(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        try Attribution.saliencyMap(try attribute(model: model, input: input, target: target))
    }
}

/// Helpers shared by the attribution methods.
public enum Attribution {
    /// Max |attribution| over the channel axis: `[N, C, H, W]` → `[N, H, W]`.
    public static func saliencyMap(_ attributions: Tensor) throws -> Tensor {
        guard attributions.rank == 4 else {
            throw TensorError("a saliency map needs [N, C, H, W] attributions, got shape \(attributions.shape)")
        }
        return try withNoGrad { try attributions.abs().max(axis: 1) }
    }

    /// The class each input row is explained for: `target` for every row, or the row's prediction.
    static func targets(model: Module, input: Tensor, target: Int?) throws -> [Int] {
        let logits = try withNoGrad { try model(input) }
        return try targets(logits: logits, target: target)
    }

    static func targets(logits: Tensor, target: Int?) throws -> [Int] {
        guard logits.rank == 2 else {
            throw TensorError("attribution needs a classifier with [N, classes] output, got shape \(logits.shape)")
        }
        guard let target else { return try logits.argmax(axis: 1).integers }
        guard (0..<logits.shape[1]).contains(target) else {
            throw TensorError("target class \(target) is out of range: the model has \(logits.shape[1]) classes (0..<\(logits.shape[1]))")
        }
        return Array(repeating: target, count: logits.shape[0])
    }

    /// Gradient of the summed objective w.r.t. `input` (rows are independent in evaluation
    /// mode) for class `target`, or for each row's prediction.
    static func inputGradient(model: Module, input: Tensor, target: Int?, objective: AttributionObjective,
                              rectifierGradient: RectifierGradient = .exact) throws -> Tensor {
        try withParametersFrozen(model) {
            let x = input.detached().requiringGrad()
            let logits = try model(x)
            let value = try objective.value(logits: logits, targets: targets(logits: logits, target: target))
            try GradMode.$rectifierGradient.withValue(rectifierGradient) { try value.backward() }
            guard let gradient = x.grad else { throw TensorError("the model's output does not depend on its input") }
            return gradient
        }
    }

    /// Runs `body` with every parameter of `model` excluded from autodiff, so attribution
    /// neither computes nor accumulates weight gradients; restores the flags afterwards.
    static func withParametersFrozen<R>(_ model: Module, _ body: () throws -> R) rethrows -> R {
        let parameters = model.namedParameters().map(\.1)
        let flags = parameters.map(\.requiresGrad)
        for parameter in parameters { parameter.requiresGrad = false }
        defer { for (parameter, flag) in zip(parameters, flags) { parameter.requiresGrad = flag } }
        return try body()
    }
}

extension AttributionObjective {
    /// The objective summed over rows, row `i` for class `targets[i]`.
    func value(logits: Tensor, targets: [Int]) throws -> Tensor {
        guard logits.rank == 2, targets.count == logits.shape[0] else {
            throw TensorError("attribution: \(targets.count) targets for logits of shape \(logits.shape)")
        }
        switch self {
        case .loss:
            return -(try crossEntropy(logits, targets: Tensor(integers: targets), reduction: .sum))
        case .score:
            let classes = logits.shape[1]
            var selection = [Float](repeating: 0, count: logits.count)
            for (row, target) in targets.enumerated() { selection[row * classes + target] = 1 }
            return try (logits * Tensor(selection, shape: logits.shape)).sum()
        }
    }
}
