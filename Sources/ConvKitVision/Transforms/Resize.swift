#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How resampling weighs the source pixels.
public enum Interpolation: String, Sendable, CaseIterable {
    case nearest, bilinear, bicubic

    /// The filter's half-width at scale 1 and its weight at distance `x` (PIL's filters;
    /// bicubic uses a = -0.5 as PIL and torchvision's antialiased path do).
    var support: Double { self == .bicubic ? 2 : 1 }

    func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .nearest: return 0
        case .bilinear: return max(0, 1 - x)
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0
        }
    }
}

/// Source pixels and weights of each output position of a 1-D resample, flattened so
/// the kernel loops over plain arrays.
struct ResampleTaps {
    var first: [Int] = []
    var count: [Int] = []
    var weights: [Float] = []
    var stride = 0

    /// Antialiased when shrinking (the filter is widened by the scale factor, as PIL and
    /// torchvision do), so a downscaled photo does not alias.
    init(from input: Int, to output: Int, interpolation: Interpolation) {
        let scale = Double(input) / Double(output)
        if interpolation == .nearest {
            // PIL's NEAREST (torch's "nearest-exact"): the source pixel under the output pixel's center.
            first = (0..<output).map { min(Int((Double($0) + 0.5) * scale), input - 1) }
            count = Array(repeating: 1, count: output)
            weights = Array(repeating: 1, count: output)
            stride = 1
            return
        }
        let widening = max(scale, 1), support = interpolation.support * widening
        stride = Int((support * 2).rounded(.up)) + 2
        weights = Array(repeating: 0, count: output * stride)
        for position in 0..<output {
            let center = (Double(position) + 0.5) * scale
            let low = max(Int((center - support + 0.5).rounded(.down)), 0)
            let high = min(Int((center + support + 0.5).rounded(.down)), input)
            var taps = (low..<max(high, low + 1)).map { interpolation.weight((Double($0) + 0.5 - center) / widening) }
            let total = taps.reduce(0, +)
            if total != 0 { taps = taps.map { $0 / total } }
            first.append(min(low, input - 1))
            count.append(taps.count)
            for (offset, weight) in taps.enumerated() { weights[position * stride + offset] = Float(weight) }
        }
    }
}

extension PlanarImage {
    /// Resampled to `height` x `width`, separably: rows first, then columns.
    public func resized(height newHeight: Int, width newWidth: Int,
                        interpolation: Interpolation = .bilinear) throws -> PlanarImage {
        guard newWidth > 0, newHeight > 0 else {
            throw ImageError("cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight)")
        }
        if newWidth == width && newHeight == height { return self }
        // Rows are resampled first, into a height x newWidth intermediate.
        if let problem = Self.sizeProblem(height: newHeight, width: newWidth) ?? Self.sizeProblem(height: height, width: newWidth) {
            throw ImageError("cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight): \(problem)")
        }
        let horizontal = ResampleTaps(from: width, to: newWidth, interpolation: interpolation)
        let vertical = ResampleTaps(from: height, to: newHeight, interpolation: interpolation)
        var rows = [Float](repeating: 0, count: channels * height * newWidth)
        var result = [Float](repeating: 0, count: channels * newHeight * newWidth)
        values.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { rows in
                for line in 0..<(channels * height) {
                    let input = line * width, output = line * newWidth
                    for x in 0..<newWidth {
                        var total: Float = 0
                        let start = horizontal.first[x], tapBase = x * horizontal.stride
                        for tap in 0..<horizontal.count[x] {
                            total += horizontal.weights[tapBase + tap] * source[input + start + tap]
                        }
                        rows[output + x] = total
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { rows in
            result.withUnsafeMutableBufferPointer { result in
                for c in 0..<channels {
                    for y in 0..<newHeight {
                        let output = (c * newHeight + y) * newWidth, tapBase = y * vertical.stride
                        for tap in 0..<vertical.count[y] {
                            let weight = vertical.weights[tapBase + tap]
                            let input = (c * height + vertical.first[y] + tap) * newWidth
                            for x in 0..<newWidth { result[output + x] += weight * rows[input + x] }
                        }
                    }
                }
            }
        }
        return PlanarImage(validated: channels, newHeight, newWidth, result)
    }

    /// Scaled so the shorter side is `size`, keeping the aspect ratio (torchvision's `Resize(size)`).
    public func resized(shorterSide size: Int, interpolation: Interpolation = .bilinear) throws -> PlanarImage {
        let scale = Double(size) / Double(min(width, height))
        guard Double(size) * Double(max(width, height)) * scale <= Double(ResourceLimits.current.maxImagePixels) else {
            throw ImageError("cannot resize a \(width)x\(height) image to a shorter side of \(size): more than the limit of "
                + "\(ResourceLimits.current.maxImagePixels) pixels; raise CONVKIT_MAX_IMAGE_PIXELS if that is intended")
        }
        return width <= height
            ? try resized(height: Int(Double(height) * scale), width: size, interpolation: interpolation)
            : try resized(height: size, width: Int(Double(width) * scale), interpolation: interpolation)
    }
}

/// Resizes to a fixed size, or the shorter side to `shorterSide`.
public struct Resize: Transform {
    public enum Target: Sendable, Equatable {
        case size(height: Int, width: Int)
        case shorterSide(Int)
    }

    public let target: Target
    public let interpolation: Interpolation

    public init(_ target: Target, interpolation: Interpolation = .bilinear) throws {
        switch target {
        case .size(let height, let width) where height > 0 && width > 0:
            try requireImageSize(height: height, width: width, for: "resize")
        case .shorterSide(let side) where side > 0:
            try requireImageSize(height: side, width: side, for: "resize (the shorter side makes at least a square)")
        default: throw TransformError("resize: sizes must be positive, got \(target)")
        }
        (self.target, self.interpolation) = (target, interpolation)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        switch target {
        case .size(let height, let width): try image.resized(height: height, width: width, interpolation: interpolation)
        case .shorterSide(let side): try image.resized(shorterSide: side, interpolation: interpolation)
        }
    }

    public var description: String {
        switch target {
        case .size(let height, let width): "resize(\(height)x\(width),\(interpolation))"
        case .shorterSide(let side): "resize(\(side),\(interpolation))"
        }
    }
}

/// The same kernels on 8-bit images.
extension Image {
    /// Bilinear, antialiased when shrinking.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
        try PlanarImage(self).resized(height: newHeight, width: newWidth).image()
    }

    /// Scaled so the shorter side is `size`, keeping the aspect ratio (torchvision's `Resize(size)`).
    public func resized(shorterSide size: Int) throws -> Image {
        try PlanarImage(self).resized(shorterSide: size).image()
    }

    /// The `width` x `height` window at the center (rounded as torchvision's `CenterCrop`).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) throws -> Image {
        try PlanarImage(self).centerCropped(height: cropHeight, width: cropWidth).image()
    }
}
