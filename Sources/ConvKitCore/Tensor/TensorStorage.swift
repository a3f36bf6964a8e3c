import CDNNL
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
        _ = Self.keepFreedMemoryInHeap
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

    /// Training allocates and frees the same large activation buffers every step. By
    /// default glibc returns blocks over 32 MB to the kernel and maps them again, and the
    /// kernel zeroes every fresh page (10% of a LeNet epoch was page clearing); keeping
    /// freed blocks in the heap makes the next step reuse them.
    private static let keepFreedMemoryInHeap: Void = {
        #if canImport(Glibc)
        mallopt(M_MMAP_THRESHOLD, 1 << 30)
        mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }()
}
