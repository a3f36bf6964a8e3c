import ConvKitVision
import Foundation

// The input as spec text and as the JSON form; a spec that parses is applied to a small
// image, so fuzzed arguments reach the kernels too.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = lowerPixelLimit
    let input = Data(bytes: bytes, count: count)
    for spec in [try? TransformSpec(String(decoding: input, as: UTF8.self)), try? TransformSpec(json: input)] {
        var generator = RandomGenerator(seed: 0)
        _ = try? spec?.transform(image, using: &generator)
    }
    return 0
}

// Sizes within CONVKIT_MAX_IMAGE_PIXELS are legitimate, and at the default (179 M pixels,
// 2 GB as floats) one would exceed libFuzzer's memory limit; lowered, unless set, before anything reads it.
private let lowerPixelLimit: Void = { setenv("CONVKIT_MAX_IMAGE_PIXELS", "1048576", 0) }()

private let image = try! PlanarImage(channels: 3, height: 6, width: 8, values: [Float](repeating: 0.5, count: 3 * 6 * 8))
