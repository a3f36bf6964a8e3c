/// Integrated Gradients (Sundararajan, Taly and Yan, "Axiomatic Attribution for Deep
/// Networks", arXiv:1703.01365): `(x - baseline) × ∫₀¹ ∇f(baseline + α (x - baseline)) dα`,
/// the integral taken with the midpoint rule over `steps` points, `batchSize` of them per
/// forward pass. Completeness: the attributions sum to `f(x) - f(baseline)`, up to the
/// quadrature error, which more steps shrink.
public struct IntegratedGradients: AttributionMethod {
    public let objective: AttributionObjective
    public let steps: Int
    public let batchSize: Int
    /// `[1, C, H, W]` or the input's shape; `nil` is the all-zeros (black, after normalization: mean) input.
    public let baseline: Tensor?

    public init(objective: AttributionObjective = .loss, steps: Int = 50, batchSize: Int = 10, baseline: Tensor? = nil) throws {
        guard steps > 0, batchSize > 0 else {
            throw TensorError("Integrated Gradients needs positive steps and batch size; got \(steps) and \(batchSize)")
        }
        (self.objective, self.steps, self.batchSize, self.baseline) = (objective, steps, batchSize, baseline)
    }

    public func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        let targets = try Attribution.targets(model: model, input: input, target: target)
        let rows = try targets.indices.map { row -> Tensor in
            let x = try input.sliced(axis: 0, start: row, end: row + 1)
            let start = try baselineRow(row, like: x)
            let path = try x - start
            var gradientSum = Tensor.zeros(x.shape)
            for first in stride(from: 0, to: steps, by: batchSize) {
                let alphas = (first..<Swift.min(first + batchSize, steps)).map { (Float($0) + 0.5) / Float(steps) }
                let points = try Tensor.concatenate(try alphas.map { try start + path * $0 }, axis: 0)
                let gradients = try Attribution.inputGradient(model: model, input: points, target: targets[row],
                                                              objective: objective)
                gradientSum = try gradientSum + gradients.sum(axes: [0], keepingDimensions: true)
            }
            return try path * gradientSum / Float(steps)
        }
        return try Tensor.concatenate(rows, axis: 0)
    }

    /// The objective at `input` and at the baseline, per row: completeness says the
    /// attributions of a row sum to their difference.
    public func objectiveDifference(model: Module, input: Tensor, target: Int?) throws -> [Float] {
        let targets = try Attribution.targets(model: model, input: input, target: target)
        return try targets.indices.map { row in
            let x = try input.sliced(axis: 0, start: row, end: row + 1)
            let both = try Tensor.concatenate([x, try baselineRow(row, like: x)], axis: 0)
            let logits = try withNoGrad { try model(both) }
            let atInput = try objective.value(logits: logits.sliced(axis: 0, start: 0, end: 1), targets: [targets[row]])
            let atBaseline = try objective.value(logits: logits.sliced(axis: 0, start: 1, end: 2), targets: [targets[row]])
            return atInput.item - atBaseline.item
        }
    }

    private func baselineRow(_ row: Int, like x: Tensor) throws -> Tensor {
        guard let baseline else { return Tensor.zeros(x.shape) }
        guard baseline.rank == 4, Array(baseline.shape.dropFirst()) == Array(x.shape.dropFirst()) else {
            throw TensorError("the Integrated Gradients baseline must be [1 or N, \(x.shape[1...].map(String.init).joined(separator: ", "))], "
                + "got shape \(baseline.shape)")
        }
        return try baseline.sliced(axis: 0, start: baseline.shape[0] == 1 ? 0 : row, end: (baseline.shape[0] == 1 ? 0 : row) + 1)
    }
}
