/// Loops over strided N-d views, shared by copies, reductions and broadcasting
/// elementwise kernels.
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
    /// Each operand's stride along a row.
    func rowStep(_ operand: Int) -> Int { strides[operand][shape.count - 1] }

    /// Calls `body(row, offsets)` for rows `rows` in row-major order, with each operand's
    /// element offset at the row's start. Offsets advance like an odometer, so no row
    /// pays for an index decomposition or an allocation.
    func forEachRow(_ rows: Range<Int>, _ body: (Int, UnsafeBufferPointer<Int>) -> Void) {
        let outer = shape.count - 1, operands = strides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(outer, 1) + operands) { scratch in
            let index = UnsafeMutableBufferPointer(rebasing: scratch[0..<max(outer, 1)])
            let offsets = UnsafeMutableBufferPointer(rebasing: scratch[max(outer, 1)...])
            // Position of the first row.
            var remaining = rows.lowerBound
            for operand in 0..<operands { offsets[operand] = 0 }
            for axis in stride(from: outer - 1, through: 0, by: -1) {
                index[axis] = remaining % shape[axis]
                remaining /= shape[axis]
                for operand in 0..<operands { offsets[operand] += index[axis] * strides[operand][axis] }
            }
            for row in rows {
                body(row, UnsafeBufferPointer(offsets))
                var axis = outer - 1
                while axis >= 0 {
                    index[axis] += 1
                    for operand in 0..<operands { offsets[operand] += strides[operand][axis] }
                    if index[axis] < shape[axis] { break }
                    for operand in 0..<operands { offsets[operand] -= shape[axis] * strides[operand][axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Copies a strided view into a contiguous buffer.
func copyStrided<T>(from source: UnsafePointer<T>, shape: [Int], strides: [Int], to destination: UnsafeMutablePointer<T>) {
    let layout = StridedLayout(shape: shape, strides: [strides, Tensor.contiguousStrides(for: shape)])
    let rowLength = layout.rowLength, step = layout.rowStep(0)
    layout.forEachRow(0..<layout.rowCount) { row, offsets in
        let from = source + offsets[0], to = destination + row * rowLength
        if step == 1 {
            to.update(from: from, count: rowLength)
        } else {
            for index in 0..<rowLength { to[index] = from[index * step] }
        }
    }
}

/// A binary elementwise function as a type, so each kernel loop is specialized for it
/// and vectorized (a closure called per element ran 7x slower than PyTorch's add).
protocol BinaryFunction {
    static func apply(_ a: Float, _ b: Float) -> Float
}

/// `out[i] = F(a[i], b[i])` where `a` and `b` are strided (possibly broadcast) views of
/// `shape` and `out` is contiguous.
func binaryMap<F: BinaryFunction>(_: F.Type, _ a: UnsafePointer<Float>, _ aStrides: [Int], _ b: UnsafePointer<Float>,
                                  _ bStrides: [Int], shape: [Int], into out: UnsafeMutablePointer<Float>) {
    let layout = StridedLayout(shape: shape, strides: [aStrides, bStrides, Tensor.contiguousStrides(for: shape)])
    let rowLength = layout.rowLength
    let aStep = layout.rowStep(0), bStep = layout.rowStep(1)
    if layout.rowCount == 1 && aStep == 1 && bStep == 1 {
        parallelFor(rowLength) { range in
            for i in range { out[i] = F.apply(a[i], b[i]) }
        }
        return
    }
    parallelFor(layout.rowCount, grain: max(1, 32_768 / max(rowLength, 1))) { rows in
        layout.forEachRow(rows) { row, offsets in
            let pa = a + offsets[0], pb = b + offsets[1], po = out + row * rowLength
            switch (aStep, bStep) {
            case (1, 1): for i in 0..<rowLength { po[i] = F.apply(pa[i], pb[i]) }
            case (1, 0): let bv = pb[0]; for i in 0..<rowLength { po[i] = F.apply(pa[i], bv) }
            case (0, 1): let av = pa[0]; for i in 0..<rowLength { po[i] = F.apply(av, pb[i]) }
            default: for i in 0..<rowLength { po[i] = F.apply(pa[i * aStep], pb[i * bStep]) }
            }
        }
    }
}

enum Add: BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum Subtract: BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum Multiply: BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum Divide: BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
