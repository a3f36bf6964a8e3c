/// Grad-CAM (Selvaraju et al., arXiv:1610.02391) on a chosen layer: channel weights are the
/// spatial mean of the objective's gradient w.r.t. the layer's activations, the map is the
/// ReLU of the weighted sum of activation channels, bilinearly upsampled to the input size.
/// Activations come from a forward hook and their gradient from ``Tensor/retainsGrad``.
public struct GradCAM: AttributionMethod {
    /// Dotted module path, e.g. `layer4.1.conv2`.
    public let layer: String
    public let objective: AttributionObjective
    /// The paper's ReLU, keeping only evidence for the class (Captum's `relu_attributions`).
    public let keepsPositiveOnly: Bool

    public init(layer: String, objective: AttributionObjective = .score, keepsPositiveOnly: Bool = true) {
        (self.layer, self.objective, self.keepsPositiveOnly) = (layer, objective, keepsPositiveOnly)
    }

    /// `[N, 1, H, W]`: the class activation map at the input's resolution.
    public func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        let module = try model.requiredModule(at: layer)
        var activations: Tensor?
        let hook = module.addForwardHook { _, _, output in
            output.retainsGrad = true
            activations = output
        }
        defer { hook.remove() }
        let gradients = try Attribution.withParametersFrozen(model) { () throws -> (Tensor, Tensor) in
            let logits = try model(input.detached().requiringGrad())
            let value = try objective.value(logits: logits, targets: Attribution.targets(logits: logits, target: target))
            guard let activations, activations.rank == 4 else {
                throw TensorError("Grad-CAM needs a layer with [N, C, H, W] output; '\(layer)' gave "
                    + (activations.map { "shape \($0.shape)" } ?? "nothing: it did not run in the forward pass"))
            }
            try value.backward()
            guard let gradient = activations.grad else { throw TensorError("the model's output does not depend on '\(layer)'") }
            return (activations, gradient)
        }
        return try withNoGrad {
            let (activations, gradient) = gradients
            let weights = try gradient.mean(axes: [2, 3], keepingDimensions: true)
            let weighted = try (weights * activations).sum(axes: [1], keepingDimensions: true)
            let map = keepsPositiveOnly ? weighted.relu() : weighted
            return try map.resized(to: (input.shape[2], input.shape[3]), mode: .bilinear(alignCorners: false))
        }
    }

}
