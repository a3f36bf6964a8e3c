// swift-tools-version:5.4
// libFuzzer targets for every reader of untrusted bytes; scripts/fuzz builds and runs them.
// A package of its own because every module here is built with -sanitize=fuzzer,address.
// Tools version 5.4 on purpose: from 5.5 SwiftPM renames each executable's entry point
// to <module>_main for testing, which libFuzzer's own main cannot satisfy.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the checkout is called.
let convKit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// Each target is one file defining LLVMFuzzerTestOneInput; its folder under Sources is its short name.
func fuzzer(_ name: String, _ product: String) -> Target {
    .executableTarget(name: "fuzz-\(name)", dependencies: [.product(name: product, package: convKit)], path: "Sources/\(name)")
}

let package = Package(
    name: "ConvKitFuzzing",
    dependencies: [.package(path: "..")],
    targets: [
        fuzzer("pth", "ConvKitInterop"),
        fuzzer("safetensors", "ConvKitInterop"),
        fuzzer("npy", "ConvKitInterop"),
        fuzzer("idx", "ConvKitData"),
        fuzzer("cifar", "ConvKitData"),
        fuzzer("image", "ConvKitVision"),
        fuzzer("transform-spec", "ConvKitVision"),
    ]
)
