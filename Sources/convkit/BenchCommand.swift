import ArgumentParser
import ConvKitBenchmarks
import ConvKitVision
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure ConvKit's speed, optionally side by side with PyTorch.",
        subcommands: [Ops.self, Model.self, Augment.self])

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GFLOP/s of sgemm and ResNet-shaped conv2d forward/backward (build with -c release).")

        @Option(help: "A Python with PyTorch, to time the same operations with 2 threads and print the ratio.")
        var torch: String?

        @Option(help: "Timed repetitions per operation (the median is reported).")
        var repeats = 7

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let benchmarks = OpBenchmark.standard
            var torchSeconds: [String: Double] = [:]
            if let torch {
                let request = try JSONEncoder().encode(["repeats": AnyCodable.int(repeats), "ops": .ops(benchmarks)])
                torchSeconds = try TorchComparison.run(python: torch, script: TorchComparison.opScript,
                                                       arguments: String(decoding: request, as: UTF8.self))
            }
            var rows: [[String: String]] = []
            let nameWidth = benchmarks.map(\.name.count).max() ?? 0
            if !json {
                print("OpenMP: \(OpenMPDefaults.inForce)")
                print("operation".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                    + "  ConvKit GFLOP/s  PyTorch GFLOP/s  ConvKit vs PyTorch")
            }
            for benchmark in benchmarks {
                let seconds = try benchmark.measure(repeats: repeats)
                let ours = benchmark.flops / seconds / 1e9
                let theirs = torchSeconds[benchmark.name].map { benchmark.flops / $0 / 1e9 }
                let ratio = theirs.map { ours / $0 }
                rows.append(["name": benchmark.name, "convkit_gflops": String(format: "%.1f", ours),
                             "torch_gflops": theirs.map { String(format: "%.1f", $0) } ?? "",
                             "ratio": ratio.map { String(format: "%.2f", $0) } ?? ""])
                if !json {
                    let comparison = torchSeconds[benchmark.name].map {
                        TorchComparison.relativeSpeed(convKitSeconds: seconds, torchSeconds: $0)
                    }
                    print(benchmark.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                        + String(format: "  %15.1f", ours)
                        + (theirs.map { String(format: "  %15.1f", $0) } ?? "                 -")
                        + "  " + (comparison ?? "-"))
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

extension Bench {
    struct Model: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Median time of a zoo model's inference pass or training step (build with -c release).")

        @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
        var model: String

        @Option(help: "Images per batch.")
        var batchSize = 16

        @Option(help: "Input shape C x H x W.")
        var input = "3x224x224"

        @Option(help: "inference or train.")
        var mode = "inference"

        @Flag(help: "Train mode: freeze everything but the classifier head (no backward pass through the backbone).")
        var frozenBackbone = false

        @Option(help: "Timed repetitions (the median is reported).")
        var repeats = 7

        @Option(help: "A Python with PyTorch, to time the same model with 2 threads.")
        var torch: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let shape = input.split(separator: "x").compactMap { Int($0) }
            guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--input must look like 3x224x224, got \(input)")
            }
            guard let benchMode = ModelBenchmark.Mode(rawValue: mode) else {
                throw ValidationError("--mode must be inference or train, got \(mode)")
            }
            let network = try ModelRegistry.make(model, numClasses: 1000, inputChannels: shape[0], inputSize: shape[1])
            if frozenBackbone {
                guard torch == nil else { throw ValidationError("--frozen-backbone has no PyTorch counterpart; leave out --torch") }
                try network.freeze()
                try network.unfreeze([try network.asClassifierHeaded().classifierPath])
            }
            let seconds = try ModelBenchmark(model: network, batchSize: batchSize, inputShape: shape, mode: benchMode)
                .measure(repeats: repeats)
            var result: [String: Any] = ["model": model, "batch_size": batchSize, "mode": mode, "frozen_backbone": frozenBackbone,
                                         "median_ms": seconds * 1000, "images_per_second": Double(batchSize) / seconds,
                                         "openmp": OpenMPDefaults.inForce]
            if let torch {
                let request = try JSONSerialization.data(withJSONObject: ["model": model, "batch_size": batchSize,
                                                                          "input": shape, "mode": mode, "repeats": repeats])
                let theirs = try TorchComparison.run(python: torch, script: TorchComparison.modelScript,
                                                     arguments: String(decoding: request, as: UTF8.self))
                if let torchSeconds = theirs["seconds"] {
                    result["torch_median_ms"] = torchSeconds * 1000
                    result["ratio"] = seconds / torchSeconds
                    result["convkit_vs_torch"] = TorchComparison.relativeSpeed(convKitSeconds: seconds, torchSeconds: torchSeconds)
                }
            }
            if json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
            } else {
                var line = String(format: "%@ batch %d %@%@: %.1f ms (%.1f images/s)", model, batchSize, mode,
                                  frozenBackbone ? " (frozen backbone)" : "", seconds * 1000,
                                  Double(batchSize) / seconds)
                if let torchMs = result["torch_median_ms"] as? Double, let comparison = result["convkit_vs_torch"] as? String {
                    line += String(format: "; PyTorch %.1f ms: ConvKit is %@", torchMs, comparison)
                }
                print(line + " [OpenMP: \(OpenMPDefaults.inForce)]")
            }
        }
    }
}

extension Bench {
    struct Augment: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Images/s of augmentation pipelines on one thread, as the data loader runs them (build with -c release).")

        @Option(help: "Folder of PNG/JPEG photos for the ImageNet-style pipeline (default: synthetic 500x375 photos made in memory).")
        var images: String?

        @Option(help: "MNIST folder for the digit pipeline (default: synthetic 28x28 digits made in memory).")
        var dataDir: String?

        @Option(help: "Photo pipeline SPEC.")
        var photoTransforms = AugmentBenchmark.photoSpec

        @Option(help: "Digit pipeline SPEC.")
        var digitTransforms = AugmentBenchmark.digitSpec

        @Option(help: "Timed repetitions (the median is reported).")
        var repeats = 5

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let photos = try images.map { try AugmentBenchmark.photos(in: URL(fileURLWithPath: $0)) }
                ?? AugmentBenchmark.syntheticImages(count: 8, channels: 3, height: 375, width: 500)
            let digitImages = try dataDir.map { try AugmentBenchmark.digits(inMNIST: URL(fileURLWithPath: $0), limit: 2000) }
                ?? AugmentBenchmark.syntheticImages(count: 2000, channels: 1, height: 28, width: 28)
            let photoSource = images == nil ? "\(photos.count) synthetic 500x375 photos" : "\(photos.count) files"
            let digitSource = dataDir == nil ? "synthetic 28x28 digits" : "mnist 28x28"
            let benchmarks = [
                try AugmentBenchmark(name: "photos (\(photoSource))", spec: photoTransforms, images: photos, samples: 64),
                try AugmentBenchmark(name: digitSource, spec: digitTransforms, images: digitImages, samples: 2000),
            ]
            var rows: [[String: Any]] = []
            for benchmark in benchmarks {
                let rate = try benchmark.imagesPerSecond(repeats: repeats)
                rows.append(["name": benchmark.name, "transforms": benchmark.spec.description, "images_per_second": rate])
                if !json { print(String(format: "%@: %.0f images/s  (%@)", benchmark.name, rate, benchmark.spec.description)) }
            }
            if json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self))
            }
        }
    }
}

/// The request sent to the PyTorch script: a repeat count and the operations.
private enum AnyCodable: Encodable {
    case int(Int)
    case ops([OpBenchmark])

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .ops(let value): try container.encode(value)
        }
    }
}
