#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parameters of one affine map about the image center (torchvision's `F.affine`).
public struct AffineParameters: Sendable, Equatable {
    /// Degrees, clockwise on screen.
    public var angle: Float = 0
    /// Pixels right and down.
    public var translation: (x: Int, y: Int) = (0, 0)
    public var scale: Float = 1
    /// Degrees along x and y.
    public var shear: (x: Float, y: Float) = (0, 0)

    public init(angle: Float = 0, translation: (x: Int, y: Int) = (0, 0), scale: Float = 1,
                shear: (x: Float, y: Float) = (0, 0)) {
        (self.angle, self.translation, self.scale, self.shear) = (angle, translation, scale, shear)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.angle == b.angle && a.translation == b.translation && a.scale == b.scale && a.shear == b.shear
    }

    /// Output → input map in center-relative pixel coordinates (`_get_inverse_affine_matrix`).
    func inverseMatrix() -> [Double] {
        let rotation = Double(angle) * .pi / 180, sx = Double(shear.x) * .pi / 180, sy = Double(shear.y) * .pi / 180
        let (tx, ty) = (Double(translation.x), Double(translation.y))
        let a = cos(rotation - sy) / cos(sy)
        let b = -cos(rotation - sy) * tan(sx) / cos(sy) - sin(rotation)
        let c = sin(rotation - sy) / cos(sy)
        let d = -sin(rotation - sy) * tan(sx) / cos(sy) + cos(rotation)
        var m = [d, -b, 0, -c, a, 0].map { $0 / Double(scale) }
        m[2] += m[0] * -tx + m[1] * -ty
        m[5] += m[3] * -tx + m[4] * -ty
        return m
    }
}

/// `x` rounded half to even, as `grid_sample`'s `nearbyint`, without a libm call: adding
/// and removing 1.5 · 2^52 leaves no fraction bits, and the FPU's default rounding is half to even.
@inline(__always)
private func roundedHalfEven(_ x: Double) -> Double {
    let magic = 6_755_399_441_055_744.0
    return (x + magic) - magic
}

extension PlanarImage {
    /// Rotated, translated, scaled and sheared about the center; pixels from outside
    /// become `fill` (torchvision's tensor `affine`: `grid_sample` with a fill mask).
    public func transformedAffine(_ parameters: AffineParameters, interpolation: Interpolation = .nearest,
                                  fill: Float = 0) throws -> PlanarImage {
        guard interpolation != .bicubic else { throw ImageError("affine supports nearest and bilinear interpolation") }
        let m = parameters.inverseMatrix()
        // A degenerate map (shear near 90°, scale near 0) samples from far outside: all fill.
        // Bounded entries keep every coordinate below 2^51, where the rounding and Int conversions are exact.
        guard m.allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else {
            return PlanarImage(channels: channels, height: height, width: width, filledWith: fill)
        }
        var result = [Float](repeating: 0, count: values.count)
        let (halfWidth, halfHeight) = (Double(width) / 2, Double(height) / 2)
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { result in
                for y in 0..<height {
                    let yc = Double(y) + 0.5 - halfHeight
                    let rowX = m[1] * yc + m[2] + halfWidth - 0.5, rowY = m[4] * yc + m[5] + halfHeight - 0.5
                    for x in 0..<width {
                        let xc = Double(x) + 0.5 - halfWidth
                        let px = m[0] * xc + rowX, py = m[3] * xc + rowY
                        let pixel = y * width + x
                        if interpolation == .nearest {
                            let (sx, sy) = (Int(roundedHalfEven(px)), Int(roundedHalfEven(py)))
                            if UInt(bitPattern: sx) < UInt(width) && UInt(bitPattern: sy) < UInt(height) {
                                for c in 0..<channels { result[c * plane + pixel] = source[c * plane + sy * width + sx] }
                            } else {
                                for c in 0..<channels { result[c * plane + pixel] = fill }
                            }
                            continue
                        }
                        let (x0, y0) = (Int(px.rounded(.down)), Int(py.rounded(.down)))
                        let (fx, fy) = (Float(px - Double(x0)), Float(py - Double(y0)))
                        // The four neighbours; those outside weigh nothing and count toward the fill.
                        var offsets = (0, 0, 0, 0), weights: (Float, Float, Float, Float) = (0, 0, 0, 0)
                        func tap(_ sx: Int, _ sy: Int, _ weight: Float) -> (Int, Float) {
                            (0..<width).contains(sx) && (0..<height).contains(sy) ? (sy * width + sx, weight) : (0, 0)
                        }
                        (offsets.0, weights.0) = tap(x0, y0, (1 - fx) * (1 - fy))
                        (offsets.1, weights.1) = tap(x0 + 1, y0, fx * (1 - fy))
                        (offsets.2, weights.2) = tap(x0, y0 + 1, (1 - fx) * fy)
                        (offsets.3, weights.3) = tap(x0 + 1, y0 + 1, fx * fy)
                        let mask = weights.0 + weights.1 + weights.2 + weights.3
                        for c in 0..<channels {
                            let base = c * plane
                            let sampled = weights.0 * source[base + offsets.0] + weights.1 * source[base + offsets.1]
                                + weights.2 * source[base + offsets.2] + weights.3 * source[base + offsets.3]
                            result[base + pixel] = sampled * mask + (1 - mask) * fill
                        }
                    }
                }
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }
}

/// A random affine map: rotation in `-degrees...degrees`, translation up to a fraction
/// `translate` of the size, scale in `scale`, x-shear in `-shear...shear` degrees
/// (torchvision's `RandomAffine`).
public struct RandomAffine: Transform {
    public let degrees: Float
    public let translate: (x: Float, y: Float)
    public let scale: ClosedRange<Float>
    public let shear: Float
    public let interpolation: Interpolation
    public let fill: Float

    public init(degrees: Float, translate: (x: Float, y: Float) = (0, 0), scale: ClosedRange<Float> = 1...1,
                shear: Float = 0, interpolation: Interpolation = .nearest, fill: Float = 0) throws {
        guard degrees >= 0, shear >= 0, (0...1).contains(translate.x), (0...1).contains(translate.y), scale.lowerBound > 0 else {
            throw TransformError("affine: degrees and shear must not be negative, translate must be in 0...1 and "
                + "scale positive")
        }
        guard interpolation != .bicubic else { throw TransformError("affine: interpolation must be nearest or bilinear") }
        (self.degrees, self.translate, self.scale, self.shear) = (degrees, translate, scale, shear)
        (self.interpolation, self.fill) = (interpolation, fill)
    }

    /// The random part (torchvision's `get_params`).
    public func parameters(imageHeight: Int, imageWidth: Int, using generator: inout RandomGenerator) -> AffineParameters {
        let angle = generator.uniform(-degrees...degrees)
        let maxX = translate.x * Float(imageWidth), maxY = translate.y * Float(imageHeight)
        let tx = Int(generator.uniform(-maxX...maxX).rounded(.toNearestOrEven))
        let ty = Int(generator.uniform(-maxY...maxY).rounded(.toNearestOrEven))
        return AffineParameters(angle: angle, translation: (tx, ty), scale: generator.uniform(scale),
                                shear: (generator.uniform(-shear...shear), 0))
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        try image.transformedAffine(parameters(imageHeight: image.height, imageWidth: image.width, using: &generator),
                                    interpolation: interpolation, fill: fill)
    }

    public var description: String {
        "affine(\(degrees),translate=\(translate.x)x\(translate.y),scale=\(scale.lowerBound)-\(scale.upperBound),"
            + "shear=\(shear),interpolation=\(interpolation),fill=\(fill))"
    }
}
