/// The gradient of the objective for the target class w.r.t. the input (Simonyan, Vedaldi
/// and Zisserman, "Deep Inside Convolutional Networks", arXiv:1312.6034). Its
/// ``AttributionMethod/saliencyMap(model:input:target:)`` is the lecture's saliency map:
/// max |gradient| across channels.
public struct VanillaSaliency: AttributionMethod {
    public let objective: AttributionObjective

    public init(objective: AttributionObjective = .loss) { self.objective = objective }

    public func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        try Attribution.inputGradient(model: model, input: input, target: target, objective: objective)
    }
}
