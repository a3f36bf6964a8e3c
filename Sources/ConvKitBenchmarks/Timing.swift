import Dispatch

/// Median wall time of `body` over `repeats` runs after `warmup` runs, in seconds.
/// Medians, not means, so one interrupted run does not skew the figure.
public func medianSeconds(warmup: Int = 2, repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    for _ in 0..<max(repeats, 1) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    samples.sort()
    let middle = samples.count / 2
    return samples.count % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2
}
