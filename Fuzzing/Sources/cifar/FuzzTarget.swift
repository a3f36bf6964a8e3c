import ConvKitData
import Foundation

// The first byte picks the variant (even: CIFAR-10, odd: CIFAR-100); the rest is one batch file.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let variant: CIFARDataset.Variant = bytes[0] % 2 == 0 ? .cifar10 : .cifar100
    _ = try? CIFARDataset.decode(batches: [(name: "batch", data: Data(bytes: bytes + 1, count: count - 1))], variant: variant)
    return 0
}
