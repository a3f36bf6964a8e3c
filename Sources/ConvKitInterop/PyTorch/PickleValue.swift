/// What the restricted unpickler builds: plain Python data plus the few torch objects
/// a state dict consists of. None of these can run code; unknown globals never get here.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as little-endian two's-complement bytes
    /// (the legacy format's magic number is one).
    case largeInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case global(StateDictGlobal)
    case storage(StorageReference)
    case tensor(TensorRecord)

    /// For errors: what a value is, in Python's terms.
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int, .largeInt: "an int"
        case .float: "a float"
        case .string: "a string"
        case .bytes: "bytes"
        case .tuple: "a tuple"
        case .list: "a list"
        case .dict: "a dict"
        case .global: "a class or function"
        case .storage: "a storage"
        case .tensor: "a tensor"
        }
    }
}

/// Lists and dicts are mutable objects in Python: a pickle memoizes one, then fills it
/// with APPENDS or SETITEMS, and later references must see the filled object.
final class PickleList {
    var items: [PickleValue] = []
}

final class PickleDict {
    /// In insertion order, which for a state dict is the model's parameter order.
    var entries: [(key: PickleValue, value: PickleValue)] = []

    func value(forKey key: String) -> PickleValue? {
        entries.first { if case .string(key) = $0.key { true } else { false } }?.value
    }
}
