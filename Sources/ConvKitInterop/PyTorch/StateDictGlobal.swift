/// The only globals a checkpoint may name: those `torch.save(model.state_dict())`
/// writes. Anything else (`os.system`, `builtins.eval`, a model's class) is refused as
/// soon as the pickle names it, so nothing from the file is ever executed.
enum StateDictGlobal {
    /// `collections.OrderedDict`, the state dict itself.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensor
    /// `torch._utils._rebuild_parameter(tensor, requires_grad, hooks[, state])`.
    case rebuildParameter
    /// A storage class such as `torch.FloatStorage`, or a dtype such as `torch.float32`.
    case elementType(StorageElement)

    private static let supportedTypes = "float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8 and bool"

    static func resolve(module: String, name: String) throws -> StateDictGlobal {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameter
        case ("torch", _):
            if let element = StorageElement(torchName: name) { return .elementType(element) }
            if looksLikeElementType(name) {
                throw PyTorchCheckpoint.FormatError("unsupported dtype torch.\(name); ConvKit reads tensors of \(supportedTypes)")
            }
        default: break
        }
        let refusal = "refusing pickle global \(module).\(name)"
        // Python classes are capitalized by convention; a pickled class is almost always a whole model.
        if name.first?.isUppercase == true {
            throw PyTorchCheckpoint.FormatError("\(refusal): the file holds a pickled \(name) object rather than a "
                + "state dict (a whole model saved with torch.save(model) can only be rebuilt by running its code); "
                + "save model.state_dict() instead")
        }
        throw PyTorchCheckpoint.FormatError("\(refusal): ConvKit never runs code from a checkpoint and accepts only "
            + "the globals of a state dict (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch storage types)")
    }

    private static func looksLikeElementType(_ name: String) -> Bool {
        name.hasSuffix("Storage")
            || ["complex", "cfloat", "cdouble", "chalf", "float", "int", "uint", "qint", "quint", "bits"].contains { name.hasPrefix($0) }
    }

    /// What REDUCE makes of this global applied to `arguments`.
    func call(_ arguments: [PickleValue]) throws -> PickleValue {
        switch self {
        case .orderedDict:
            // OrderedDict pickles as OrderedDict() followed by SETITEMS.
            guard arguments.isEmpty else {
                throw PyTorchCheckpoint.FormatError("unsupported OrderedDict construction with \(arguments.count) arguments")
            }
            return .dict(PickleDict())
        case .rebuildTensor:
            guard arguments.count >= 4, case .storage(let storage) = arguments[0], case .int(let offset) = arguments[1],
                  let shape = Self.integers(arguments[2]), let strides = Self.integers(arguments[3]) else {
                throw PyTorchCheckpoint.FormatError("malformed arguments to torch._utils._rebuild_tensor_v2: "
                    + arguments.map(\.kind).joined(separator: ", "))
            }
            return .tensor(TensorRecord(storage: storage, offset: offset, shape: shape, strides: strides))
        case .rebuildParameter:
            guard let tensor = arguments.first, case .tensor = tensor else {
                throw PyTorchCheckpoint.FormatError("torch._utils._rebuild_parameter applied to \(arguments.first?.kind ?? "nothing")")
            }
            return tensor
        case .elementType(let element):
            throw PyTorchCheckpoint.FormatError("the pickle calls the \(element) storage type, which a state dict never does")
        }
    }

    private static func integers(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let tuple) = value else { return nil }
        let items = tuple.items
        let integers = items.compactMap { if case .int(let integer) = $0 { integer } else { nil } }
        return integers.count == items.count ? integers : nil
    }

    /// Reads PyTorch's persistent id for a storage saved outside the pickle:
    /// `('storage', storage_type, key, location, numel[, view_metadata])`.
    static func storage(persistentID: PickleValue) throws -> StorageReference {
        guard case .tuple(let tuple) = persistentID, case let fields = tuple.items, fields.count >= 5,
              case .string("storage") = fields[0], case .global(.elementType(let element)) = fields[1],
              case .string(let key) = fields[2], case .int(let count) = fields[4], count >= 0 else {
            throw PyTorchCheckpoint.FormatError("unsupported persistent id (expected ('storage', type, key, location, size))")
        }
        if fields.count > 5 {
            guard case .none = fields[5] else {
                throw PyTorchCheckpoint.FormatError("storage \(key) is a storage view, written only by PyTorch before 0.4; "
                    + "re-save the checkpoint with a current PyTorch")
            }
        }
        return StorageReference(key: key, element: element, count: count)
    }
}
