#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `padded` fills the border (torchvision's `padding_mode`).
public enum PaddingMode: String, Sendable, CaseIterable {
    /// A constant fill value.
    case constant
    /// Repeats the edge pixel.
    case edge
    /// Mirrors without repeating the edge (`[2 1 | 1 2 3 | 2 1]` → `3 2 | 1 2 3 | 2 1`).
    case reflect
    /// Mirrors including the edge.
    case symmetric

    /// The source index of `index`, which may lie outside `0..<size` (nil: use the fill).
    func sourceIndex(_ index: Int, size: Int) -> Int? {
        if (0..<size).contains(index) { return index }
        switch self {
        case .constant: return nil
        case .edge: return min(max(index, 0), size - 1)
        case .reflect:
            guard size > 1 else { return 0 }
            let period = 2 * (size - 1), folded = ((index % period) + period) % period
            return folded < size ? folded : period - folded
        case .symmetric:
            let period = 2 * size, folded = ((index % period) + period) % period
            return folded < size ? folded : period - 1 - folded
        }
    }
}

extension PlanarImage {
    /// The `height` x `width` window whose top-left corner is (`top`, `left`); parts outside
    /// the image are taken by `padding` (zeros by default, as torchvision's `crop`).
    public func cropped(top: Int, left: Int, height cropHeight: Int, width cropWidth: Int,
                        padding: PaddingMode = .constant, fill: Float = 0) throws -> PlanarImage {
        guard cropHeight > 0, cropWidth > 0 else {
            throw ImageError("cannot crop \(cropWidth)x\(cropHeight) from a \(width)x\(height) image")
        }
        if let problem = Self.sizeProblem(height: cropHeight, width: cropWidth) {
            throw ImageError("cannot crop or pad a \(width)x\(height) image to \(problem)")
        }
        if padding == .reflect && (top < -(height - 1) || left < -(width - 1)
            || top + cropHeight > 2 * height - 1 || left + cropWidth > 2 * width - 1) {
            throw ImageError("reflect padding needs the padding to be smaller than the \(width)x\(height) image")
        }
        // Columns inside the image are copied as a run; only the border goes through `sourceIndex`.
        let inner = max(0, -left)..<max(max(0, -left), min(cropWidth, width - left))
        let border = (0..<cropWidth).filter { !inner.contains($0) }.map { ($0, padding.sourceIndex(left + $0, size: width)) }
        var result = [Float](repeating: fill, count: channels * cropHeight * cropWidth)
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { result in
                for c in 0..<channels {
                    for y in 0..<cropHeight {
                        guard let row = padding.sourceIndex(top + y, size: height) else { continue }
                        let input = (c * height + row) * width, output = (c * cropHeight + y) * cropWidth
                        for x in inner { result[output + x] = source[input + left + x] }
                        for (x, column) in border { if let column { result[output + x] = source[input + column] } }
                    }
                }
            }
        }
        return PlanarImage(validated: channels, cropHeight, cropWidth, result)
    }

    /// Padded by `left`, `top`, `right` and `bottom` pixels.
    public func padded(left: Int, top: Int, right: Int, bottom: Int, mode: PaddingMode = .constant,
                       fill: Float = 0) throws -> PlanarImage {
        try cropped(top: -top, left: -left, height: height + top + bottom, width: width + left + right,
                    padding: mode, fill: fill)
    }

    /// The window at the center, rounded as torchvision's `CenterCrop` (Python's `round`,
    /// half to even); a crop larger than the image is zero-padded, as there.
    public func centerCropped(height cropHeight: Int, width cropWidth: Int) throws -> PlanarImage {
        let top = Int((Double(height - cropHeight) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(width - cropWidth) / 2).rounded(.toNearestOrEven))
        return try cropped(top: top, left: left, height: cropHeight, width: cropWidth)
    }
}

/// Crops the center window.
public struct CenterCrop: Transform {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) throws {
        guard height > 0, width > 0 else { throw TransformError("centercrop: sizes must be positive") }
        try requireImageSize(height: height, width: width, for: "centercrop")
        (self.height, self.width) = (height, width)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        try image.centerCropped(height: height, width: width)
    }

    public var description: String { "centercrop(\(height)x\(width))" }
}

