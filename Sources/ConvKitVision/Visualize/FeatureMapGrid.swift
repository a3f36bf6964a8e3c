/// A layer's output channels for one input, side by side.
public enum FeatureMapGrid {
    /// The first row of `activations [N, C, H, W]` (layer `name`), one tile per channel (at
    /// most `maxMaps`), each scaled to its own min..max and coloured with `colormap`.
    public static func image(activations: Tensor, name: String, maxMaps: Int = 64, colormap: Colormap = .inferno) throws -> Image {
        guard activations.rank == 4 else {
            throw TensorError("'\(name)' gives output of shape \(activations.shape); feature maps need [N, C, H, W]")
        }
        let (channels, height, width) = (activations.shape[1], activations.shape[2], activations.shape[3])
        let plane = height * width
        let values = try activations.sliced(axis: 0, start: 0, end: 1).contiguous().scalars
        let shown = Swift.min(channels, maxMaps)
        let tiles = try (0..<shown).map { channel -> (image: Image, label: String?) in
            let map = values[(channel * plane)..<((channel + 1) * plane)]
            let (low, high) = (map.min() ?? 0, map.max() ?? 0)
            let pixels = map.flatMap { value -> [UInt8] in
                let (r, g, b) = colormap.color(high > low ? (value - low) / (high - low) : 0)
                return [r, g, b]
            }
            return (try Image(width: width, height: height, channels: 3, pixels: pixels), "\(channel)")
        }
        let legend = ["\(name): \(channels) feature maps \(height)x\(width)" + (shown < channels ? ", first \(shown)" : ""),
                      "each scaled to its own min..max"]
        return try TileGrid(legend: legend, tiles: tiles, scale: Swift.max(1, 64 / Swift.max(height, width)),
                            columns: FilterGrid.columnCount(shown)).render()
    }
}
