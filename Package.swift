// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ConvKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ConvKitCore", targets: ["ConvKitCore"]),
        .library(name: "ConvKitInterop", targets: ["ConvKitInterop"]),
        .executable(name: "convkit", targets: ["convkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // oneDNN 2.6 (Debian's libdnnl-dev): convolution, pooling, batch norm and GEMM kernels.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(name: "ConvKitCore", dependencies: ["CDNNL"]),
        .target(name: "ConvKitInterop", dependencies: ["ConvKitCore"]),
        .executableTarget(
            name: "convkit",
            dependencies: [
                "ConvKitCore", "ConvKitInterop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "ConvKitCoreTests",
            dependencies: ["ConvKitCore", "ConvKitInterop"],
            resources: [.copy("Fixtures")]),
    ]
)
