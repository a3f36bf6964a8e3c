/// Images laid out in a grid under a legend, each optionally labelled underneath: the
/// layout of filter and feature-map pictures.
public struct TileGrid {
    public var legend: [String]
    public var tiles: [(image: Image, label: String?)]
    /// Nearest-neighbour enlargement of every tile.
    public var scale: Int
    public var columns: Int

    static let margin = 8, gap = 3, legendScale = 2

    public init(legend: [String], tiles: [(image: Image, label: String?)], scale: Int, columns: Int) {
        (self.legend, self.tiles, self.scale, self.columns) = (legend, tiles, Swift.max(1, scale), Swift.max(1, columns))
    }

    public func render() throws -> Image {
        let tileWidth = (tiles.map(\.image.width).max() ?? 0) * scale
        let tileHeight = (tiles.map(\.image.height).max() ?? 0) * scale
        let labelHeight = tiles.contains { $0.label != nil } ? BitmapFont.glyphHeight + 3 : 0
        let lineHeight = (BitmapFont.glyphHeight + 3) * Self.legendScale
        let cellWidth = Swift.max(tileWidth, tiles.compactMap { $0.label.map { Canvas.textWidth($0) } }.max() ?? 0) + Self.gap
        let cellHeight = tileHeight + labelHeight + Self.gap
        // More columns than tiles would only widen the canvas with blank space.
        let columns = Swift.min(self.columns, Swift.max(tiles.count, 1))
        let rows = (tiles.count + columns - 1) / columns
        let legendWidth = legend.map { Canvas.textWidth($0, scale: Self.legendScale) }.max() ?? 0
        let top = Self.margin + legend.count * lineHeight
        let width = 2 * Self.margin + Swift.max(columns * cellWidth, legendWidth), height = top + rows * cellHeight + Self.margin
        if let problem = PlanarImage.sizeProblem(height: height, width: width) {
            throw ImageError("a grid of \(tiles.count) tiles in \(columns) columns would be \(problem)")
        }
        var canvas = Canvas(width: width, height: height)
        for (index, line) in legend.enumerated() {
            canvas.write(line, x: Self.margin, y: Self.margin + index * lineHeight, scale: Self.legendScale)
        }
        for (index, tile) in tiles.enumerated() {
            let x = Self.margin + (index % columns) * cellWidth, y = top + (index / columns) * cellHeight
            canvas.draw(tile.image, x: x, y: y, scale: scale)
            if let label = tile.label { canvas.write(label, x: x, y: y + tileHeight + 2, color: (80, 80, 80)) }
        }
        return try canvas.image()
    }
}
