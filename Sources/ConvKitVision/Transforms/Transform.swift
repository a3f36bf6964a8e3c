import ConvKitData

/// One augmentation or preprocessing step on a `[C, H, W]` image.
///
/// Randomness is kept apart from the work, as torchvision v2 does (`make_params` and
/// `functional/`): a random transform draws its parameters from the generator it is
/// handed, then applies a pure kernel (an extension method on ``PlanarImage``) that is
/// tested on its own. The same generator state therefore gives the same output, which is
/// how ``AugmentationPipeline`` makes a seed reproduce an epoch exactly.
public protocol Transform: Sendable, CustomStringConvertible {
    func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage
}

/// Applies transforms in order.
public struct Compose: Transform {
    public let transforms: [any Transform]

    public init(_ transforms: [any Transform]) { self.transforms = transforms }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        try transforms.reduce(image) { try $1($0, using: &generator) }
    }

    public var description: String { transforms.map(\.description).joined(separator: ";") }
}

/// Applies `transform` with probability `p`.
public struct RandomApply: Transform {
    public let transform: any Transform
    public let p: Float

    public init(_ transform: any Transform, p: Float = 0.5) throws {
        try requireProbability(p, for: "randomapply")
        (self.transform, self.p) = (transform, p)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        generator.nextFloat() < p ? try transform(image, using: &generator) : image
    }

    public var description: String { "randomapply(\(transform),p=\(p))" }
}

/// Applies one of `transforms`, picked uniformly.
public struct RandomChoice: Transform {
    public let transforms: [any Transform]

    public init(_ transforms: [any Transform]) throws {
        guard !transforms.isEmpty else { throw TransformError("randomchoice needs at least one transform") }
        self.transforms = transforms
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        try transforms[generator.nextInt(below: transforms.count)](image, using: &generator)
    }

    public var description: String { "randomchoice(" + transforms.map(\.description).joined(separator: ",") + ")" }
}

/// A transform with a seed: sample `index` of `epoch` always gets the generator derived
/// from `(seed, epoch, index)`, whichever thread or order processes it.
public struct AugmentationPipeline: Sendable, CustomStringConvertible {
    public let transform: any Transform
    public let seed: UInt64

    public init(_ transform: any Transform, seed: UInt64) { (self.transform, self.seed) = (transform, seed) }

    /// The generator of one sample (SplitMix-style mixing of the three numbers).
    public func generator(epoch: Int, index: Int) -> RandomGenerator {
        RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03
            &+ UInt64(truncatingIfNeeded: index) &* 0x8CB9_2BA7_2F3D_8DD7)
    }

    public func callAsFunction(_ image: PlanarImage, epoch: Int, index: Int) throws -> PlanarImage {
        var generator = generator(epoch: epoch, index: index)
        return try transform(image, using: &generator)
    }

    public var description: String { transform.description }
}

/// A transform was given arguments it cannot work with.
public struct TransformError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

func requireProbability(_ p: Float, for name: String) throws {
    guard (0...1).contains(p) else { throw TransformError("\(name): probability must be in [0, 1], got \(p)") }
}

func requireRange(_ range: ClosedRange<Float>, within limits: ClosedRange<Float>, for name: String) throws {
    guard limits.contains(range.lowerBound), limits.contains(range.upperBound) else {
        throw TransformError("\(name): range \(range.lowerBound)-\(range.upperBound) must lie within "
            + "\(limits.lowerBound)-\(limits.upperBound)")
    }
}

/// Refuses, when the transform is built, an output size no image may have.
func requireImageSize(height: Int, width: Int, for name: String) throws {
    if let problem = PlanarImage.sizeProblem(height: height, width: width) { throw TransformError("\(name): \(problem)") }
}

extension RandomGenerator {
    /// Uniform in `range`.
    mutating func uniform(_ range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextFloat()
    }

    /// Uniform integer in `range`.
    mutating func integer(in range: ClosedRange<Int>) -> Int { range.lowerBound + nextInt(below: range.count) }
}

/// The pipeline as the data loader's per-example augmentation.
extension AugmentationPipeline: ExampleTransform {
    public func transform(_ values: [Float], shape: [Int], epoch: Int, index: Int) throws -> (values: [Float], shape: [Int]) {
        guard shape.count == 3 else { throw TransformError("augmentation needs [C, H, W] examples, got \(shape)") }
        let result = try self(try PlanarImage(channels: shape[0], height: shape[1], width: shape[2], values: values),
                              epoch: epoch, index: index)
        return (result.values, [result.channels, result.height, result.width])
    }
}
