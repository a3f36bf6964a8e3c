/// What the restricted unpickler builds: plain Python data plus the few torch objects
/// a state dict consists of. None of these can run code; unknown globals never get here.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as little-endian two's-complement bytes
    /// (the legacy format's magic number is one).
    case largeInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    case global(StateDictGlobal)
    case storage(StorageReference)
    case tensor(TensorRecord)

    /// How many tuples, lists and dicts deep the value nests: 0 for a scalar, 1 for a flat tuple.
    var depth: Int { container?.depth ?? 0 }

    var container: PickleContainer? {
        switch self {
        case .tuple(let tuple): tuple
        case .list(let list): list
        case .dict(let dict): dict
        default: nil
        }
    }

    /// Frees `values` without recursing. Swift releases nested containers recursively, a
    /// chain of stack frames per level, which a deep pickle would overflow; here each
    /// container hands its items to a work list and is emptied (which also breaks cycles).
    static func dismantle(_ values: [PickleValue]) {
        var pending = values
        while let value = pending.popLast() {
            switch value {
            case .tuple(let tuple): pending += tuple.items; tuple.items = []
            case .list(let list): pending += list.items; list.items = []
            case .dict(let dict):
                for entry in dict.entries { pending += [entry.key, entry.value] }
                dict.entries = []
            default: break
            }
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

/// Tuples, lists and dicts, with their nesting depth kept so that checking a new
/// container never walks its items. They are objects so that ``PickleValue/dismantle(_:)``
/// can empty each one once, however many values share it.
class PickleContainer {
    /// One more than the deepest item added so far.
    var depth = 1
    /// Whether the container already sits inside another value, whose depth would go
    /// stale if this one grew deeper.
    var isNested = false
}

final class PickleTuple: PickleContainer {
    /// Fixed once built, except when dismantled.
    var items: [PickleValue]

    init(_ items: [PickleValue], depth: Int) {
        self.items = items
        super.init()
        self.depth = depth
    }
}

/// Lists and dicts are mutable objects in Python: a pickle memoizes one, then fills it
/// with APPENDS or SETITEMS, and later references must see the filled object.
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
