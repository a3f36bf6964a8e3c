/// Shape-changing views: no data is copied unless the layout demands it.
extension Tensor {
    /// A contiguous copy of this view's elements, with no graph recorded.
    func materialized() -> Tensor {
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        switch dtype {
        case .float32:
            copyStrided(from: floatPointer, shape: shape, strides: strides, to: result.floatPointer)
        case .int64:
            copyStrided(from: storage.base.assumingMemoryBound(to: Int.self) + offset, shape: shape, strides: strides,
                        to: result.storage.base.assumingMemoryBound(to: Int.self))
        case .uint8:
            copyStrided(from: storage.base.assumingMemoryBound(to: UInt8.self) + offset, shape: shape, strides: strides,
                        to: result.storage.base.assumingMemoryBound(to: UInt8.self))
        }
        return result
    }

    /// This tensor if already contiguous, otherwise a contiguous copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return materialized().recording("contiguous", inputs: [self]) { gradient in [gradient] }
    }

    /// The same elements with a new shape; one dimension may be `-1` and is inferred.
    /// A view when the data is contiguous, a copy otherwise.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try resolveShape(newShape)
        let source = contiguous()
        let result = Tensor(storage: source.storage, shape: resolved, strides: Tensor.contiguousStrides(for: resolved),
                            offset: source.offset, dtype: dtype)
        let originalShape = shape
        return result.recording("reshape", inputs: [source]) { gradient in
            [try gradient.reshaped(originalShape)]
        }
    }

    private func resolveShape(_ newShape: [Int]) throws -> [Int] {
        let inferred = newShape.filter { $0 == -1 }.count
        guard inferred <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError("reshape: shape \(describe(newShape)) may hold at most one -1 and no other negative size")
        }
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        var resolved = newShape
        if let index = newShape.firstIndex(of: -1) {
            guard known > 0, count % known == 0 else {
                throw TensorError("reshape: cannot view a tensor of shape \(describe(shape)) (\(count) elements) "
                    + "as \(describe(newShape))")
            }
            resolved[index] = count / known
        }
        guard resolved.reduce(1, *) == count else {
            throw TensorError("reshape: cannot view a tensor of shape \(describe(shape)) (\(count) elements) "
                + "as \(describe(newShape)) (\(resolved.reduce(1, *)) elements)")
        }
        return resolved
    }

    /// Flattens dimensions `startAxis...endAxis` into one, as `torch.flatten`.
    public func flattened(from startAxis: Int = 0, to endAxis: Int = -1) throws -> Tensor {
        guard rank > 0 else { return try reshaped([1]) }
        let start = try resolvedAxis(startAxis, for: "flatten"), end = try resolvedAxis(endAxis, for: "flatten")
        guard start <= end else {
            throw TensorError("flatten: start axis \(startAxis) comes after end axis \(endAxis) for shape \(describe(shape))")
        }
        let merged = shape[start...end].reduce(1, *)
        return try reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func unsqueezed(at axis: Int) throws -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        guard position >= 0, position <= rank else {
            throw TensorError("unsqueeze: axis \(axis) is out of range for shape \(describe(shape))")
        }
        var newShape = shape
        newShape.insert(1, at: position)
        return try reshaped(newShape)
    }

    /// Removes dimensions of size 1 (all of them, or only `axis`).
    public func squeezed(at axis: Int? = nil) throws -> Tensor {
        if let axis {
            let resolved = try resolvedAxis(axis, for: "squeeze")
            guard shape[resolved] == 1 else { return self }
            var newShape = shape
            newShape.remove(at: resolved)
            return try reshaped(newShape)
        }
        return try reshaped(shape.filter { $0 != 1 })
    }

    /// Reorders dimensions: result dimension `i` is this tensor's dimension `order[i]`.
    public func permuted(_ order: [Int]) throws -> Tensor {
        let resolved = try order.map { try resolvedAxis($0, for: "permute") }
        guard resolved.count == rank, Set(resolved).count == rank else {
            throw TensorError("permute: order \(describe(order)) is not a permutation of the \(rank) axes of "
                + "shape \(describe(shape))")
        }
        let result = Tensor(storage: storage, shape: resolved.map { shape[$0] }, strides: resolved.map { strides[$0] },
                            offset: offset, dtype: dtype)
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in resolved.enumerated() { inverse[axis] = position }
        return result.recording("permute", inputs: [self]) { gradient in [try gradient.permuted(inverse)] }
    }

    /// Swaps two dimensions.
    public func transposed(_ first: Int = -2, _ second: Int = -1) throws -> Tensor {
        let a = try resolvedAxis(first, for: "transpose"), b = try resolvedAxis(second, for: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permuted(order)
    }

    /// Broadcasts size-1 dimensions (and missing leading ones) to `newShape` without copying.
    public func expanded(to newShape: [Int]) throws -> Tensor {
        guard newShape.count >= rank else {
            throw TensorError("expand: cannot expand shape \(describe(shape)) to fewer dimensions \(describe(newShape))")
        }
        let lead = newShape.count - rank
        var newStrides = [Int](repeating: 0, count: newShape.count)
        for axis in 0..<rank {
            let target = newShape[lead + axis]
            if shape[axis] == target {
                newStrides[lead + axis] = strides[axis]
            } else if shape[axis] != 1 {
                throw TensorError("expand: dimension \(axis) of shape \(describe(shape)) has size \(shape[axis]) "
                    + "and cannot be broadcast to \(describe(newShape))")
            }
        }
        if newShape == shape { return self }
        let result = Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset, dtype: dtype)
        let originalShape = shape
        return result.recording("expand", inputs: [self]) { gradient in [try gradient.summed(toShape: originalShape)] }
    }

    /// Elements `start..<end` (every `step`-th) along `axis`, as a view.
    public func sliced(axis: Int, start: Int, end: Int? = nil, step: Int = 1) throws -> Tensor {
        let resolvedAxis = try resolvedAxis(axis, for: "slice")
        let size = shape[resolvedAxis]
        let lower = Swift.min(Swift.max(start < 0 ? start + size : start, 0), size)
        let upper = Swift.min(Swift.max((end ?? size) < 0 ? (end ?? size) + size : (end ?? size), lower), size)
        guard step > 0 else { throw TensorError("slice: step must be positive, got \(step)") }
        var newShape = shape, newStrides = strides
        newShape[resolvedAxis] = (upper - lower + step - 1) / step
        newStrides[resolvedAxis] *= step
        let result = Tensor(storage: storage, shape: newShape, strides: newStrides,
                            offset: offset + lower * strides[resolvedAxis], dtype: dtype)
        let originalShape = shape
        return result.recording("slice", inputs: [self]) { gradient in
            let full = Tensor.zeros(originalShape)
            let window = try full.sliced(axis: resolvedAxis, start: lower, end: upper, step: step)
            copyStrided(from: gradient.contiguous().floatPointer, shape: window.shape,
                        strides: Tensor.contiguousStrides(for: window.shape), toStrided: window)
            return [full]
        }
    }

    /// Row `index` along the first axis, without that axis.
    public subscript(index: Int) -> Tensor {
        get throws {
            guard rank > 0, index >= -shape[0], index < shape[0] else {
                throw TensorError("index \(index) is out of range for shape \(describe(shape))")
            }
            return try sliced(axis: 0, start: index, end: index < 0 ? (index + 1 == 0 ? nil : index + 1) : index + 1)
                .squeezed(at: 0)
        }
    }
}

/// Copies contiguous `source` into the strided view `destination` (used to scatter gradients).
func copyStrided(from source: UnsafePointer<Float>, shape: [Int], strides: [Int], toStrided destination: Tensor) {
    let layout = StridedLayout(shape: shape, strides: [destination.strides, strides])
    let rowLength = layout.rowLength
    let destinationStep = layout.rowStep(0), sourceStep = layout.rowStep(1)
    let base = destination.floatPointer
    layout.forEachRow(0..<layout.rowCount) { _, offsets in
        for index in 0..<rowLength {
            base[offsets[0] + index * destinationStep] = source[offsets[1] + index * sourceStep]
        }
    }
}
