import ConvKitInterop
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(bytes: bytes, count: count)
    _ = try? SafeTensorsFile.decode(input, name: "input")
    return 0
}
