/// Matrix products: `matmul` with batch broadcasting and the fully connected `linear`.
extension Tensor {
    /// The last two dimensions of this view as a GEMM operand, copying only when they
    /// are neither row- nor column-major.
    fileprivate func gemmOperand(matrixAt offset: Int) -> GemmOperand {
        let rows = shape[rank - 2], columns = shape[rank - 1]
        let rowStride = strides[rank - 2], columnStride = strides[rank - 1]
        if columnStride == 1 && (rowStride >= Swift.max(columns, 1) || rows == 1) {
            return GemmOperand(pointer: floatPointer + offset, transposed: false, leadingDimension: Swift.max(rowStride, columns))
        }
        if rowStride == 1 && (columnStride >= Swift.max(rows, 1) || columns == 1) {
            return GemmOperand(pointer: floatPointer + offset, transposed: true, leadingDimension: Swift.max(columnStride, rows))
        }
        preconditionFailure("gemmOperand called on a view that needs materializing first")
    }

    fileprivate var isGemmReady: Bool {
        let rowStride = strides[rank - 2], columnStride = strides[rank - 1]
        return (columnStride == 1 && rowStride >= shape[rank - 1]) || (rowStride == 1 && columnStride >= shape[rank - 2])
    }
}

/// Matrix product of `a [..., M, K]` and `b [..., K, N]`; leading batch dimensions
/// broadcast as in `torch.matmul`. Both operands need rank >= 2.
public func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    guard a.dtype == .float32, b.dtype == .float32, a.rank >= 2, b.rank >= 2 else {
        throw TensorError("matmul needs float32 tensors of rank >= 2, got \(describe(a.shape)) and \(describe(b.shape))")
    }
    let (m, k, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1])
    guard b.shape[b.rank - 2] == k else {
        throw TensorError("matmul: shapes \(describe(a.shape)) and \(describe(b.shape)) do not fit "
            + "(\(k) columns vs \(b.shape[b.rank - 2]) rows)")
    }
    let batchShape = try Tensor.broadcastShape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
    let batchCount = batchShape.reduce(1, *)
    func prepared(_ x: Tensor, _ rows: Int, _ columns: Int) throws -> Tensor {
        let ready = x.isGemmReady ? x.detached() : x.materialized()
        return try ready.expanded(to: batchShape + [rows, columns])
    }
    let left = try prepared(a, m, k), right = try prepared(b, k, n)
    let output = Tensor(uninitializedShape: batchShape + [m, n])
    let batchRank = batchShape.count
    for batch in 0..<batchCount {
        var remaining = batch, leftOffset = 0, rightOffset = 0
        for axis in stride(from: batchRank - 1, through: 0, by: -1) {
            let index = remaining % batchShape[axis]
            remaining /= batchShape[axis]
            leftOffset += index * left.strides[axis]
            rightOffset += index * right.strides[axis]
        }
        gemm(m: m, n: n, k: k, left.gemmOperand(matrixAt: leftOffset), right.gemmOperand(matrixAt: rightOffset),
             c: output.floatPointer + batch * m * n, ldc: n)
    }
    return output.recording("matmul", inputs: [a, b]) { g in
        [a.requiresGrad ? try matmul(g, b.transposed()).summed(toShape: a.shape) : nil,
         b.requiresGrad ? try matmul(a.transposed(), g).summed(toShape: b.shape) : nil]
    }
}

/// A fully connected layer's computation, `x Wᵀ + b`, for `x [..., in]`,
/// `weight [out, in]` and `bias [out]` (PyTorch's layout, so checkpoints load as is).
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    guard input.rank >= 1, weight.rank == 2, input.shape[input.rank - 1] == weight.shape[1] else {
        throw TensorError("linear: input \(describe(input.shape)) does not fit weight \(describe(weight.shape)) "
            + "(the last input dimension must equal the weight's in-features)")
    }
    if let bias, bias.shape != [weight.shape[0]] {
        throw TensorError("linear: bias \(describe(bias.shape)) must be [\(weight.shape[0])] for weight \(describe(weight.shape))")
    }
    let flat = try input.reshaped([-1, weight.shape[1]])
    // Its own backward rather than matmul's: the weight gradient comes out as gᵀx, already in the
    // weight's [out, in] layout, where matmul's would be a transposed view the optimizer has to copy.
    var output = try withNoGrad { try matmul(flat, weight.transposed()) }
        .recording("linear", inputs: [flat, weight]) { g in
            [flat.requiresGrad ? try matmul(g, weight) : nil,
             weight.requiresGrad ? try matmul(g.transposed(), flat) : nil]
        }
    if let bias { output = try output + bias }
    return try output.reshaped(Array(input.shape.dropLast()) + [weight.shape[0]])
}
