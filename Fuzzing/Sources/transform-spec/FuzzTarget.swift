import ConvKitVision
import Foundation

// The input as spec text and as the JSON form; a spec that parses is applied to a small
// image, so fuzzed arguments reach the kernels too.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(bytes: bytes, count: count)
    for spec in [try? TransformSpec(String(decoding: input, as: UTF8.self)), try? TransformSpec(json: input)] {
        var generator = RandomGenerator(seed: 0)
        _ = try? spec?.transform(image, using: &generator)
    }
    return 0
}

private let image = try! PlanarImage(channels: 3, height: 6, width: 8, values: [Float](repeating: 0.5, count: 3 * 6 * 8))
