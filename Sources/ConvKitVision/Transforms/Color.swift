/// Color kernels with torchvision's tensor formulas: each blends the image with a
/// reference (black, its mean gray, its grayscale) and clamps to [0, 1].
extension PlanarImage {
    /// `ratio * self + (1 - ratio) * other`, clamped (`other` broadcasts over channels when it has one).
    private func blended(with other: [Float], ratio: Float) -> PlanarImage {
        var result = values
        let shared = other.count == plane
        result.withUnsafeMutableBufferPointer { result in
            other.withUnsafeBufferPointer { other in
                for index in 0..<result.count {
                    let reference = other.count == 1 ? other[0] : other[shared ? index % plane : index]
                    result[index] = min(max(ratio * result[index] + (1 - ratio) * reference, 0), 1)
                }
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }

    /// Luma with ITU-R 601 weights (0.2989, 0.587, 0.114), one plane; a gray image's own plane.
    public func luminance() -> [Float] {
        guard channels >= 3 else { return Array(values[0..<plane]) }
        var gray = [Float](repeating: 0, count: plane)
        values.withUnsafeBufferPointer { v in
            for pixel in 0..<plane { gray[pixel] = 0.2989 * v[pixel] + 0.587 * v[plane + pixel] + 0.114 * v[2 * plane + pixel] }
        }
        return gray
    }

    /// Gray with `outputChannels` (1 or 3) identical planes.
    public func grayscaled(outputChannels: Int = 1) -> PlanarImage {
        let gray = luminance()
        return PlanarImage(validated: outputChannels, height, width, Array([[Float]](repeating: gray, count: outputChannels).joined()))
    }

    /// Scaled toward black (factor < 1) or brighter (> 1).
    public func adjustingBrightness(_ factor: Float) -> PlanarImage { blended(with: [0], ratio: factor) }

    /// Blended with the mean of its grayscale.
    public func adjustingContrast(_ factor: Float) -> PlanarImage {
        let gray = luminance()
        return blended(with: [gray.reduce(0, +) / Float(plane)], ratio: factor)
    }

    /// Blended with its grayscale (no change for gray images).
    public func adjustingSaturation(_ factor: Float) -> PlanarImage {
        channels >= 3 ? blended(with: luminance(), ratio: factor) : self
    }

    /// Hue rotated by `shift` (a fraction of the color wheel, in -0.5...0.5) in HSV (no change for gray images).
    public func adjustingHue(_ shift: Float) -> PlanarImage {
        guard channels >= 3 else { return self }
        var result = values
        result.withUnsafeMutableBufferPointer { v in
            for pixel in 0..<plane {
                let (r, g, b) = (v[pixel], v[plane + pixel], v[2 * plane + pixel])
                var (h, s, value) = Self.hsv(r, g, b)
                h = (h + shift).truncatingRemainder(dividingBy: 1)
                if h < 0 { h += 1 }
                (v[pixel], v[plane + pixel], v[2 * plane + pixel]) = Self.rgb(h, s, value)
            }
        }
        return PlanarImage(validated: channels, height, width, result)
    }

    /// torchvision's `_rgb2hsv`.
    static func hsv(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let maximum = max(r, g, b), minimum = min(r, g, b), chroma = maximum - minimum
        guard chroma != 0 else { return (0, 0, maximum) }
        let saturation = chroma / maximum
        let (rc, gc, bc) = ((maximum - r) / chroma, (maximum - g) / chroma, (maximum - b) / chroma)
        let hue: Float = maximum == r ? bc - gc : maximum == g ? 2 + rc - bc : 4 + gc - rc
        return ((hue / 6 + 1).truncatingRemainder(dividingBy: 1), saturation, maximum)
    }

    /// torchvision's `_hsv2rgb`.
    static func rgb(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let sector = (h * 6).rounded(.down), f = h * 6 - sector
        let p = min(max(v * (1 - s), 0), 1), q = min(max(v * (1 - s * f), 0), 1), t = min(max(v * (1 - s * (1 - f)), 0), 1)
        switch (Int(sector) % 6 + 6) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}

/// Random brightness, contrast, saturation and hue, applied in a random order
/// (torchvision's `ColorJitter`: factors uniform in `max(0, 1 - x)...1 + x`, hue shift in `-hue...hue`).
public struct ColorJitter: Transform {
    public let brightness: Float
    public let contrast: Float
    public let saturation: Float
    public let hue: Float

    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) throws {
        guard brightness >= 0, contrast >= 0, saturation >= 0 else {
            throw TransformError("colorjitter: brightness, contrast and saturation must not be negative")
        }
        guard (0...0.5).contains(hue) else { throw TransformError("colorjitter: hue must be in 0...0.5, got \(hue)") }
        (self.brightness, self.contrast, self.saturation, self.hue) = (brightness, contrast, saturation, hue)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        let order = [0, 1, 2, 3].shuffled(using: &generator)
        let factors = [brightness, contrast, saturation].map { generator.uniform(max(0, 1 - $0)...(1 + $0)) }
        let shift = generator.uniform(-hue...hue)
        return order.reduce(image) { image, step in
            switch step {
            case 0: brightness > 0 ? image.adjustingBrightness(factors[0]) : image
            case 1: contrast > 0 ? image.adjustingContrast(factors[1]) : image
            case 2: saturation > 0 ? image.adjustingSaturation(factors[2]) : image
            default: hue > 0 ? image.adjustingHue(shift) : image
            }
        }
    }

    public var description: String { "colorjitter(\(brightness),\(contrast),\(saturation),\(hue))" }
}

/// Converts to gray with `outputChannels` planes (torchvision's `Grayscale`), or with
/// probability `p` < 1 keeping the channel count, as `RandomGrayscale` does, so that every
/// sample of a batch keeps one shape.
public struct Grayscale: Transform {
    public let outputChannels: Int
    public let p: Float

    public init(outputChannels: Int = 1, p: Float = 1) throws {
        guard [1, 3].contains(outputChannels) else {
            throw TransformError("grayscale: output channels must be 1 or 3, got \(outputChannels)")
        }
        try requireProbability(p, for: "grayscale")
        (self.outputChannels, self.p) = (outputChannels, p)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) throws -> PlanarImage {
        if p >= 1 { return image.grayscaled(outputChannels: outputChannels) }
        return generator.nextFloat() < p ? image.grayscaled(outputChannels: image.channels >= 3 ? 3 : 1) : image
    }

    public var description: String { "grayscale(\(outputChannels),p=\(p))" }
}
