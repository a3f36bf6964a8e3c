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
    /// With its nesting depth, kept so that checking a new tuple never walks its items.
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    case global(StateDictGlobal)
    case storage(StorageReference)
    case tensor(TensorRecord)

    /// How many tuples, lists and dicts deep the value nests: 0 for a scalar, 1 for a flat tuple.
    var depth: Int {
        if case .tuple(_, let depth) = self { return depth }
        return container?.depth ?? 0
    }

    var container: PickleContainer? {
        switch self {
        case .list(let list): list
        case .dict(let dict): dict
        default: nil
        }
    }

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
class PickleContainer {
    /// One more than the deepest item added so far.
    var depth = 1
    /// Whether the container already sits inside another value, whose depth would go
    /// stale if this one grew deeper.
    var isNested = false
}

final class PickleList: PickleContainer {
    var items: [PickleValue] = []
}

final class PickleDict: PickleContainer {
    /// In insertion order, which for a state dict is the model's parameter order.
    var entries: [(key: PickleValue, value: PickleValue)] = []

    func value(forKey key: String) -> PickleValue? {
        entries.first { if case .string(key) = $0.key { true } else { false } }?.value
    }
}