/// Pads by `padding` on every side, then crops a random `height` x `width` window
/// (torchvision's `RandomCrop`, with `pad_if_needed` for images smaller than the crop).
public struct RandomCrop: Transform {
    public let height: Int
    public let width: Int
    public let padding: Int
    public let mode: PaddingMode
    public let fill: Float

    public init(height: Int, width: Int, padding: Int = 0, mode: PaddingMode = .constant, fill: Float = 0) throws {
        guard height > 0, width > 0, padding >= 0 else {
            throw TransformError("randomcrop: sizes must be positive and padding not negative")
        }
        try requireImageSize(height: height, width: width, for: "randomcrop")
        try requireImageSize(height: padding, width: 1, for: "randomcrop padding")
        (self.height, self.width, self.padding, self.mode, self.fill) = (height, width, padding, mode, fill)
    }

    /// The window's top-left corner in padded coordinates (the random part).
    public func corner(imageHeight: Int, imageWidth: Int, using generator: inout RandomGenerator) -> (top: Int, left: Int) {
        let rows = max(imageHeight + 2 * padding - height, 0), columns = max(imageWidth + 2 * padding - width, 0)
        return (generator.integer(in: 0...rows), generator.integer(in: 0...columns))
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        let (top, left) = corner(imageHeight: image.height, imageWidth: image.width, using: &generator)
        // A smaller image is padded at the bottom/right up to the crop, as pad_if_needed does.
        return try image.cropped(top: top - padding, left: left - padding, height: height, width: width,
                                 padding: mode, fill: fill)
    }

    public var description: String { "randomcrop(\(height)x\(width),padding=\(padding),mode=\(mode.rawValue))" }
}

/// Crops a random window of random area and aspect ratio, then resizes it to the target
/// size (torchvision's `RandomResizedCrop`, the Inception-style crop).
public struct RandomResizedCrop: Transform {
    public let height: Int
    public let width: Int
    public let scale: ClosedRange<Float>
    public let ratio: ClosedRange<Float>
    public let interpolation: Interpolation

    public init(height: Int, width: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = 0.75...(4 / 3),
                interpolation: Interpolation = .bilinear) throws {
        guard height > 0, width > 0 else { throw TransformError("randomresizedcrop: sizes must be positive") }
        try requireImageSize(height: height, width: width, for: "randomresizedcrop")
        try requireRange(scale, within: 0.0001...1, for: "randomresizedcrop scale")
        guard ratio.lowerBound > 0 else { throw TransformError("randomresizedcrop: ratio must be positive") }
        (self.height, self.width, self.scale, self.ratio, self.interpolation) = (height, width, scale, ratio, interpolation)
    }

    /// The window (torchvision's `get_params`: ten tries, then a center crop at the nearest allowed ratio).
    public func window(imageHeight: Int, imageWidth: Int, using generator: inout RandomGenerator)
        -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Float(imageHeight * imageWidth)
        let logRatio = logf(ratio.lowerBound)...logf(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * generator.uniform(scale)
            let aspect = expf(generator.uniform(logRatio))
            let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if 0 < w && w <= imageWidth && 0 < h && h <= imageHeight {
                return (generator.integer(in: 0...(imageHeight - h)), generator.integer(in: 0...(imageWidth - w)), h, w)
            }
        }
        let inputRatio = Float(imageWidth) / Float(imageHeight)
        var (h, w) = (imageHeight, imageWidth)
        if inputRatio < ratio.lowerBound {
            h = Int((Float(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inputRatio > ratio.upperBound {
            w = Int((Float(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return ((imageHeight - h) / 2, (imageWidth - w) / 2, h, w)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        let window = window(imageHeight: image.height, imageWidth: image.width, using: &generator)
        return try image.cropped(top: window.top, left: window.left, height: window.height, width: window.width)
            .resized(height: height, width: width, interpolation: interpolation)
    }

    public var description: String {
        "randomresizedcrop(\(height)x\(width),scale=\(scale.lowerBound)-\(scale.upperBound),"
            + "ratio=\(ratio.lowerBound)-\(ratio.upperBound))"
    }
}
