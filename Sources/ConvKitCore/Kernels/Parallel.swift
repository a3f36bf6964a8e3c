import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Threads the Swift-side kernels split work over: one per online core, as oneDNN does.
let kernelThreadCount = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

/// Lets a non-escaping kernel body cross into `concurrentPerform`, which wants a
/// `@Sendable` closure. Safe because chunks write disjoint ranges and the call
/// returns only after every chunk has finished.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// Splits `0..<count` into contiguous chunks run on all cores, or runs it inline when
/// the work is too small to repay the hand-off (several microseconds per dispatch).
@inline(__always)
func parallelFor(_ count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let chunks = min(kernelThreadCount, count / max(grain, 1))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    let chunkSize = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { escapable in
        let work = UncheckedSendable(value: escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(count, start + chunkSize)
            if start < end { work.value(start..<end) }
        }
    }
}
