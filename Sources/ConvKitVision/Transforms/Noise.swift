/// Adds Gaussian noise of `mean` and standard deviation `sigma` to every value, clamped
/// to [0, 1] (torchvision v2's `GaussianNoise`).
public struct GaussianNoise: Transform {
    public let mean: Float
    public let sigma: Float

    public init(mean: Float = 0, sigma: Float = 0.1) throws {
        guard sigma >= 0 else { throw TransformError("gaussiannoise: sigma must not be negative, got \(sigma)") }
        (self.mean, self.sigma) = (mean, sigma)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        var result = image
        for index in result.values.indices {
            result.values[index] = min(max(result.values[index] + mean + sigma * generator.nextNormal(), 0), 1)
        }
        return result
    }

    public var description: String { "noise(\(sigma),mean=\(mean))" }
}
