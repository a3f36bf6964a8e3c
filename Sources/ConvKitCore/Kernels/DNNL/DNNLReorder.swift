import CDNNL

/// Moving data between ConvKit's plain layouts and the blocked layouts oneDNN's fastest
/// kernels want (e.g. `nChw16c`), with scratch buffers for the blocked copies.
enum DNNLReorder {
    /// Copies `source` (laid out as `from`) into `destination` (laid out as `to`).
    static func run(from: dnnl_memory_desc_t, _ source: UnsafeMutableRawPointer,
                    to: dnnl_memory_desc_t, _ destination: UnsafeMutableRawPointer) throws {
        let reorder = try DNNLContext.shared.primitive(ReorderKey(from: bytes(of: from), to: bytes(of: to))) {
            var descriptor: dnnl_primitive_desc_t?
            var fromCopy = from, toCopy = to
            let engine = DNNLContext.shared.engine
            let attributes = try DNNLPrimitive.makeAttributes()
            defer { dnnl_primitive_attr_destroy(attributes) }
            try dnnlCheck(dnnl_reorder_primitive_desc_create(&descriptor, &fromCopy, engine, &toCopy, engine, attributes),
                          "reorder")
            return try DNNLPrimitive(descriptor: descriptor!, what: "reorder")
        }
        try reorder.execute([(DNNL_ARG_FROM, from, source), (DNNL_ARG_TO, to, destination)], what: "reorder")
    }

    /// A buffer holding `user` data in the layout `wanted`: the user's own pointer when
    /// the layouts agree, otherwise a reordered scratch copy (when `copyIn`).
    static func staged(user: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer, wanted: dnnl_memory_desc_t,
                       copyIn: Bool) throws -> StagedBuffer {
        if user.isSameLayout(as: wanted) { return StagedBuffer(pointer: pointer, storage: nil) }
        // Outputs need no zeroing: the primitive overwrites every element.
        let storage = TensorStorage(byteCount: wanted.byteSize, zeroed: false)
        if copyIn { try run(from: user, pointer, to: wanted, storage.base) }
        return StagedBuffer(pointer: storage.base, storage: storage)
    }

    private struct ReorderKey: Hashable {
        let from: [UInt8]
        let to: [UInt8]
    }

    /// A memory descriptor's bytes, which identify its layout exactly.
    private static func bytes(of descriptor: dnnl_memory_desc_t) -> [UInt8] {
        withUnsafeBytes(of: descriptor) { Array($0) }
    }
}

/// Data in the layout a primitive wants; `storage` is non-nil when it is a scratch copy.
struct StagedBuffer {
    let pointer: UnsafeMutableRawPointer
    let storage: TensorStorage?

    /// Copies a scratch result back into the user's buffer.
    func copyOut(as wanted: dnnl_memory_desc_t, to user: dnnl_memory_desc_t, _ destination: UnsafeMutableRawPointer) throws {
        guard storage != nil else { return }
        try DNNLReorder.run(from: wanted, pointer, to: user, destination)
    }
}
