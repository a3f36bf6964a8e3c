import CDNNL

/// One matrix operand of a GEMM: a pointer, whether it is stored transposed, and its
/// leading dimension. Lets transposed views (`b.transposed()`) multiply without a copy.
struct GemmOperand {
    let pointer: UnsafePointer<Float>
    let transposed: Bool
    let leadingDimension: Int
}

/// `C = alpha * op(A) * op(B) + beta * C` on row-major `C [m, n]`, by oneDNN's JIT sgemm
/// (AVX-512 on this class of CPU, threaded over both cores).
func gemm(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, alpha: Float = 1, beta: Float = 0,
          c: UnsafeMutablePointer<Float>, ldc: Int) {
    let status = DNNLContext.shared.executionLock.withLock { _ in dnnl_sgemm(a.transposed ? 84 : 78, b.transposed ? 84 : 78,  // 'T' or 'N'
                            Int64(m), Int64(n), Int64(k), alpha, a.pointer, Int64(a.leadingDimension),
                            b.pointer, Int64(b.leadingDimension), beta, c, Int64(ldc)) }
    precondition(status == dnnl_success, "dnnl_sgemm failed for m \(m) n \(n) k \(k): status \(status.rawValue)")
}
