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

/// Mirrors with probability `p`: left to right (torchvision's `RandomHorizontalFlip`) or
/// top to bottom (`RandomVerticalFlip`).
public struct RandomFlip: Transform {
    public enum Direction: String, Sendable {
        case horizontal, vertical
    }

    public let direction: Direction
    public let p: Float

    public init(_ direction: Direction, p: Float = 0.5) throws {
        try requireProbability(p, for: direction == .horizontal ? "hflip" : "vflip")
        (self.direction, self.p) = (direction, p)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        guard generator.nextFloat() < p else { return image }
        return direction == .horizontal ? image.flippedHorizontally() : image.flippedVertically()
    }

    public var description: String { (direction == .horizontal ? "hflip" : "vflip") + "(\(p))" }
}
