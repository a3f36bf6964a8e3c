#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A transform of a whole batch that mixes examples and their labels, giving soft targets
/// `[B, classes]` for ``crossEntropy(_:probabilities:reduction:)``.
///
/// Each example is mixed with its neighbour in the batch (the batch rolled by one, as
/// torchvision v2 does), which is as random as the loader's shuffled order.
public protocol BatchMixing: Sendable, CustomStringConvertible {
    /// λ ~ Beta(α, α).
    var alpha: Float { get }
    /// Mixes `images` (`[B, C, H, W]` values) with their neighbours for a drawn λ and
    /// returns the fraction of each result that is its own example.
    func mix(_ images: inout [Float], shape: [Int], lambda: Float, using generator: inout RandomGenerator) -> Float
}

extension BatchMixing {
    /// Mixed images and the matching target probabilities.
    public func callAsFunction(images: Tensor, labels: Tensor, classes: Int,
                               using generator: inout RandomGenerator) throws -> (images: Tensor, targets: Tensor) {
        guard images.rank == 4, labels.shape == [images.shape[0]] else {
            throw TransformError("batch mixing needs images [B, C, H, W] and labels [B], got \(images.shape) and \(labels.shape)")
        }
        var values = images.scalars
        let kept = mix(&values, shape: images.shape, lambda: generator.beta(alpha), using: &generator)
        return (Tensor(values, shape: images.shape), try mixedTargets(labels, classes: classes, kept: kept))
    }
}

/// MixUp (Zhang et al. 2018, arXiv:1710.09412): `λ x + (1 - λ) x'` with λ ~ Beta(α, α), targets mixed alike.
public struct MixUp: BatchMixing {
    public let alpha: Float

    public init(alpha: Float = 0.2) throws { self.alpha = try positiveAlpha(alpha, for: "mixup") }

    public func mix(_ images: inout [Float], shape: [Int], lambda: Float, using generator: inout RandomGenerator) -> Float {
        let original = images, batch = shape[0], size = images.count / batch
        for example in 0..<batch {
            let partner = (example + batch - 1) % batch
            for offset in 0..<size {
                images[example * size + offset] = lambda * original[example * size + offset]
                    + (1 - lambda) * original[partner * size + offset]
            }
        }
        return lambda
    }

    public var description: String { "mixup(\(alpha))" }
}

/// CutMix (Yun et al. 2019, arXiv:1905.04899): pastes a box of the neighbour's image whose
/// area is about `1 - λ` of the image, λ ~ Beta(α, α); targets are mixed by the box's exact area.
public struct CutMix: BatchMixing {
    public let alpha: Float

    public init(alpha: Float = 1) throws { self.alpha = try positiveAlpha(alpha, for: "cutmix") }

    public func mix(_ images: inout [Float], shape: [Int], lambda: Float, using generator: inout RandomGenerator) -> Float {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let centerX = generator.nextInt(below: width), centerY = generator.nextInt(below: height)
        let half = 0.5 * (1 - lambda).squareRoot()
        let halfWidth = Int(half * Float(width)), halfHeight = Int(half * Float(height))
        let columns = max(centerX - halfWidth, 0)..<min(centerX + halfWidth, width)
        let rows = max(centerY - halfHeight, 0)..<min(centerY + halfHeight, height)
        let original = images, size = channels * height * width
        for example in 0..<batch {
            let partner = (example + batch - 1) % batch
            for c in 0..<channels {
                for y in rows {
                    for x in columns {
                        let offset = (c * height + y) * width + x
                        images[example * size + offset] = original[partner * size + offset]
                    }
                }
            }
        }
        return 1 - Float(rows.count * columns.count) / Float(height * width)
    }

    public var description: String { "cutmix(\(alpha))" }
}

private func positiveAlpha(_ alpha: Float, for name: String) throws -> Float {
    guard alpha > 0 else { throw TransformError("\(name): alpha must be positive, got \(alpha)") }
    return alpha
}

/// `λ one_hot(y) + (1 - λ) one_hot(y')` with y' the labels rolled by one.
private func mixedTargets(_ labels: Tensor, classes: Int, kept lambda: Float) throws -> Tensor {
    let values = labels.integers, batch = values.count
    var targets = [Float](repeating: 0, count: batch * classes)
    for (example, label) in values.enumerated() {
        let partner = values[(example + batch - 1) % batch]
        guard (0..<classes).contains(label) else {
            throw TransformError("label \(label) is outside the \(classes) classes")
        }
        targets[example * classes + label] += lambda
        targets[example * classes + partner] += 1 - lambda
    }
    return Tensor(targets, shape: [batch, classes])
}

extension RandomGenerator {
    /// Beta(α, α), as the ratio of two Gamma(α) draws.
    mutating func beta(_ alpha: Float) -> Float {
        let x = gamma(alpha), y = gamma(alpha)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// Gamma(α, 1) by Marsaglia and Tsang's method (boosted for α < 1).
    mutating func gamma(_ alpha: Float) -> Float {
        if alpha < 1 {
            var u: Float
            repeat { u = nextFloat() } while u == 0
            return gamma(alpha + 1) * powf(u, 1 / alpha)
        }
        let d = alpha - 1 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = nextNormal(), v = powf(1 + c * x, 3)
            guard v > 0 else { continue }
            let u = nextFloat()
            if logf(max(u, .leastNormalMagnitude)) < 0.5 * x * x + d - d * v + d * logf(v) { return d * v }
        }
    }
}
