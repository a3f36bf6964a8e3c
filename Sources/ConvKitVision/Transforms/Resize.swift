/// Geometric kernels on images: antialiased resizing and cropping.
extension Image {
    /// Resized with bilinear interpolation, antialiased when shrinking (the triangle
    /// filter is widened by the scale factor, as PIL and torchvision do), so a
    /// downscaled photo does not alias.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
        guard newWidth > 0, newHeight > 0 else {
            throw ImageError("cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight)")
        }
        let horizontal = Self.filterTaps(from: width, to: newWidth)
        let vertical = Self.filterTaps(from: height, to: newHeight)
        // Horizontal pass into floats, then vertical pass with rounding at the end.
        var rows = [Float](repeating: 0, count: height * newWidth * channels)
        for y in 0..<height {
            for (x, taps) in horizontal.enumerated() {
                for c in 0..<channels {
                    var total: Float = 0
                    for (source, weight) in taps { total += weight * Float(pixels[(y * width + source) * channels + c]) }
                    rows[(y * newWidth + x) * channels + c] = total
                }
            }
        }
        var result = [UInt8](repeating: 0, count: newHeight * newWidth * channels)
        for (y, taps) in vertical.enumerated() {
            for x in 0..<newWidth {
                for c in 0..<channels {
                    var total: Float = 0
                    for (source, weight) in taps { total += weight * rows[(source * newWidth + x) * channels + c] }
                    result[(y * newWidth + x) * channels + c] = UInt8(min(max(total.rounded(), 0), 255))
                }
            }
        }
        return try Image(width: newWidth, height: newHeight, channels: channels, pixels: result)
    }

    /// Scaled so the shorter side is `size`, keeping the aspect ratio (torchvision's `Resize(size)`).
    public func resized(shorterSide size: Int) throws -> Image {
        let scale = Double(size) / Double(min(width, height))
        return width <= height
            ? try resized(width: size, height: Int(Double(height) * scale))
            : try resized(width: Int(Double(width) * scale), height: size)
    }

    /// The `width` x `height` window at the center (rounded as torchvision's `CenterCrop`).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) throws -> Image {
        guard cropWidth <= width, cropHeight <= height, cropWidth > 0, cropHeight > 0 else {
            throw ImageError("cannot center-crop \(cropWidth)x\(cropHeight) from a \(width)x\(height) image")
        }
        let top = Int((Double(height - cropHeight) / 2).rounded()), left = Int((Double(width - cropWidth) / 2).rounded())
        var result: [UInt8] = []
        result.reserveCapacity(cropWidth * cropHeight * channels)
        for y in top..<(top + cropHeight) {
            let start = (y * width + left) * channels
            result += pixels[start..<(start + cropWidth * channels)]
        }
        return try Image(width: cropWidth, height: cropHeight, channels: channels, pixels: result)
    }

    /// Source pixels and weights for each output position of a 1-D resample.
    static func filterTaps(from input: Int, to output: Int) -> [[(Int, Float)]] {
        let scale = Double(input) / Double(output)
        let support = max(scale, 1)  // the triangle's half-width in input pixels
        return (0..<output).map { position in
            let center = (Double(position) + 0.5) * scale
            let low = max(Int((center - support).rounded(.down)), 0), high = min(Int((center + support).rounded(.up)), input)
            var taps: [(Int, Float)] = []
            for source in low..<high {
                let weight = max(0, 1 - abs(Double(source) + 0.5 - center) / support)
                if weight > 0 { taps.append((source, Float(weight))) }
            }
            let total = taps.reduce(Float(0)) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
    }
}
