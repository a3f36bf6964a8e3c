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

    /// Applies `F` to broadcast pairs of elements; records no graph.
    func broadcastingMap<F: BinaryFunction>(_ other: Tensor, op: String, _ function: F.Type) throws -> Tensor {
        try requireDType(.float32, for: op)
        try other.requireDType(.float32, for: op)
        let outShape = try Tensor.broadcastShape(shape, other.shape, op: op)
        let a = try detached().expanded(to: outShape), b = try other.detached().expanded(to: outShape)
        let result = Tensor(uninitializedShape: outShape)
        binaryMap(F.self, a.floatPointer, a.strides, b.floatPointer, b.strides, shape: outShape, into: result.floatPointer)
        return result
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "add", Add.self).recording("add", inputs: [a, b]) { g in
            [try g.summed(toShape: a.shape), try g.summed(toShape: b.shape)]
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "sub", Subtract.self).recording("sub", inputs: [a, b]) { g in
            [try g.summed(toShape: a.shape), try (-g).summed(toShape: b.shape)]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "mul", Multiply.self).recording("mul", inputs: [a, b]) { g in
            [a.requiresGrad ? try (g * b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? try (g * a).summed(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try a.broadcastingMap(b, op: "div", Divide.self).recording("div", inputs: [a, b]) { g in
            [a.requiresGrad ? try (g / b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? try (-(g * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.elementwise(Affine(scale: -1, shift: 0))
    }

    public static func + (a: Tensor, b: Float) -> Tensor {
        a.elementwise(Affine(scale: 1, shift: b))
    }

    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    public static func * (a: Tensor, b: Float) -> Tensor {
        a.elementwise(Affine(scale: b, shift: 0))
    }

    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }

    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    public static func - (a: Float, b: Tensor) -> Tensor { (-b) + a }
}

/// `scale * x + shift`: arithmetic with a Float operand.
struct Affine: ElementwiseFunction {
    static let name = "affine"
    let scale, shift: Float
    func value(_ x: Float) -> Float { scale * x + shift }
    func derivative(x: Float, y: Float) -> Float { scale }
}
