/// An RGB pixel buffer that grids of filters, feature maps and heatmaps are drawn into
/// before they become an ``Image``.
public struct Canvas {
    public let width: Int
    public let height: Int
    private var pixels: [UInt8]

    public init(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        (self.width, self.height) = (width, height)
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    public func image() throws -> Image { try Image(width: width, height: height, channels: 3, pixels: pixels) }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: (UInt8, UInt8, UInt8)) {
        for row in Swift.max(0, y)..<Swift.min(height, y + h) {
            for column in Swift.max(0, x)..<Swift.min(width, x + w) {
                let i = (row * width + column) * 3
                (pixels[i], pixels[i + 1], pixels[i + 2]) = color
            }
        }
    }

    /// Copies `image` (gray or RGB) with its top-left corner at (x, y), each pixel enlarged to
    /// `scale` x `scale` (nearest neighbour, so small kernels stay crisp); clipped at the edges.
    public mutating func draw(_ image: Image, x: Int, y: Int, scale: Int = 1) {
        let source = image.rgb()
        for row in 0..<(source.height * scale) where (0..<height).contains(y + row) {
            for column in 0..<(source.width * scale) where (0..<width).contains(x + column) {
                let s = ((row / scale) * source.width + column / scale) * 3, d = ((y + row) * width + x + column) * 3
                pixels[d..<(d + 3)] = source.pixels[s..<(s + 3)]
            }
        }
    }

    /// Writes `text` in the built-in 5 x 7 font, `scale` pixels per font pixel, top-left at (x, y).
    public mutating func write(_ text: String, x: Int, y: Int, scale: Int = 1, color: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        for (index, character) in text.enumerated() {
            let left = x + index * BitmapFont.advance * scale
            for (row, bits) in BitmapFont.rows(for: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// Pixel width of `text` written at `scale`.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int { BitmapFont.width(of: text) * scale }
}
