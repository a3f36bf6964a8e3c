import CDNNL

/// Threads the Swift-side kernels split work over: oneDNN's OpenMP pool (one per core).
let kernelThreadCount = Int(omp_get_max_threads())

/// A kernel body and its range, handed through OpenMP's `void *` context.
private struct ParallelWork {
    let body: (Range<Int>) -> Void
    let count: Int
    let chunkSize: Int
}

/// Splits `0..<count` into contiguous chunks run on all cores, or runs it inline when
/// the work is too small to repay the hand-off.
///
/// The chunks run on libgomp's thread pool — the one oneDNN uses — so kernels
/// alternating between oneDNN and Swift never have two pools' threads spinning against
/// each other on the same cores.
@inline(__always)
package func parallelFor(_ count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let chunks = min(kernelThreadCount, count / max(grain, 1))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { escapable in
        var work = ParallelWork(body: escapable, count: count, chunkSize: (count + chunks - 1) / chunks)
        withUnsafeMutablePointer(to: &work) { pointer in
            GOMP_parallel({ context in
                let work = context!.assumingMemoryBound(to: ParallelWork.self).pointee
                let start = Int(omp_get_thread_num()) * work.chunkSize
                let end = min(work.count, start + work.chunkSize)
                if start < end { work.body(start..<end) }
            }, pointer, UInt32(chunks), 0)
        }
    }
}
