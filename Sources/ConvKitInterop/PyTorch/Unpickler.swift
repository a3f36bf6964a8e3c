import ConvKitCore

/// A pickle virtual machine restricted to what state dicts use (protocols 2 to 5).
///
/// Unlike Python's unpickler it never imports or calls anything: GLOBAL opcodes resolve
/// through ``StateDictGlobal``'s allow-list, REDUCE only applies those, and persistent
/// ids only name storages.
struct Unpickler {
    private let limits: ResourceLimits
    private var stack: [PickleValue] = []
    /// Stack heights at each MARK.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Reads one pickle, leaving `reader` just after its STOP opcode (legacy checkpoints
    /// are several pickles in a row), and returns what `read` makes of its value. The values
    /// live only during `read`: then they are dismantled without recursion, so a deep pickle
    /// cannot overflow the stack whatever the limits. Nesting deeper than `limits.maxPickleDepth`
    /// is refused as it is built.
    static func load<Result>(_ reader: inout ByteReader, limits: ResourceLimits,
                             _ read: (PickleValue) throws -> Result) throws -> Result {
        var machine = Unpickler(limits: limits)
        defer { PickleValue.dismantle(machine.stack + machine.memo.values) }
        while true {
            let opcodeOffset = reader.position
            let opcode = try reader.byte()
            if opcode == 0x2E {  // STOP
                let root = try machine.pop()
                defer { PickleValue.dismantle([root]) }
                return try read(root)
            }
            do {
                try machine.execute(opcode, reader: &reader)
            } catch let error as PyTorchCheckpoint.FormatError {
                throw PyTorchCheckpoint.FormatError("\(error.description) (pickle opcode 0x\(String(opcode, radix: 16)) "
                    + "at byte \(opcodeOffset))")
            }
        }
    }

