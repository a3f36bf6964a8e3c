import ConvKitVision
import Foundation

// PNG and JPEG through the C shim over libpng and libjpeg. The pixel limit is lowered so that
// a valid header claiming a large image is refused rather than filling the memory libFuzzer
// allows (-rss_limit_mb); the refusal itself is part of what is fuzzed.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? Image(data: Data(bytes: bytes, count: count), limits: limits)
    return 0
}

private let limits = {
    var limits = ResourceLimits()
    limits.maxImagePixels = 1 << 20
    return limits
}()
