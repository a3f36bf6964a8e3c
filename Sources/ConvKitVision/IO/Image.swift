internal import CImageCodecs
import Foundation

/// An 8-bit image in HWC order: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels.
///
/// Decodes PNG (any color type, palette, 16-bit, interlaced) and JPEG (baseline,
/// progressive, grayscale) by their magic bytes, not their file extension.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [UInt8]

    /// - Parameters:
    ///   - width: Columns, at least 1.
    ///   - height: Rows, at least 1.
    ///   - channels: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    ///   - pixels: `height * width * channels` bytes, row by row, channels interleaved.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
        let (count, countOverflow) = area.multipliedReportingOverflow(by: channels)
        guard width > 0, height > 0, (1...4).contains(channels), !areaOverflow, !countOverflow, pixels.count == count else {
            throw ImageError("an image of \(width)x\(height) with \(channels) channels needs "
                + "\(areaOverflow || countOverflow ? "more than 2^63" : String(count)) bytes, got \(pixels.count)")
        }
        (self.width, self.height, self.channels, self.pixels) = (width, height, channels, pixels)
    }

    /// For conversions whose sizes agree by construction.
    private init(validated width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        (self.width, self.height, self.channels, self.pixels) = (width, height, channels, pixels)
    }

    /// Reads and decodes a PNG or JPEG file.
    /// - Parameters:
    ///   - url: The file.
    ///   - limits: Its ``ResourceLimits/maxImagePixels`` bounds the pixels decoded.
    public init(contentsOf url: URL, limits: ResourceLimits = .current) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ImageError("cannot read \(url.path): no such file or not readable")
        }
        try self.init(data: data, name: url.path, limits: limits)
    }

    /// Decodes PNG or JPEG bytes. A header claiming more pixels than the limit is refused
    /// before anything is allocated for them (a 1 KB JPEG can claim 65500x65500), and a
    /// file whose data ends early or is corrupt is an error rather than a gray-filled image.
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - name: Identifies them in errors.
    ///   - limits: Its ``ResourceLimits/maxImagePixels`` bounds the pixels decoded.
    public init(data: Data, name: String = "image data", limits: ResourceLimits = .current) throws {
        guard !data.isEmpty else { throw ImageError("\(name) is empty") }
        let bytes = [UInt8](data)
        let decode: (UnsafePointer<UInt8>, Int, Int, UnsafeMutablePointer<ck_image>, UnsafeMutablePointer<CChar>, Int) -> Int32
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            decode = ck_decode_png
        } else if bytes.starts(with: [0xFF, 0xD8]) {
            decode = ck_decode_jpeg
        } else {
            throw ImageError("\(name) is neither a PNG nor a JPEG file")
        }
        var decoded = ck_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer {
            decode($0.baseAddress!, bytes.count, limits.maxImagePixels, &decoded, &message, message.count)
        }
        if status == Int32(CK_TOO_MANY_PIXELS) {
            throw ImageError("\(name) is \(decoded.width)x\(decoded.height) = \(Int(decoded.width) * Int(decoded.height)) pixels, "
                + "more than the limit of \(limits.maxImagePixels) (a decompression bomb?); raise CONVKIT_MAX_IMAGE_PIXELS "
                + "if the file is trusted")
        }
        guard status == 0, let pixels = decoded.pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageError("\(name) could not be decoded (truncated or corrupt?): \(reason)")
        }
        defer { ck_free(pixels) }
        let count = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
        try self.init(width: Int(decoded.width), height: Int(decoded.height), channels: Int(decoded.channels),
                      pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// PNG bytes (lossless).
    public func pngData() throws -> Data {
        try encode { ck_encode_png($0, Int32(width), Int32(height), Int32(channels), $1, $2, $3, $4) }
    }

    /// JPEG bytes at `quality` (1...100); alpha is dropped first.
    public func jpegData(quality: Int = 90) throws -> Data {
        let opaque = channels == 2 || channels == 4 ? droppingAlpha() : self
        return try opaque.encode {
            ck_encode_jpeg($0, Int32(opaque.width), Int32(opaque.height), Int32(opaque.channels),
                           Int32(min(max(quality, 1), 100)), $1, $2, $3, $4)
        }
    }

    /// Writes PNG or JPEG by the file extension (`.jpg`/`.jpeg` for JPEG), atomically.
    public func write(to url: URL, quality: Int = 90) throws {
        let isJPEG = ["jpg", "jpeg"].contains(url.pathExtension.lowercased())
        try AtomicFile.write(isJPEG ? jpegData(quality: quality) : pngData(), to: url)
    }

    private func encode(_ body: (UnsafePointer<UInt8>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                                 UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { body($0.baseAddress!, &output, &size, &message, message.count) }
        guard status == 0, let output else {
            throw ImageError("encoding failed: " + String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                                                           as: UTF8.self))
        }
        defer { ck_free(output) }
        return Data(bytes: output, count: size)
    }
}

/// Channel conversions.
extension Image {
    /// Without its alpha channel (gray + alpha → gray, RGBA → RGB).
    public func droppingAlpha() -> Image {
        guard channels == 2 || channels == 4 else { return self }
        let kept = channels - 1
        var result = [UInt8]()
        result.reserveCapacity(width * height * kept)
        for pixel in 0..<(width * height) { result += pixels[(pixel * channels)..<(pixel * channels + kept)] }
        return Image(validated: width, height, kept, result)
    }

    /// Three-channel RGB (gray is replicated).
    public func rgb() -> Image {
        let opaque = droppingAlpha()
        guard opaque.channels == 1 else { return opaque }
        return Image(validated: width, height, 3, opaque.pixels.flatMap { [$0, $0, $0] })
    }

    /// One-channel luminance, with ITU-R 601 weights as PIL's `convert("L")`.
    public func grayscale() -> Image {
        let opaque = droppingAlpha()
        guard opaque.channels == 3 else { return opaque }
        let gray = (0..<(width * height)).map { pixel -> UInt8 in
            let (r, g, b) = (Int(opaque.pixels[3 * pixel]), Int(opaque.pixels[3 * pixel + 1]), Int(opaque.pixels[3 * pixel + 2]))
            return UInt8((r * 19_595 + g * 38_470 + b * 7_471 + 0x8000) >> 16)
        }
        return Image(validated: width, height, 1, gray)
    }
}

/// Conversions to and from CHW float tensors in [0, 1].
extension Image {
    /// `[C, H, W]` float32 in [0, 1].
    public func tensor() -> Tensor { PlanarImage(self).tensor() }

    /// From a `[C, H, W]` tensor in [0, 1] (values are clamped and rounded).
    public init(tensor: Tensor) throws {
        guard tensor.rank == 3, (1...4).contains(tensor.shape[0]) else {
            throw ImageError("an image tensor must be [C, H, W] with 1 to 4 channels, got \(tensor.shape)")
        }
        self = try PlanarImage(tensor: tensor).image()
    }
}

/// A problem reading, decoding or encoding an image, naming the file.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
