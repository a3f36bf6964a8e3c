/// An image as float planes, `[C, H, W]` in one contiguous buffer: what transforms work
/// on, as torchvision's tensor path does. Values are in [0, 1] until `Normalize`.
public struct PlanarImage: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) throws {
        guard channels > 0, height > 0, width > 0, values.count == channels * height * width else {
            throw ImageError("a \(channels)x\(height)x\(width) image needs \(channels * height * width) values, "
                + "got \(values.count)")
        }
        (self.channels, self.height, self.width, self.values) = (channels, height, width, values)
    }

    /// For kernels whose sizes agree by construction.
    init(validated channels: Int, _ height: Int, _ width: Int, _ values: [Float]) {
        (self.channels, self.height, self.width, self.values) = (channels, height, width, values)
    }

    /// A blank image of the given size filled with `value`.
    init(channels: Int, height: Int, width: Int, filledWith value: Float) {
        self.init(validated: channels, height, width, [Float](repeating: value, count: channels * height * width))
    }

    /// From 8-bit pixels, scaled to [0, 1] (alpha is kept as a channel).
    public init(_ image: Image) {
        let (channels, plane) = (image.channels, image.width * image.height)
        var values = [Float](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { pixels in
            for c in 0..<channels {
                for pixel in 0..<plane { values[c * plane + pixel] = Float(pixels[pixel * channels + c]) * (1 / 255) }
            }
        }
        self.init(validated: channels, image.height, image.width, values)
    }

    /// From a `[C, H, W]` float tensor.
    public init(tensor: Tensor) throws {
        guard tensor.rank == 3 else { throw ImageError("an image tensor must be [C, H, W], got \(tensor.shape)") }
        try self.init(channels: tensor.shape[0], height: tensor.shape[1], width: tensor.shape[2], values: tensor.scalars)
    }

    public var plane: Int { height * width }

    /// Why a `height` x `width` image must not be made (more pixels than
    /// ``ResourceLimits/maxImagePixels``), or nil when it may: checked before allocating one.
    static func sizeProblem(height: Int, width: Int) -> String? {
        let limit = ResourceLimits.current.maxImagePixels
        let (pixels, overflow) = height.multipliedReportingOverflow(by: width)
        guard overflow || pixels > limit else { return nil }
        return "\(width)x\(height) is more than the limit of \(limit) pixels; raise CONVKIT_MAX_IMAGE_PIXELS if that is intended"
    }

    /// `[C, H, W]` float32.
    public func tensor() -> Tensor { Tensor(values, shape: [channels, height, width]) }

    /// 8-bit pixels, clamped to [0, 1] and rounded (1 to 4 channels).
    public func image() throws -> Image {
        guard (1...4).contains(channels) else {
            throw ImageError("only 1 to 4 channels can be written as an image, got \(channels)")
        }
        var pixels = [UInt8](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { values in
            for c in 0..<channels {
                for pixel in 0..<plane {
                    pixels[pixel * channels + c] = UInt8(min(max(values[c * plane + pixel] * 255, 0), 255).rounded())
                }
            }
        }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }
}
