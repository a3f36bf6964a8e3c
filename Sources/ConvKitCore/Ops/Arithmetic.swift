/// Elementwise arithmetic with NumPy/PyTorch broadcasting.
extension Tensor {
    /// The shape two operands broadcast to, or an error naming both shapes.
    static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = Swift.max(a.count, b.count)
        return try (0..<rank).map { axis in
            let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw TensorError("\(op): shapes \(describe(a)) and \(describe(b)) cannot be broadcast together "
                    + "(dimension \(axis) is \(da) vs \(db))")
            }
            return Swift.max(da, db)
        }
    }

    /// Sums a broadcast gradient back down to `target` (the shape before broadcasting).
    func summed(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (axis, size) in target.enumerated() where size == 1 && shape[lead + axis] != 1 {
            axes.append(lead + axis)
        }
        return try sum(axes: axes, keepingDimensions: true).reshaped(target)
    }

    /// Applies `f` to broadcast pairs of elements; records no graph.
    func broadcastingMap(_ other: Tensor, op: String, _ f: (Float, Float) -> Float) throws -> Tensor {
        try requireDType(.float32, for: op)
        try other.requireDType(.float32, for: op)
        let outShape = try Tensor.broadcastShape(shape, other.shape, op: op)
        let a = try detached().expanded(to: outShape), b = try other.detached().expanded(to: outShape)
        let result = Tensor(uninitializedShape: outShape)
        binaryMap(a.floatPointer, a.strides, b.floatPointer, b.strides, shape: outShape, into: result.floatPointer, f)
        return result
    }

    /// Applies `f` to every element; records no graph.
    func map(_ f: (Float) -> Float) -> Tensor {
        precondition(dtype == .float32, "elementwise math on a \(dtype) tensor; convert it to float32 first")
        let source = isContiguous ? self : materialized()
        let result = Tensor(uninitializedShape: shape)
        unaryMap(source.floatPointer, count: count, into: result.floatPointer, f)
        return result
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "add", +).recording("add", inputs: [a, b]) { g in
            [try g.summed(toShape: a.shape), try g.summed(toShape: b.shape)]
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "sub", -).recording("sub", inputs: [a, b]) { g in
            [try g.summed(toShape: a.shape), try (-g).summed(toShape: b.shape)]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "mul", *).recording("mul", inputs: [a, b]) { g in
            [a.requiresGrad ? try (g * b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? try (g * a).summed(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "div", /).recording("div", inputs: [a, b]) { g in
            [a.requiresGrad ? try (g / b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? try (-(g * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.map { -$0 }.recording("neg", inputs: [x]) { g in [-g] }
    }

    public static func + (a: Tensor, b: Float) -> Tensor {
        a.map { $0 + b }.recording("add_scalar", inputs: [a]) { g in [g] }
    }

    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    public static func * (a: Tensor, b: Float) -> Tensor {
        a.map { $0 * b }.recording("mul_scalar", inputs: [a]) { g in [g * b] }
    }

    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }

    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    public static func - (a: Float, b: Tensor) -> Tensor { (-b) + a }
}
