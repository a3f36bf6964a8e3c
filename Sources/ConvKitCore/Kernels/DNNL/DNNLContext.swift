import CDNNL
import Synchronization

/// The process-wide oneDNN CPU engine and stream, and a cache of primitives.
///
/// Building a primitive descriptor costs tens of microseconds to milliseconds (oneDNN
/// searches its implementations and JIT-compiles a kernel), so each distinct layer
/// configuration is built once and reused for every later call.
final class DNNLContext: @unchecked Sendable {
    static let shared = DNNLContext()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    /// Serializes every oneDNN call and owns the one scratchpad they share. The stream is
    /// not safe to use from two threads at once; each call already uses both cores.
    let executionLock = Mutex<Scratchpad>(Scratchpad())

    /// Working memory for primitives, grown to the largest request. Primitives use this
    /// user-managed scratchpad rather than oneDNN's default thread-local one, which is
    /// bound to the thread that created the primitive: a primitive cached on one thread
    /// and run on another wrote through that thread's smaller buffer and corrupted the heap.
    struct Scratchpad: ~Copyable {
        private var storage: TensorStorage?

        mutating func buffer(bytes: Int) -> UnsafeMutableRawPointer {
            if storage.map({ $0.byteCount < bytes }) ?? true { storage = TensorStorage(byteCount: bytes, zeroed: false) }
            return storage!.base
        }
    }
    private let cache = Mutex<[CacheKey: DNNLPrimitive]>([:])

    /// Keys are small immutable values (geometries, layout bytes), safe to share.
    private struct CacheKey: Hashable, @unchecked Sendable { let value: AnyHashable }

    private init() {
        var engine: dnnl_engine_t?
        var stream: dnnl_stream_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine,
              dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success, let stream
        else { fatalError("ConvKit: oneDNN could not create a CPU engine; is libdnnl2 installed correctly?") }
        self.engine = engine
        self.stream = stream
    }

    /// The cached primitive for `key` (a small Hashable value describing the operation),
    /// building it with `make` on first use.
    func primitive(_ key: AnyHashable, make: () throws -> DNNLPrimitive) throws -> DNNLPrimitive {
        let key = CacheKey(value: key)
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let built = try make()
        cache.withLock { $0[key] = built }
        return built
    }
}

/// A primitive descriptor with its primitive; both live as long as the cache.
final class DNNLPrimitive: @unchecked Sendable {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Creates the descriptor from an operation descriptor (`op` points to e.g. a
    /// `dnnl_convolution_desc_t`), with an optional forward hint for backward passes.
    /// `attributes` (post-ops) may be given; either way the scratchpad is set user-managed.
    init(operation: UnsafeRawPointer, attributes: dnnl_primitive_attr_t? = nil, hint: DNNLPrimitive? = nil,
         what: String) throws {
        let attributes = try attributes ?? DNNLPrimitive.makeAttributes()
        defer { dnnl_primitive_attr_destroy(attributes) }
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), what)
        var descriptor: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&descriptor, operation, attributes, DNNLContext.shared.engine,
                                                 hint?.descriptor), what)
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, descriptor), what)
        self.descriptor = descriptor!
        self.primitive = primitive!
    }

    /// Wraps a descriptor created elsewhere (reorders have their own constructor).
    init(descriptor: dnnl_primitive_desc_t, what: String) throws {
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, descriptor), what)
        self.descriptor = descriptor
        self.primitive = primitive!
    }

    /// Fresh attributes with a user-managed scratchpad; the caller destroys them.
    static func makeAttributes() throws -> dnnl_primitive_attr_t {
        var attributes: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&attributes), "primitive attributes")
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "primitive attributes")
        return attributes!
    }

    /// The memory layout the primitive chose for one of its arguments.
    func memoryDescriptor(_ query: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(descriptor, query, index).pointee
    }

    /// Bytes of scratch workspace the primitive needs kept between forward and backward.
    var workspaceBytes: Int {
        var md = memoryDescriptor(dnnl_query_workspace_md)
        return dnnl_memory_desc_get_size(&md)
    }

    /// Runs the primitive with raw buffers for each argument and waits for it.
    func execute(_ arguments: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)], what: String) throws {
        let context = DNNLContext.shared
        var memories: [dnnl_memory_t?] = []
        defer { for memory in memories { dnnl_memory_destroy(memory) } }
        var execArguments: [dnnl_exec_arg_t] = []
        for (argument, descriptor, pointer) in arguments {
            var descriptor = descriptor
            var memory: dnnl_memory_t?
            try dnnlCheck(dnnl_memory_create(&memory, &descriptor, context.engine, pointer), what)
            memories.append(memory)
            execArguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
        }
        let scratchpadDescriptor = memoryDescriptor(dnnl_query_scratchpad_md)
        try context.executionLock.withLock { scratchpad in
            if scratchpadDescriptor.byteSize > 0 {
                var descriptor = scratchpadDescriptor
                var memory: dnnl_memory_t?
                try dnnlCheck(dnnl_memory_create(&memory, &descriptor, context.engine,
                                                 scratchpad.buffer(bytes: scratchpadDescriptor.byteSize)), what)
                memories.append(memory)
                execArguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
            }
            try dnnlCheck(dnnl_primitive_execute(primitive, context.stream, Int32(execArguments.count), execArguments), what)
            try dnnlCheck(dnnl_stream_wait(context.stream), what)
        }
    }
}

func dnnlCheck(_ status: dnnl_status_t, _ what: String) throws {
    guard status == dnnl_success else {
        throw TensorError("\(what): oneDNN failed with status \(status.rawValue)")
    }
}

/// A plain (row-major) oneDNN memory descriptor for float32 data of `dims`, or an
/// "any" descriptor that lets the primitive pick its preferred blocked layout.
func dnnlDescriptor(_ dims: [Int], tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
    var descriptor = dnnl_memory_desc_t()
    let dims64 = dims.map(Int64.init)
    _ = dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), dims64, dnnl_f32, tag)
    return descriptor
}

/// Row-major tag for a given rank (`a`, `ab`, `abc`, `abcd`, `abcde`).
func dnnlPlainTag(rank: Int) -> dnnl_format_tag_t {
    [dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde][rank - 1]
}

extension dnnl_memory_desc_t {
    var byteSize: Int {
        var copy = self
        return dnnl_memory_desc_get_size(&copy)
    }

    func isSameLayout(as other: dnnl_memory_desc_t) -> Bool {
        var a = self, b = other
        return dnnl_memory_desc_equal(&a, &b) != 0
    }
}
