/// One recorded operation: the inputs it read and how to turn the gradient of its
/// output into gradients of those inputs.
final class GradFunction {
    let name: String
    let inputs: [Tensor]
    /// Maps the output gradient to one gradient per input (`nil` where an input
    /// needs none). Each returned gradient has exactly that input's shape.
    let backward: (Tensor) throws -> [Tensor?]

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches the backward rule of the operation that produced `self`.
    ///
    /// Nothing is recorded in a no-grad scope or when no input requires a gradient
    /// (frozen parameters, plain data), so inference pays nothing for autodiff.
    func recording(_ name: String, inputs: [Tensor],
                   backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return self }
        requiresGrad = true
        gradFunction = GradFunction(name: name, inputs: inputs, backward: backward)
        return self
    }

    /// The operation that produced this tensor, e.g. `"conv2d"`; `nil` for leaves.
    public var gradFunctionName: String? { gradFunction?.name }
}
