/// SmoothGrad (Smilkov et al., arXiv:1706.03825), a noise tunnel around another method: the
/// mean of its attributions over `samples` copies of the input with Gaussian noise of
/// standard deviation `sigma × (max - min)` of that input row. Every copy explains the class
/// predicted for the clean input, and the noise comes from a seeded generator, so results
/// repeat exactly.
public struct SmoothGrad: AttributionMethod {
    public let base: any AttributionMethod
    public let samples: Int
    public let sigma: Float
    public let seed: UInt64

    public init(_ base: any AttributionMethod = VanillaSaliency(), samples: Int = 25, sigma: Float = 0.15,
                seed: UInt64 = 0) throws {
        guard samples > 0, sigma >= 0 else {
            throw TensorError("SmoothGrad needs at least one sample and a non-negative sigma; got samples \(samples), "
                + "sigma \(sigma)")
        }
        (self.base, self.samples, self.sigma, self.seed) = (base, samples, sigma, seed)
    }

    public func attribute(model: Module, input: Tensor, target: Int?) throws -> Tensor {
        let targets = try Attribution.targets(model: model, input: input, target: target)
        var generator = RandomGenerator(seed: seed)
        let rows = try targets.indices.map { row -> Tensor in
            let clean = try input.sliced(axis: 0, start: row, end: row + 1).contiguous()
            let values = clean.scalars
            let spread = sigma * ((values.max() ?? 0) - (values.min() ?? 0))
            let attributions = try (0..<samples).map { _ in
                try base.attribute(model: model, input: try clean + Tensor.normal(clean.shape, std: spread, using: &generator),
                                   target: targets[row])
            }
            let total = try attributions.dropFirst().reduce(attributions[0]) { try $0 + $1 }
            return total / Float(samples)
        }
        return try Tensor.concatenate(rows, axis: 0)
    }
}
