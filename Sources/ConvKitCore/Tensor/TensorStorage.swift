#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64-byte aligned block of memory shared by a tensor and all of its views.
///
/// Alignment to a cache line lets the vector kernels and oneDNN use aligned loads.
public final class TensorStorage: @unchecked Sendable {
    public let byteCount: Int
    package let base: UnsafeMutableRawPointer

    package init(byteCount: Int, zeroed: Bool) {
        var pointer: UnsafeMutableRawPointer?
        let status = posix_memalign(&pointer, 64, max(byteCount, 64))
        guard status == 0, let pointer else {
            fatalError("ConvKit: out of memory allocating \(byteCount) bytes")
        }
        if zeroed { memset(pointer, 0, byteCount) }
        self.base = pointer
        self.byteCount = byteCount
    }

    deinit { free(base) }
}
