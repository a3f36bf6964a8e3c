#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PlanarImage {
    /// Convolved with a separable Gaussian of `kernelSize` taps (odd) and `sigma`, with
    /// reflected borders (torchvision's `gaussian_blur`).
    public func blurred(kernelSize: Int, sigma: Float) throws -> PlanarImage {
        guard kernelSize > 0, kernelSize % 2 == 1, sigma > 0 else {
            throw ImageError("Gaussian blur needs an odd positive kernel size and positive sigma, "
                + "got \(kernelSize) and \(sigma)")
        }
        let half = kernelSize / 2
        guard half < height, half < width else {
            throw ImageError("a \(kernelSize)-tap blur needs an image larger than \(half) pixels, got \(width)x\(height)")
        }
        var taps = (0..<kernelSize).map { expf(-0.5 * powf(Float($0 - half) / sigma, 2)) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        let columns = (-half..<(width + half)).map { PaddingMode.reflect.sourceIndex($0, size: width) ?? 0 }
        let rows = (-half..<(height + half)).map { PaddingMode.reflect.sourceIndex($0, size: height) ?? 0 }
        var horizontal = [Float](repeating: 0, count: values.count)
        var result = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { horizontal in
                for line in 0..<(channels * height) {
                    let base = line * width
                    for x in 0..<width {
                        var sum: Float = 0
                        for tap in 0..<kernelSize { sum += taps[tap] * source[base + columns[x + tap]] }
                        horizontal[base + x] = sum
                    }
                }
            }
        }
        horizontal.withUnsafeBufferPointer { horizontal in
            result.withUnsafeMutableBufferPointer { result in
                for c in 0..<channels {
                    for y in 0..<height {
                        let output = (c * height + y) * width
                        for tap in 0..<kernelSize {
                            let weight = taps[tap], input = (c * height + rows[y + tap]) * width
                            for x in 0..<width { result[output + x] += weight * horizontal[input + x] }
                        }
                    }
                }
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }
}

/// Blurs with a Gaussian whose sigma is drawn uniformly from `sigma`.
public struct GaussianBlur: Transform {
    public let kernelSize: Int
    public let sigma: ClosedRange<Float>

    public init(kernelSize: Int, sigma: ClosedRange<Float> = 0.1...2) throws {
        guard kernelSize > 0, kernelSize % 2 == 1 else {
            throw TransformError("gaussianblur: kernel size must be odd and positive, got \(kernelSize)")
        }
        guard sigma.lowerBound > 0 else { throw TransformError("gaussianblur: sigma must be positive") }
        (self.kernelSize, self.sigma) = (kernelSize, sigma)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        try image.blurred(kernelSize: kernelSize, sigma: generator.uniform(sigma))
    }

    public var description: String { "gaussianblur(\(kernelSize),sigma=\(sigma.lowerBound)-\(sigma.upperBound))" }
}
