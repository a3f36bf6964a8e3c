/// Normalizes each channel: `(x - mean) / std`.
public struct Normalize: Transform {
    public let mean: [Float]
    public let std: [Float]

    /// ImageNet's statistics, as torchvision's pretrained models expect.
    public static let imagenet = Normalize(validated: [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

    public init(mean: [Float], std: [Float]) throws {
        guard !mean.isEmpty, mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
            throw TransformError("normalize: mean and std need the same number of values and std must be positive, "
                + "got \(mean) and \(std)")
        }
        self.init(validated: mean, std)
    }

    private init(validated mean: [Float], _ std: [Float]) { (self.mean, self.std) = (mean, std) }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        guard mean.count == image.channels || mean.count == 1 else {
            throw TransformError("normalize: \(mean.count) means for an image with \(image.channels) channels")
        }
        var result = image
        for c in 0..<image.channels {
            let (m, s) = mean.count == 1 ? (mean[0], std[0]) : (mean[c], std[c])
            for index in (c * image.plane)..<((c + 1) * image.plane) { result.values[index] = (result.values[index] - m) / s }
        }
        return result
    }

    public var description: String {
        "normalize(mean=" + mean.map { "\($0)" }.joined(separator: "/") + ",std=" + std.map { "\($0)" }.joined(separator: "/") + ")"
    }
}

extension Compose {
    /// `image` with this pipeline's top-level `Normalize` steps inverted, last first, so
    /// an augmented sample can be drawn in its colors.
    public func undoingNormalization(_ image: PlanarImage) -> PlanarImage {
        var result = image
        for case let normalize as Normalize in transforms.reversed() where [1, image.channels].contains(normalize.mean.count) {
            for c in 0..<image.channels {
                let (m, s) = normalize.mean.count == 1 ? (normalize.mean[0], normalize.std[0]) : (normalize.mean[c], normalize.std[c])
                for index in (c * image.plane)..<((c + 1) * image.plane) { result.values[index] = result.values[index] * s + m }
            }
        }
        return result
    }
}