    private mutating func execute(_ opcode: UInt8, reader: inout ByteReader) throws {
        switch opcode {
        case 0x80:  // PROTO
            let version = try reader.byte()
            guard (2...5).contains(version) else {
                throw PyTorchCheckpoint.FormatError("unsupported pickle protocol \(version)")
            }
        case 0x95: _ = try reader.integer(UInt64.self)  // FRAME: only a read-ahead hint
        case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
        case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
        case 0x29: stack.append(.tuple(PickleTuple([], depth: 1)))  // EMPTY_TUPLE
        case 0x28: marks.append(stack.count)  // MARK
        case 0x4E: stack.append(.none)
        case 0x88: stack.append(.bool(true))
        case 0x89: stack.append(.bool(false))
        case 0x4A: stack.append(.int(Int(try reader.integer(Int32.self))))  // BININT
        case 0x4B: stack.append(.int(Int(try reader.byte())))  // BININT1
        case 0x4D: stack.append(.int(Int(try reader.integer(UInt16.self))))  // BININT2
        case 0x8A: stack.append(Self.long(try reader.array(reader.length(UInt8.self))))  // LONG1
        case 0x8B: stack.append(Self.long(try reader.array(reader.length(UInt32.self))))  // LONG4
        case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try reader.integer(UInt64.self)))))  // BINFLOAT
        case 0x8C: stack.append(.string(try reader.string(reader.length(UInt8.self))))  // SHORT_BINUNICODE
        case 0x58: stack.append(.string(try reader.string(reader.length(UInt32.self))))  // BINUNICODE
        case 0x8D: stack.append(.string(try reader.string(reader.length(UInt64.self))))  // BINUNICODE8
        case 0x43: stack.append(.bytes(try reader.array(reader.length(UInt8.self))))  // SHORT_BINBYTES
        case 0x42: stack.append(.bytes(try reader.array(reader.length(UInt32.self))))  // BINBYTES
        case 0x8E: stack.append(.bytes(try reader.array(reader.length(UInt64.self))))  // BINBYTES8
        case 0x85: stack.append(try tuple(pop(1)))  // TUPLE1
        case 0x86: stack.append(try tuple(pop(2)))  // TUPLE2
        case 0x87: stack.append(try tuple(pop(3)))  // TUPLE3
        case 0x74: stack.append(try tuple(popToMark()))  // TUPLE
        // The items are popped first: calling a method on self captures the stack as it is.
        case 0x61: let items = try pop(1); try append(items)  // APPEND
        case 0x65: let items = try popToMark(); try append(items)  // APPENDS
        case 0x73: let items = try pop(2); try setItems(items)  // SETITEM
        case 0x75: let items = try popToMark(); try setItems(items)  // SETITEMS
        case 0x30: _ = try pop()  // POP
        case 0x31: _ = try popToMark()  // POP_MARK
        case 0x68: stack.append(try recall(Int(reader.byte())))  // BINGET
        case 0x6A: stack.append(try recall(Int(reader.integer(UInt32.self))))  // LONG_BINGET
        case 0x71: try memoize(at: Int(reader.byte()))  // BINPUT
        case 0x72: try memoize(at: Int(reader.integer(UInt32.self)))  // LONG_BINPUT
        case 0x94: try memoize(at: memo.count)  // MEMOIZE
        case 0x63:  // GLOBAL
            stack.append(.global(try StateDictGlobal.resolve(module: reader.line(), name: reader.line())))
        case 0x93:  // STACK_GLOBAL
            let names = try pop(2)
            guard case .string(let module) = names[0], case .string(let name) = names[1] else {
                throw PyTorchCheckpoint.FormatError("STACK_GLOBAL needs two strings, got \(names[0].kind) and \(names[1].kind)")
            }
            stack.append(.global(try StateDictGlobal.resolve(module: module, name: name)))
        case 0x52:  // REDUCE
            let application = try pop(2)
            guard case .global(let callable) = application[0], case .tuple(let arguments) = application[1] else {
                throw PyTorchCheckpoint.FormatError("REDUCE applies \(application[0].kind) to \(application[1].kind)")
            }
            stack.append(try callable.call(arguments.items))
        case 0x62:  // BUILD
            // Only an OrderedDict gets state: its `_metadata` attribute of module versions, which ConvKit does not need.
            let state = try pop()
            guard case .dict = try top() else {
                throw PyTorchCheckpoint.FormatError("BUILD sets state (\(state.kind)) on \(try top().kind), which a state dict never does")
            }
        case 0x51: stack.append(.storage(try StateDictGlobal.storage(persistentID: pop())))  // BINPERSID
        default:
            throw PyTorchCheckpoint.FormatError("unsupported pickle opcode; ConvKit reads state dicts only")
        }
    }

    /// LONG1/LONG4 payloads: little-endian two's complement.
    private static func long(_ bytes: [UInt8]) -> PickleValue {
        guard bytes.count <= 8 else { return .largeInt(bytes) }
        let negative = (bytes.last ?? 0) & 0x80 != 0
        let padded = bytes + [UInt8](repeating: negative ? 0xFF : 0, count: 8 - bytes.count)
        return .int(Int(truncatingIfNeeded: padded.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw PyTorchCheckpoint.FormatError("corrupt pickle: stack underflow")
        }
        return value
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last else { throw PyTorchCheckpoint.FormatError("corrupt pickle: stack underflow") }
        return value
    }

    private mutating func pop(_ count: Int) throws -> [PickleValue] {
        guard stack.count - count >= (marks.last ?? 0) else {
            throw PyTorchCheckpoint.FormatError("corrupt pickle: stack underflow")
        }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw PyTorchCheckpoint.FormatError("corrupt pickle: no MARK") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func recall(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw PyTorchCheckpoint.FormatError("corrupt pickle: memo entry \(index) is unset") }
        return value
    }

    private mutating func memoize(at index: Int) throws { memo[index] = try top() }

    private func append(_ items: [PickleValue]) throws {
        guard case .list(let list) = try top() else {
            throw PyTorchCheckpoint.FormatError("APPEND to \(try top().kind)")
        }
        try deepen(list, toHold: items)
        list.items += items
    }

    private func setItems(_ items: [PickleValue]) throws {
        guard case .dict(let dict) = try top(), items.count.isMultiple(of: 2) else {
            throw PyTorchCheckpoint.FormatError("SETITEMS on \(try top().kind) with \(items.count) keys and values")
        }
        try deepen(dict, toHold: items)
        for pair in stride(from: 0, to: items.count, by: 2) { dict.entries.append((items[pair], items[pair + 1])) }
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue {
        .tuple(PickleTuple(items, depth: try depthEnclosing(items)))
    }

    private func deepen(_ container: PickleContainer, toHold items: [PickleValue]) throws {
        let depth = try depthEnclosing(items)
        guard depth > container.depth else { return }
        // Python's pickler fills a list or dict before placing it in another; growing one that is
        // already inside another (a cycle, or a crafted file) would make the outer depths stale.
        guard !container.isNested else {
            throw PyTorchCheckpoint.FormatError("the pickle deepens a list or dict after placing it inside another value, "
                + "which state dicts never do")
        }
        container.depth = depth
    }

    /// The depth of a value holding `items`, which from now on count as nested.
    private func depthEnclosing(_ items: [PickleValue]) throws -> Int {
        let depth = 1 + (items.lazy.map(\.depth).max() ?? 0)
        guard depth <= limits.maxPickleDepth else {
            throw PyTorchCheckpoint.FormatError("the pickle nests tuples, lists and dicts more than \(limits.maxPickleDepth) "
                + "deep (a state dict needs a few levels); raise CONVKIT_MAX_PICKLE_DEPTH if the file is trusted")
        }
        for item in items { item.container?.isNested = true }
        return depth
    }
}
