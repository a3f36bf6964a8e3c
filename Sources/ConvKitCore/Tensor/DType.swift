/// Element types a tensor can hold.
///
/// Float32 carries all arithmetic and gradients; int64 holds class labels and indices
/// (as PyTorch's `torch.long`), uint8 holds decoded image bytes.
public enum DType: String, Sendable, CaseIterable {
    case float32
    case int64
    case uint8

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .int64: 8
        case .uint8: 1
        }
    }
}
