// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ConvKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ConvKitCore", targets: ["ConvKitCore"]),
        .library(name: "ConvKitNN", targets: ["ConvKitNN"]),
        .library(name: "ConvKitOptim", targets: ["ConvKitOptim"]),
        .library(name: "ConvKitData", targets: ["ConvKitData"]),
        .library(name: "ConvKitInterop", targets: ["ConvKitInterop"]),
        .library(name: "ConvKitVision", targets: ["ConvKitVision"]),
        .library(name: "ConvKitTraining", targets: ["ConvKitTraining"]),
        .executable(name: "convkit", targets: ["convkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // oneDNN 2.6 (Debian's libdnnl-dev): convolution, pooling, batch norm and GEMM kernels.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(name: "ConvKitCore", dependencies: ["CDNNL"]),
        // zlib (preinstalled): gzip-compressed datasets and zip-format PyTorch checkpoints.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "ConvKitNN", dependencies: ["ConvKitCore"]),
        .target(name: "ConvKitOptim", dependencies: ["ConvKitNN"]),
        .target(name: "ConvKitData", dependencies: ["ConvKitCore", "CZlib"]),
        .target(name: "ConvKitInterop", dependencies: ["ConvKitNN", "CZlib"]),
        // libpng and libjpeg (preinstalled): image files.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg")]),
        .target(name: "ConvKitVision", dependencies: ["ConvKitNN", "ConvKitData", "ConvKitInterop", "CImageCodecs"],
                resources: [.copy("Resources")]),
        .target(name: "ConvKitBenchmarks", dependencies: ["ConvKitCore", "ConvKitOptim", "ConvKitVision"]),
        .target(name: "ConvKitTraining", dependencies: ["ConvKitNN", "ConvKitOptim", "ConvKitData", "ConvKitInterop"]),
        .executableTarget(
            name: "convkit",
            dependencies: [
                "ConvKitCore", "ConvKitNN", "ConvKitOptim", "ConvKitData", "ConvKitInterop", "ConvKitTraining", "ConvKitBenchmarks", "ConvKitVision",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "ConvKitCoreTests",
            dependencies: ["ConvKitCore", "ConvKitInterop"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvKitNNTests", dependencies: ["ConvKitNN", "ConvKitInterop", "ConvKitVision"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvKitTrainingTests", dependencies: ["ConvKitTraining", "ConvKitVision"]),
        .testTarget(name: "ConvKitOptimTests", dependencies: ["ConvKitOptim"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvKitDataTests", dependencies: ["ConvKitData", "ConvKitTestSupport"]),
        // Test helpers: a local HTTP server, generated datasets, hostile files, and the real assets scripts/setup fetches.
        .target(name: "ConvKitTestSupport", dependencies: ["ConvKitVision"]),
        .testTarget(name: "ConvKitCLITests", dependencies: ["convkit", "ConvKitTestSupport", "ConvKitVision", "ConvKitInterop", "ConvKitTraining"]),
        .testTarget(name: "ConvKitVisionTests", dependencies: ["ConvKitVision", "ConvKitInterop", "ConvKitTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvKitInteropTests", dependencies: ["ConvKitInterop", "ConvKitTestSupport"], resources: [.copy("Fixtures")]),
    ]
)
