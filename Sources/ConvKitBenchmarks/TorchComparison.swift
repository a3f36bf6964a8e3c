import ConvKitCore
import Foundation

/// Runs the same operations in PyTorch (2 threads) through a user-given Python, for the
/// side-by-side columns of `convkit bench`. PyTorch is never a dependency: without
/// `--torch` the comparison is simply skipped.
public enum TorchComparison {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `script` with `python`, passing `arguments` as a JSON string, and decodes the
    /// JSON object the script prints last.
    public static func run(python: String, script: String, arguments: String) throws -> [String: Double] {
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-bench-\(UUID()).py")
        try AtomicFile.write(Data(script.utf8), to: scriptURL)
        defer { try? FileManager.default.removeItem(at: scriptURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, scriptURL.path, arguments]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw Failure(description: "cannot run '\(python)': \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = missingModule(errorText).map {
                "that Python has no module '\($0)'; pip install it there, or pass a Python that has it "
                    + "(torch and torchvision; efficientnet_lite_pytorch for efficientnet_lite0)"
            } ?? errorText.split(separator: "\n").suffix(3).joined(separator: "\n")
            throw Failure(description: "the PyTorch comparison failed: \(hint)")
        }
        guard let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] else {
            throw Failure(description: "the PyTorch comparison printed no JSON result")
        }
        return object
    }

    /// ConvKit's time against PyTorch's in words: "2.65x slower", "1.30x faster".
    public static func relativeSpeed(convKitSeconds: Double, torchSeconds: Double) -> String {
        let ratio = convKitSeconds / torchSeconds
        if String(format: "%.2f", ratio) == "1.00" { return "as fast" }
        return ratio > 1 ? String(format: "%.2fx slower", ratio) : String(format: "%.2fx faster", 1 / ratio)
    }

    /// The top-level module named by Python's "No module named 'x.y'" error, if that is the failure.
    static func missingModule(_ errorText: String) -> String? {
        guard let range = errorText.range(of: "No module named '") else { return nil }
        return errorText[range.upperBound...].prefix { $0 != "'" && $0 != "." }.description
    }

    /// Times the op benchmarks in PyTorch; prints `{name: median seconds}`.
    public static let opScript = #"""
import json, sys, time
import torch
torch.set_num_threads(2)
benchmarks = json.loads(sys.argv[1])
repeats = benchmarks["repeats"]

def median(fn):
    for _ in range(2):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    n = len(samples)
    return samples[n // 2] if n % 2 else (samples[n // 2 - 1] + samples[n // 2]) / 2

results = {}
with torch.no_grad():
    for bench in benchmarks["ops"]:
        p = bench["parameters"]
        if bench["kind"] == "sgemm":
            a, b = torch.rand(p[0], p[0]), torch.rand(p[0], p[0])
            results[bench["name"]] = median(lambda: torch.mm(a, b))
            continue
        n, c, h, w, o, k, s, pad = p
        x, weight = torch.rand(n, c, h, w), torch.rand(o, c, k, k)
        y = torch.nn.functional.conv2d(x, weight, stride=s, padding=pad)
        grad = torch.rand_like(y)
        if bench["kind"] == "conv_fwd":
            fn = lambda: torch.nn.functional.conv2d(x, weight, stride=s, padding=pad)
        elif bench["kind"] == "conv_bwd_data":
            fn = lambda: torch.nn.grad.conv2d_input(x.shape, weight, grad, stride=s, padding=pad)
        else:
            fn = lambda: torch.nn.grad.conv2d_weight(x, weight.shape, grad, stride=s, padding=pad)
        results[bench["name"]] = median(fn)
print(json.dumps(results))
"""#
}
