import ConvKitCore
import ConvKitTestSupport
import ConvKitVision
import Foundation
import Testing

/// Decompression bombs, truncated and CMYK images (issue 11).
@Suite struct HostileImageTests {
    func decodingError(_ bytes: [UInt8], name: String, limits: ResourceLimits = ResourceLimits()) -> String {
        let error = #expect(throws: ImageError.self) { _ = try Image(data: Data(bytes), name: name, limits: limits) }
        return error?.description ?? ""
    }

    /// Noise, so that every part of the JPEG's entropy-coded data matters.
    func noiseJPEG(width: Int, height: Int) throws -> [UInt8] {
        var state: UInt32 = 12_345
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        return [UInt8](try Image(width: width, height: height, channels: 3, pixels: pixels).jpegData())
    }

    @Test func jpegClaimingFourBillionPixelsIsRefusedBeforeDecoding() throws {
        let bomb = HostileFiles.jpeg(try noiseJPEG(width: 16, height: 16), claimingWidth: 65_500, height: 65_500)
        #expect(bomb.count < 2_000)
        #expect(decodingError(bomb, name: "bomb.jpg") == "bomb.jpg is 65500x65500 = 4290250000 pixels, more than the limit "
            + "of 178956970 (a decompression bomb?); raise CONVKIT_MAX_IMAGE_PIXELS if the file is trusted")
    }

    @Test func pngClaimingFourHundredMillionPixelsIsRefusedBeforeDecoding() {
        let message = decodingError(HostileFiles.pngHeader(width: 20_000, height: 20_000), name: "bomb.png")
        #expect(message.hasPrefix("bomb.png is 20000x20000 = 400000000 pixels, more than the limit of 178956970"), "\(message)")
    }

    @Test func pixelLimitIsConfigurable() throws {
        var limits = ResourceLimits()
        limits.maxImagePixels = 99
        let small = try Image(width: 10, height: 10, channels: 1, pixels: .init(repeating: 9, count: 100))
        for (format, bytes) in [("png", try small.pngData()), ("jpg", try small.jpegData())] {
            #expect(decodingError([UInt8](bytes), name: "small.\(format)", limits: limits).contains("more than the limit of 99"))
            limits.maxImagePixels = 100
            #expect(try Image(data: bytes, limits: limits).width == 10)
            limits.maxImagePixels = 99
        }
    }

    /// An end-of-image marker a tenth of the way into the scan: libjpeg would fill the rest
    /// with gray and call it a warning.
    @Test func jpegCutShortIsAnError() throws {
        let jpeg = try noiseJPEG(width: 64, height: 64)
        let scan = try #require(jpeg.indices.dropLast().first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        let cut = scan + (jpeg.count - scan) / 10
        let message = decodingError(Array(jpeg[..<cut]) + [0xFF, 0xD9], name: "cut.jpg")
        #expect(message.hasPrefix("cut.jpg could not be decoded (truncated or corrupt?): Corrupt JPEG data: premature end of data segment"),
                "\(message)")
        let unterminated = decodingError(Array(jpeg[..<cut]), name: "cut.jpg")
        #expect(unterminated.contains("Premature end of JPEG file"), "\(unterminated)")
    }

    func expectColor(_ bytes: [UInt8], _ expected: [UInt8], _ comment: Comment) throws {
        let image = try Image(data: Data(bytes))
        #expect(image.channels == expected.count && image.width == 16 && image.height == 16, comment)
        let first = Array(image.pixels.prefix(image.channels))
        #expect(zip(first, expected).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "\(comment): \(first)")
        #expect(image.pixels == Array([[UInt8]](repeating: first, count: 256).joined()), comment)
    }

    @Test func cmykAndYcckJPEGsBecomeRGB() throws {
        try expectColor(HostileFiles.flatJPEG(width: 16, height: 16, samples: [100]), [100], "gray")
        // Adobe stores CMYK inverted: 255 - C, ..., so (200, 100, 50, 255) is R 200, G 100, B 50.
        try expectColor(HostileFiles.flatJPEG(width: 16, height: 16, samples: [200, 100, 50, 255], adobeTransform: 0),
                        [200, 100, 50], "Adobe CMYK")
        try expectColor(HostileFiles.flatJPEG(width: 16, height: 16, samples: [0, 100, 200, 0]), [255, 155, 55], "plain CMYK")
        // YCCK: Y 200 with neutral chroma is inverted C = M = Y = 55, and K 255 (inverted: none).
        try expectColor(HostileFiles.flatJPEG(width: 16, height: 16, samples: [200, 128, 128, 255], adobeTransform: 2),
                        [55, 55, 55], "Adobe YCCK")
    }
}
