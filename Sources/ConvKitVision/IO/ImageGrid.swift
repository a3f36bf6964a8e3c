/// Tiles images into one RGB picture, each captioned with its index in a built-in
/// 3x5-pixel digit font, so a grid of augmentations can be told apart and referred to.
public enum ImageGrid {
    /// 3x5 bitmaps of 0-9, one row of 3 bits per entry, top to bottom.
    private static let digits: [[UInt8]] = [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
    ]

    /// `tiles` in rows of `columns` (default: about square), separated by `spacing` pixels,
    /// each over a caption strip with its index.
    public static func render(_ tiles: [Image], columns: Int? = nil, spacing: Int = 4) throws -> Image {
        guard !tiles.isEmpty else { throw ImageError("a grid needs at least one image") }
        let columnCount = max(1, columns ?? Int(Double(tiles.count).squareRoot().rounded(.up)))
        let rowCount = (tiles.count + columnCount - 1) / columnCount
        let cellWidth = tiles.map(\.width).max() ?? 1, cellHeight = tiles.map(\.height).max() ?? 1
        let scale = max(1, min(cellWidth, cellHeight) / 48)  // digits readable on large tiles
        let captionHeight = 7 * scale
        let width = columnCount * (cellWidth + spacing) + spacing
        let height = rowCount * (cellHeight + captionHeight + spacing) + spacing
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for (index, tile) in tiles.enumerated() {
            let rgb = tile.rgb()
            let left = spacing + (index % columnCount) * (cellWidth + spacing)
            let top = spacing + (index / columnCount) * (cellHeight + captionHeight + spacing)
            for y in 0..<rgb.height {
                let source = y * rgb.width * 3, destination = ((top + y) * width + left) * 3
                pixels.replaceSubrange(destination..<(destination + rgb.width * 3), with: rgb.pixels[source..<(source + rgb.width * 3)])
            }
            for (position, character) in String(index).enumerated() {
                guard let digit = character.wholeNumberValue else { continue }
                for row in 0..<5 {
                    for bit in 0..<3 where digits[digit][row] & (4 >> bit) != 0 {
                        for dy in 0..<scale {
                            for dx in 0..<scale {
                                let x = left + (position * 4 + bit) * scale + dx, y = top + cellHeight + (1 + row) * scale + dy
                                if x < width { pixels.replaceSubrange(((y * width + x) * 3)..<((y * width + x) * 3 + 3), with: [0, 0, 0]) }
                            }
                        }
                    }
                }
            }
        }
        return try Image(width: width, height: height, channels: 3, pixels: pixels)
    }
}
