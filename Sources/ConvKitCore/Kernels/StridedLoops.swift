/// Loops over strided N-d views, shared by copies and broadcasting elementwise kernels.
///
/// Dimensions that are contiguous in every operand are merged first, so a typical
/// broadcast (bias over `[N, C, H, W]`) runs as a few long inner rows rather than
/// one loop iteration per element.
struct StridedLayout {
    var shape: [Int]
    /// One stride list per operand, all of length `shape.count`.
    var strides: [[Int]]

    init(shape: [Int], strides: [[Int]]) {
        var mergedShape: [Int] = []
        var mergedStrides: [[Int]] = Array(repeating: [], count: strides.count)
        for axis in shape.indices where shape[axis] != 1 {
            if let last = mergedShape.indices.last,
               strides.indices.allSatisfy({ mergedStrides[$0][last] == strides[$0][axis] * shape[axis] }) {
                mergedShape[last] *= shape[axis]
                for operand in strides.indices { mergedStrides[operand][last] = strides[operand][axis] }
            } else {
                mergedShape.append(shape[axis])
                for operand in strides.indices { mergedStrides[operand].append(strides[operand][axis]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            mergedStrides = strides.map { _ in [1] }
        }
        self.shape = mergedShape
        self.strides = mergedStrides
    }

    var rowLength: Int { shape[shape.count - 1] }
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// Element offsets of each operand at the start of row `row` (rows in row-major order).
    func rowOffsets(_ row: Int) -> [Int] {
        var offsets = [Int](repeating: 0, count: strides.count)
        var remaining = row
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            let index = remaining % shape[axis]
            remaining /= shape[axis]
            for operand in strides.indices { offsets[operand] += index * strides[operand][axis] }
        }
        return offsets
    }
}

/// Copies a strided view into a contiguous buffer.
func copyStrided<T>(from source: UnsafePointer<T>, shape: [Int], strides: [Int], to destination: UnsafeMutablePointer<T>) {
    let layout = StridedLayout(shape: shape, strides: [strides, Tensor.contiguousStrides(for: shape)])
    let rowLength = layout.rowLength
    let sourceStride = layout.strides[0][layout.shape.count - 1]
    for row in 0..<layout.rowCount {
        let offsets = layout.rowOffsets(row)
        let from = source + offsets[0]
        let to = destination + row * rowLength
        if sourceStride == 1 {
            to.update(from: from, count: rowLength)
        } else {
            for index in 0..<rowLength { to[index] = from[index * sourceStride] }
        }
    }
}

/// `out[i] = f(a[i], b[i])` where `a` and `b` are strided (possibly broadcast) views of
/// `shape` and `out` is contiguous.
@inline(__always)
func binaryMap(_ a: UnsafePointer<Float>, _ aStrides: [Int], _ b: UnsafePointer<Float>, _ bStrides: [Int],
               shape: [Int], into out: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float) {
    let layout = StridedLayout(shape: shape, strides: [aStrides, bStrides, Tensor.contiguousStrides(for: shape)])
    let rowLength = layout.rowLength
    let last = layout.shape.count - 1
    let aStep = layout.strides[0][last], bStep = layout.strides[1][last]
    let rowsPerChunk = max(1, 32_768 / max(rowLength, 1))
    let rowCount = layout.rowCount
    if rowCount == 1 {
        parallelFor(rowLength) { range in
            for i in range { out[i] = f(a[i * aStep], b[i * bStep]) }
        }
        return
    }
    parallelFor(rowCount, grain: rowsPerChunk) { rows in
        for row in rows {
            let offsets = layout.rowOffsets(row)
            let pa = a + offsets[0], pb = b + offsets[1], po = out + row * rowLength
            switch (aStep, bStep) {
            case (1, 1): for i in 0..<rowLength { po[i] = f(pa[i], pb[i]) }
            case (1, 0): let bv = pb[0]; for i in 0..<rowLength { po[i] = f(pa[i], bv) }
            case (0, 1): let av = pa[0]; for i in 0..<rowLength { po[i] = f(av, pb[i]) }
            default: for i in 0..<rowLength { po[i] = f(pa[i * aStep], pb[i * bStep]) }
            }
        }
    }
}

/// `out[i] = f(x[i])` over contiguous buffers, on all cores when large.
@inline(__always)
func unaryMap(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>, _ f: (Float) -> Float) {
    parallelFor(count) { range in
        for i in range { out[i] = f(x[i]) }
    }
}
