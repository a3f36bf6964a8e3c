import ConvKitData
import Foundation

// The input is an images file and a labels file (each gzipped or not), preceded by the
// images file's length as a 4-byte little-endian number; Fuzzing/make-seeds writes them so.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(bytes: bytes, count: count)
    guard input.count >= 4 else { return 0 }
    let announced = input.prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
    let images = input.dropFirst(4).prefix(announced), labels = input.dropFirst(4 + images.count)
    _ = try? IDXDataset.decode(images: Data(images), labels: Data(labels), classNames: IDXDataset.mnistClasses)
    return 0
}
