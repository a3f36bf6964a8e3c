extension Tensor {
    /// Overwrites this tensor's elements with `source`'s (same shape), converting the
    /// element type if needed. In place, so every holder of this tensor (a module, an
    /// optimizer) sees the new values; records no graph.
    public func copyValues(from source: Tensor) throws {
        guard source.shape == shape else {
            throw TensorError("copyValues: source shape \(describe(source.shape)) does not match \(describe(shape))")
        }
        guard isContiguous else {
            throw TensorError("copyValues: the destination of shape \(describe(shape)) must be contiguous")
        }
        let converted = source.dtype == dtype ? source.materialized() : source.converted(to: dtype)
        storage.base.advanced(by: offset * dtype.byteSize)
            .copyMemory(from: converted.storage.base, byteCount: count * dtype.byteSize)
    }

    /// A contiguous copy with another element type (floats truncate toward zero when
    /// converted to integers, as PyTorch's `.long()`).
    public func converted(to newType: DType) -> Tensor {
        switch newType {
        case .float32: return Tensor(scalars, shape: shape)
        case .int64: return Tensor(integers: scalars.map { Int($0) }, shape: shape)
        case .uint8: return Tensor(bytes: scalars.map { UInt8(clamping: Int($0)) }, shape: shape)
        }
    }
}
