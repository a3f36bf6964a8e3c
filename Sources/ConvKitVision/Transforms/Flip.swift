extension PlanarImage {
    /// Mirrored left to right.
    public func flippedHorizontally() -> PlanarImage {
        var result = values
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { result in
                for row in 0..<(channels * height) {
                    let base = row * width
                    for x in 0..<width { result[base + x] = source[base + width - 1 - x] }
                }
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }

    /// Mirrored top to bottom.
    public func flippedVertically() -> PlanarImage {
        var result = values
        for c in 0..<channels {
            for y in 0..<height {
                let to = (c * height + y) * width, from = (c * height + height - 1 - y) * width
                result[to..<(to + width)] = values[from..<(from + width)]
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }
}

/// Mirrors left to right with probability `p`.
public struct RandomHorizontalFlip: Transform {
    public let p: Float

    public init(p: Float = 0.5) throws {
        try requireProbability(p, for: "hflip")
        self.p = p
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        generator.nextFloat() < p ? image.flippedHorizontally() : image
    }

    public var description: String { "hflip(\(p))" }
}

/// Mirrors top to bottom with probability `p`.
public struct RandomVerticalFlip: Transform {
    public let p: Float

    public init(p: Float = 0.5) throws {
        try requireProbability(p, for: "vflip")
        self.p = p
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        generator.nextFloat() < p ? image.flippedVertically() : image
    }

    public var description: String { "vflip(\(p))" }
}
