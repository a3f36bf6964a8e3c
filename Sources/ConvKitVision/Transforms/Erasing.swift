#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PlanarImage {
    /// The window filled with `value` in every channel.
    public func erased(top: Int, left: Int, height eraseHeight: Int, width eraseWidth: Int, value: Float) -> PlanarImage {
        var result = self
        let rows = max(top, 0)..<min(top + eraseHeight, height), columns = max(left, 0)..<min(left + eraseWidth, width)
        for c in 0..<channels {
            for y in rows { for x in columns { result.values[(c * height + y) * width + x] = value } }
        }
        return result
    }
}

/// With probability `p`, erases a random rectangle of random area (fraction `scale`) and
/// aspect ratio (torchvision's `RandomErasing`, Zhong et al. 2017, arXiv:1708.04896).
public struct RandomErasing: Transform {
    public let p: Float
    public let scale: ClosedRange<Float>
    public let ratio: ClosedRange<Float>
    public let value: Float

    public init(p: Float = 0.5, scale: ClosedRange<Float> = 0.02...0.33, ratio: ClosedRange<Float> = 0.3...3.3,
                value: Float = 0) throws {
        try requireProbability(p, for: "randomerasing")
        try requireRange(scale, within: 0...1, for: "randomerasing scale")
        guard ratio.lowerBound > 0 else { throw TransformError("randomerasing: ratio must be positive") }
        (self.p, self.scale, self.ratio, self.value) = (p, scale, ratio, value)
    }

    /// The rectangle, or nil when ten tries found none that fits (torchvision's `get_params`).
    public func window(imageHeight: Int, imageWidth: Int, using generator: inout RandomGenerator)
        -> (top: Int, left: Int, height: Int, width: Int)? {
        let area = Float(imageHeight * imageWidth), logRatio = logf(ratio.lowerBound)...logf(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * generator.uniform(scale), aspect = expf(generator.uniform(logRatio))
            let h = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if h < imageHeight && w < imageWidth && h > 0 && w > 0 {
                return (generator.integer(in: 0...(imageHeight - h)), generator.integer(in: 0...(imageWidth - w)), h, w)
            }
        }
        return nil
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        guard generator.nextFloat() < p,
              let box = window(imageHeight: image.height, imageWidth: image.width, using: &generator) else { return image }
        return image.erased(top: box.top, left: box.left, height: box.height, width: box.width, value: value)
    }

    public var description: String {
        "erasing(p=\(p),scale=\(scale.lowerBound)-\(scale.upperBound),ratio=\(ratio.lowerBound)-\(ratio.upperBound),value=\(value))"
    }
}
