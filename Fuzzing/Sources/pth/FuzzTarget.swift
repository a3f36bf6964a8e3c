import ConvKitInterop
import Foundation

// Any bytes as a `.pth` file: zip archive or legacy pickles, through the restricted unpickler.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(bytes: bytes, count: count)
    _ = try? PyTorchCheckpoint.decode(input)
    return 0
}
