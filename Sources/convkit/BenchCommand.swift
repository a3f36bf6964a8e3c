import ArgumentParser
import ConvKitBenchmarks
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure ConvKit's speed, optionally side by side with PyTorch.",
        subcommands: [Ops.self])

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
            if !json {
                print("operation".padding(toLength: 36, withPad: " ", startingAt: 0)
                    + "  ConvKit GFLOP/s  PyTorch GFLOP/s   ratio")
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
                    print(benchmark.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                        + String(format: "  %15.1f", ours)
                        + (theirs.map { String(format: "  %15.1f", $0) } ?? "                 -")
                        + (ratio.map { String(format: "  %5.2fx", $0) } ?? "       -"))
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
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
