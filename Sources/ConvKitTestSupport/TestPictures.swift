import ConvKitVision
import Foundation

/// Pictures tests draw instead of reading photos: every region differs from the others, so crops,
/// flips and resizes change the pixels, and no value is zero.
public enum TestPictures {
    /// Red grows left to right, green top to bottom, blue alternates in 8-pixel blocks.
    public static func scene(width: Int, height: Int) throws -> Image {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8(20 + 230 * x / max(width - 1, 1)), UInt8(20 + 230 * y / max(height - 1, 1)),
                           (x / 8 + y / 8) % 2 == 0 ? 60 : 190]
            }
        }
        return try Image(width: width, height: height, channels: 3, pixels: pixels)
    }

}
