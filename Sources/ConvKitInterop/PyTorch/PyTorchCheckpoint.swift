import ConvKitCore
import Foundation

/// Reads checkpoints written by `torch.save(model.state_dict(), path)`, without PyTorch
/// and without running anything from the file.
///
/// Both formats are understood: the zip archive PyTorch writes by default since 1.6
/// (`<name>/data.pkl` plus one `<name>/data/<key>` record per storage) and the legacy
/// stream of pickles followed by raw storages. The pickles go through a restricted
/// unpickler that accepts only the globals a state dict consists of and refuses
/// everything else by name (`os.system`, a model class), so a malicious or whole-model
/// file fails with an error instead of executing code.
public enum PyTorchCheckpoint {
    public struct FormatError: Error, CustomStringConvertible {
        public let description: String

        init(_ description: String) { self.description = description }
    }

    /// The state dict's tensors in their saved order (the model's parameter order).
    ///
    /// Every tensor comes back contiguous, with PyTorch's shape (weights of a
    /// convolution `[out, in / groups, kH, kW]`, of a linear layer `[out, in]`): float32,
    /// float16, bfloat16 and float64 become float32; int64, int32, int16 and int8 (such
    /// as `num_batches_tracked`) become int64; uint8 and bool stay uint8. Views saved
    /// with offsets and strides (transposes, slices, tensors sharing a storage) are
    /// copied out element by element.
    ///
    /// - Parameter limits: the bounds on pickle nesting, tensor sizes and view expansion;
    ///   a file beyond them is refused before anything is allocated for it.
    public static func read(_ url: URL, limits: ResourceLimits = .current) throws -> [(String, Tensor)] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw FormatError(ErrorMessage.line(for: error))
        }
        return try decode(data, name: url.path, limits: limits)
    }

    /// The state dict as a dictionary, ready for `Module.loadStateDict`.
    public static func load(_ url: URL, limits: ResourceLimits = .current) throws -> [String: Tensor] {
        Dictionary(try read(url, limits: limits), uniquingKeysWith: { first, _ in first })
    }

    /// Decodes a checkpoint held in memory; `name` (usually the path) prefixes every error.
    public static func decode(_ data: Data, name: String = "checkpoint",
                              limits: ResourceLimits = .current) throws -> [(String, Tensor)] {
        let bytes = [UInt8](data)
        do {
            if ZipArchive.isZip(bytes) { return try decodeZip(bytes, limits: limits) }
            if bytes.first == 0x80 { return try decodeLegacy(bytes, limits: limits) }
            throw FormatError("not a PyTorch checkpoint: it is neither a zip archive nor a pickle")
        } catch let error as FormatError {
            throw FormatError("\(name): \(error.description)")
        } catch let error as TensorError {
            throw FormatError("\(name): \(error.description)")
        }
    }

    private static func decodeZip(_ bytes: [UInt8], limits: ResourceLimits) throws -> [(String, Tensor)] {
        let archive = try ZipArchive(bytes)
        guard let pickle = archive.entries.first(where: { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }) else {
            throw FormatError("a zip archive without data.pkl is not a PyTorch checkpoint")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let byteOrder = archive.entry(named: prefix + "byteorder") {
            try requireLittleEndian(String(decoding: try archive.contents(of: byteOrder), as: UTF8.self) == "little")
        }
        var reader = ByteReader(try archive.contents(of: pickle))
        let records = try Unpickler.load(&reader, limits: limits, stateDictRecords)
        return try materialize(records, limits: limits) { storage, byteCount in
            let path = prefix + "data/" + storage.key
            guard let entry = archive.entry(named: path) else { throw FormatError("missing storage record \(path)") }
            // Checked before inflating, so a small deflated entry cannot claim gigabytes the pickle never asked for.
            guard entry.uncompressedSize <= byteCount else {
                throw FormatError("storage record \(path) holds \(entry.uncompressedSize) bytes, more than its "
                    + "\(storage.count) \(storage.element) elements need (\(byteCount))")
            }
            return try archive.contents(of: entry)[...]
        }
    }

    /// 0x1950a86a20f9469cfc6c, little-endian: the first pickle of every legacy checkpoint.
    private static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Legacy layout: magic number, protocol version and system info pickles, the state
    /// dict pickle, a pickled list of storage keys, then per key an 8-byte element count
    /// and the raw elements.
    private static func decodeLegacy(_ bytes: [UInt8], limits: ResourceLimits) throws -> [(String, Tensor)] {
        var reader = ByteReader(bytes)
        guard try Unpickler.load(&reader, limits: limits, { if case .largeInt(legacyMagic) = $0 { true } else { false } }) else {
            throw FormatError("a pickle without PyTorch's magic number is not a torch.save checkpoint")
        }
        guard try Unpickler.load(&reader, limits: limits, { if case .int(1001) = $0 { true } else { false } }) else {
            throw FormatError("unsupported legacy checkpoint protocol version (expected 1001)")
        }
        try Unpickler.load(&reader, limits: limits) { systemInfo in
            if case .dict(let systemInfo) = systemInfo, case .bool(let littleEndian) = systemInfo.value(forKey: "little_endian") {
                try requireLittleEndian(littleEndian)
            }
        }
        let records = try Unpickler.load(&reader, limits: limits, stateDictRecords)
        let keys = try Unpickler.load(&reader, limits: limits) { keyList in
            guard case .list(let keyList) = keyList else {
                throw FormatError("the list of storage keys after the state dict is missing")
            }
            return try keyList.items.map { item in
                guard case .string(let key) = item else {
                    throw FormatError("the list of storage keys holds \(item.kind), not a string")
                }
                return key
            }
        }
        // Records store only element counts; the element size comes from the tensors using them.
        let storages = Dictionary(records.map { ($0.1.storage.key, $0.1.storage) }, uniquingKeysWith: { first, _ in first })
        var ranges: [String: Range<Int>] = [:]
        for key in keys {
            guard let storage = storages[key] else { throw FormatError("storage record \(key) is listed but no tensor uses it") }
            let count = try reader.integer(UInt64.self)
            let (byteCount, overflow) = Int(clamping: count).multipliedReportingOverflow(by: storage.element.byteSize)
            guard !overflow else { throw FormatError("storage record \(key) claims an impossible \(count) elements") }
            ranges[key] = try reader.take(byteCount)
        }
        return try materialize(records, limits: limits) { storage, _ in
            guard let range = ranges[storage.key] else { throw FormatError("missing storage record \(storage.key)") }
            return bytes[range]
        }
    }

    private static func requireLittleEndian(_ isLittleEndian: Bool) throws {
        guard isLittleEndian else {
            throw FormatError("the checkpoint was saved on a big-endian machine; only little-endian checkpoints are supported")
        }
    }

    /// The tensors of the top-level dict; anything else means the file is not a plain state dict.
    private static func stateDictRecords(_ root: PickleValue) throws -> [(String, TensorRecord)] {
        let advice = "save model.state_dict() on its own"
        guard case .dict(let dict) = root else {
            throw FormatError("the checkpoint holds \(root.kind), not a state dict; \(advice)")
        }
        return try dict.entries.map { key, value in
            guard case .string(let name) = key else {
                throw FormatError("the state dict has a key that is \(key.kind), not a string")
            }
            guard case .tensor(let record) = value else {
                throw FormatError("key '\(name)' holds \(value.kind), not a tensor: this is not a plain state dict; \(advice)")
            }
            return (name, record)
        }
    }

    /// Decodes each storage once, however many tensors view it; `storageBytes` is given the
    /// byte count the pickle claims for the storage, already checked against `limits`.
    private static func materialize(_ records: [(String, TensorRecord)], limits: ResourceLimits,
                                    storageBytes: (StorageReference, Int) throws -> ArraySlice<UInt8>) throws -> [(String, Tensor)] {
        var storages: [StorageReference: StorageValues] = [:]
        for (_, record) in records where storages[record.storage] == nil {
            let storage = record.storage
            let count = try limits.elementCount(of: [storage.count], for: "storage record \(storage.key)")
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: storage.element.byteSize)
            guard !overflow else { throw FormatError("storage record \(storage.key) claims an impossible \(count) elements") }
            storages[storage] = try StorageValues(decoding: storageBytes(storage, byteCount), as: storage)
        }
        // Stride-0 views repeat elements legitimately, but a 1-element storage must not become a 4 TB tensor.
        let stored = max(storages.keys.reduce(0) { $0 + $1.count }, 1)
        let (product, overflow) = stored.multipliedReportingOverflow(by: limits.maxViewExpansion)
        let allowed = overflow ? Int.max : product
        var viewed = 0
        return try records.map { name, record in
            let count = try record.elementCount(name: name, limits: limits)
            guard count <= allowed - viewed else {
                throw FormatError("tensor '\(name)' with shape \(record.shape) and strides \(record.strides) takes the "
                    + "checkpoint's tensors past \(allowed) elements, \(limits.maxViewExpansion) times the \(stored) its storages "
                    + "hold; raise CONVKIT_MAX_VIEW_EXPANSION if the file is trusted")
            }
            viewed += count
            return (name, record.tensor(from: storages[record.storage]!, count: count))
        }
    }
}
