/// Guided backpropagation (Springenberg et al., "Striving for Simplicity", arXiv:1412.6806):
/// the input gradient with every ReLU passing back only positive gradients, and only where
/// its input was positive. The switch is ``GradMode/rectifierGradient``, set for this
/// backward pass only, so the model is not modified.
public struct GuidedBackprop: AttributionMethod {
    public let objective: AttributionObjective

    public init(objective: AttributionObjective = .loss) { self.objective = objective }

    public func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        try Attribution.inputGradient(model: model, input: input, target: target, objective: objective, rectifierGradient: .guided)
    }
}
