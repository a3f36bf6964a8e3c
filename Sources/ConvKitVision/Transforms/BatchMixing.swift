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
    func callAsFunction(images: Tensor, labels: Tensor, classes: Int,
                        using generator: inout RandomGenerator) throws -> (images: Tensor, targets: Tensor)
}

/// MixUp (Zhang et al. 2018, arXiv:1710.09412): `λ x + (1 - λ) x'` with λ ~ Beta(α, α), targets mixed alike.
public struct MixUp: BatchMixing {
    public let alpha: Float

    public init(alpha: Float = 0.2) throws {
        guard alpha > 0 else { throw TransformError("mixup: alpha must be positive, got \(alpha)") }
        self.alpha = alpha
    }

    public func callAsFunction(images: Tensor, labels: Tensor, classes: Int,
                               using generator: inout RandomGenerator) throws -> (images: Tensor, targets: Tensor) {
        let (values, batch) = try mixingInputs(images, labels)
        let lambda = generator.beta(alpha)
        let size = values.count / batch
        var mixed = values
        for example in 0..<batch {
            let partner = (example + batch - 1) % batch
            for offset in 0..<size {
                mixed[example * size + offset] = lambda * values[example * size + offset]
                    + (1 - lambda) * values[partner * size + offset]
            }
        }
        return (Tensor(mixed, shape: images.shape), try mixedTargets(labels, classes: classes, lambda: lambda))
    }

    public var description: String { "mixup(\(alpha))" }
}

/// CutMix (Yun et al. 2019, arXiv:1905.04899): pastes a box of the neighbour's image whose
/// area is about `1 - λ` of the image, λ ~ Beta(α, α); targets are mixed by the box's exact area.
public struct CutMix: BatchMixing {
    public let alpha: Float

    public init(alpha: Float = 1) throws {
        guard alpha > 0 else { throw TransformError("cutmix: alpha must be positive, got \(alpha)") }
        self.alpha = alpha
    }

    public func callAsFunction(images: Tensor, labels: Tensor, classes: Int,
                               using generator: inout RandomGenerator) throws -> (images: Tensor, targets: Tensor) {
        let (values, batch) = try mixingInputs(images, labels)
        let (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3])
        let lambda = generator.beta(alpha)
        let centerX = generator.nextInt(below: width), centerY = generator.nextInt(below: height)
        let half = 0.5 * (1 - lambda).squareRoot()
        let halfWidth = Int(half * Float(width)), halfHeight = Int(half * Float(height))
        let columns = max(centerX - halfWidth, 0)..<min(centerX + halfWidth, width)
        let rows = max(centerY - halfHeight, 0)..<min(centerY + halfHeight, height)
        var mixed = values
        let size = channels * height * width
        for example in 0..<batch {
            let partner = (example + batch - 1) % batch
            for c in 0..<channels {
                for y in rows {
                    for x in columns {
                        let offset = (c * height + y) * width + x
                        mixed[example * size + offset] = values[partner * size + offset]
                    }
                }
            }
        }
        let kept = 1 - Float(rows.count * columns.count) / Float(height * width)
        return (Tensor(mixed, shape: images.shape), try mixedTargets(labels, classes: classes, lambda: kept))
    }

    public var description: String { "cutmix(\(alpha))" }
}

private func mixingInputs(_ images: Tensor, _ labels: Tensor) throws -> (values: [Float], batch: Int) {
    guard images.rank == 4, labels.shape == [images.shape[0]] else {
        throw TransformError("batch mixing needs images [B, C, H, W] and labels [B], got \(images.shape) and \(labels.shape)")
    }
    return (images.scalars, images.shape[0])
}

/// `λ one_hot(y) + (1 - λ) one_hot(y')` with y' the labels rolled by one.
private func mixedTargets(_ labels: Tensor, classes: Int, lambda: Float) throws -> Tensor {
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
