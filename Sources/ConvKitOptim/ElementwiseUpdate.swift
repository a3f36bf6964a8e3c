/// Elements per chunk of an update loop. The updates are memory-bound streams over
/// several buffers, so a tensor only pays for the hand-off to both cores once it is
/// large (a 64K-element chunk streams ~1 MB across four buffers).
private let updateGrain = 1 << 16

/// Runs an elementwise update over `0..<count` in contiguous chunks on all cores. The
/// chunks are disjoint, so each element's arithmetic (and result) does not depend on
/// how the work was split.
func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
    parallelFor(count, grain: updateGrain, body)
}

extension OptimizerState {
    /// Takes a buffer out of the dictionary, zero-filled on first use. The caller puts
    /// it back after updating it: taken out, the array is uniquely referenced, so the
    /// in-place update copies nothing.
    mutating func takeBuffer(_ name: String, count: Int) -> [Float] {
        buffers.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
    }
}

/// Runs `body` with mutable buffer pointers to three arrays at once (an unused one may be
/// empty), so update loops index raw memory: no bounds or uniqueness checks, which keeps
/// them vectorizable and safe to split across threads.
func withMutableBuffers<R>(
    _ first: inout [Float], _ second: inout [Float], _ third: inout [Float],
    _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> R
) -> R {
    first.withUnsafeMutableBufferPointer { a in
        second.withUnsafeMutableBufferPointer { b in
            third.withUnsafeMutableBufferPointer { c in body(a, b, c) }
        }
    }
}
