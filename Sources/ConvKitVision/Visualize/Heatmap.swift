/// Saliency maps drawn as heatmaps, alone or over the image they explain.
public enum Heatmap {
    /// `map [H, W]` as colours: scaled so that its `clipQuantile` quantile of values is the top
    /// of the scale (gradient maps are spiky: a few pixels would otherwise wash out the rest),
    /// with the minimum or 0, whichever is lower, at the bottom.
    public static func image(_ map: Tensor, colormap: Colormap = .jet, clipQuantile: Float = 0.995) throws -> Image {
        guard map.rank == 2 else { throw TensorError("a heatmap needs an [H, W] map, got shape \(map.shape)") }
        let values = map.scalars
        let low = Swift.min(values.min() ?? 0, 0)
        let sorted = values.sorted()
        let high = sorted.isEmpty ? 1 : sorted[Swift.min(sorted.count - 1, Int(Float(sorted.count - 1) * clipQuantile))]
        let range = high > low ? high - low : 1
        let pixels = values.flatMap { value -> [UInt8] in
            let (r, g, b) = colormap.color((value - low) / range)
            return [r, g, b]
        }
        return try Image(width: map.shape[1], height: map.shape[0], channels: 3, pixels: pixels)
    }

    /// The heatmap of `map` blended over `image` with weight `opacity`; the map is resized
    /// (bilinear) to the image when their sizes differ.
    public static func overlay(_ map: Tensor, on image: Image, colormap: Colormap = .jet, opacity: Float = 0.5) throws -> Image {
        guard map.rank == 2 else { throw TensorError("a heatmap needs an [H, W] map, got shape \(map.shape)") }
        var fitted = map
        if map.shape != [image.height, image.width] {
            fitted = try map.reshaped([1, 1] + map.shape).resized(to: (image.height, image.width), mode: .bilinear(alignCorners: false))
                .reshaped([image.height, image.width])
        }
        let colors = try self.image(fitted, colormap: colormap).pixels, base = image.rgb().pixels
        let blended = zip(base, colors).map { UInt8((Float($0) * (1 - opacity) + Float($1) * opacity).rounded()) }
        return try Image(width: image.width, height: image.height, channels: 3, pixels: blended)
    }
}

extension Image {
    /// A `[C, H, W]` tensor of any range (e.g. normalized model input) made viewable by
    /// scaling its minimum to black and maximum to white.
    public init(displaying tensor: Tensor) throws {
        let values = tensor.scalars
        let (low, high) = (values.min() ?? 0, values.max() ?? 1)
        try self.init(tensor: (tensor - low) / (high > low ? high - low : 1))
    }
}
