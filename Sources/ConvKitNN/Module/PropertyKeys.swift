/// Marks a stored tensor as a buffer: state saved in the state dict (running
/// statistics, counters) that never receives gradients and never becomes trainable.
///
/// ```swift
/// @Buffer("running_mean") var runningMean: Tensor
/// ```
@propertyWrapper
public struct Buffer: StateProperty {
    public var wrappedValue: Tensor
    public let key: String?

    public init(wrappedValue: Tensor, _ key: String? = nil) {
        self.wrappedValue = wrappedValue
        self.key = key
    }

    var stateValue: Any { wrappedValue }
    var isBuffer: Bool { true }
}

/// Gives a parameter or child module the checkpoint key its checkpoints use when that
/// key is not a good Swift name (EfficientNet's `_conv_stem`, `_blocks`, `_fc`).
///
/// ```swift
/// @Key("_conv_stem") var convStem: Conv2d
/// ```
@propertyWrapper
public struct Key<Value>: StateProperty {
    public var wrappedValue: Value
    public let key: String?

    public init(wrappedValue: Value, _ key: String) {
        self.wrappedValue = wrappedValue
        self.key = key
    }

    var stateValue: Any { wrappedValue }
    var isBuffer: Bool { false }
}

/// What reflection needs from a property wrapper: the wrapped value, its key, its kind.
protocol StateProperty {
    var stateValue: Any { get }
    var key: String? { get }
    var isBuffer: Bool { get }
}
