/// The base class of every layer and model: a plain Swift class whose stored properties
/// are its parameters (`Tensor`), buffers (`@Buffer`) and children (`Module`,
/// `[Module]`, optionals of either).
///
/// State is found by reflection, so a layer declares properties and nothing else; the
/// dotted names it produces are the checkpoint format (`layer1.0.conv1.weight`), in the
/// order PyTorch's `state_dict()` uses: a module's own parameters, then its buffers,
/// then its children. Properties whose Swift name differs from the checkpoint key carry
/// `@Key("...")` or `@Buffer("...")`.
///
/// Subclasses implement ``forward(_:)``; callers use `module(x)`, which also runs any
/// forward hooks (feature extraction and Grad-CAM read intermediate outputs that way).
open class Module {
    /// Training mode switches dropout and batch-norm statistics; see ``train(_:)``.
    public private(set) var isTraining = true
    /// Called with each input and output of this module; see ``addForwardHook(_:)``.
    private var forwardHooks: [Int: (Module, Tensor, Tensor) throws -> Void] = [:]
    private var nextHookID = 0

    public init() {}

    /// The computation of this module. Override it; call the module as a function.
    open func forward(_ input: Tensor) throws -> Tensor {
        throw TensorError("\(type(of: self)) does not implement forward(_:)")
    }

    public final func callAsFunction(_ input: Tensor) throws -> Tensor {
        let output = try forward(input)
        for hook in forwardHooks.values { try hook(self, input, output) }
        return output
    }

    /// Registers `hook` to see every call of this module as `(module, input, output)`,
    /// like PyTorch's forward hooks; returns a token for removal.
    @discardableResult
    public func addForwardHook(_ hook: @escaping (Module, Tensor, Tensor) throws -> Void) -> ForwardHookToken {
        nextHookID += 1
        forwardHooks[nextHookID] = hook
        return ForwardHookToken(module: self, id: nextHookID)
    }

    func removeForwardHook(id: Int) { forwardHooks[id] = nil }

    /// Sets training mode on this module and all descendants (`false` is evaluation mode).
    open func train(_ mode: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = mode }
    }

    /// Evaluation mode: dropout off, batch norm uses running statistics.
    public func eval() { train(false) }

    /// The children in the order their properties are declared, with their keys.
    /// `Sequential` overrides this to number its layers.
    open var namedChildren: [(String, Module)] {
        reflectedState().compactMap { entry in entry.module.map { (entry.key, $0) } }
    }

    /// This module's own parameters (not its children's), in declaration order.
    var ownParameters: [(String, Tensor)] {
        reflectedState().compactMap { entry in entry.isBuffer ? nil : entry.tensor.map { (entry.key, $0) } }
    }

    /// This module's own buffers, in declaration order.
    var ownBuffers: [(String, Tensor)] {
        reflectedState().compactMap { entry in entry.isBuffer ? entry.tensor.map { (entry.key, $0) } : nil }
    }

    private struct ReflectedEntry {
        var key: String
        var tensor: Tensor?
        var module: Module?
        var isBuffer = false
    }

    private func reflectedState() -> [ReflectedEntry] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        var entries: [ReflectedEntry] = []
        for mirror in mirrors {
            for child in mirror.children {
                guard var key = child.label else { continue }
                var value = child.value
                var isBuffer = false
                if let property = value as? StateProperty {
                    // A wrapper's backing storage is labelled `_name`; its key defaults to `name`.
                    key = property.key ?? String(key.dropFirst())
                    value = property.stateValue
                    isBuffer = property.isBuffer
                }
                entries += Module.entries(key: key, value: value, isBuffer: isBuffer)
            }
        }
        return entries
    }

    private static func entries(key: String, value: Any, isBuffer: Bool) -> [ReflectedEntry] {
        switch value {
        case let tensor as Tensor:
            return [ReflectedEntry(key: key, tensor: tensor, isBuffer: isBuffer)]
        case let module as Module:
            return [ReflectedEntry(key: key, module: module)]
        case let modules as [Module]:
            return modules.enumerated().map { ReflectedEntry(key: "\(key).\($0.offset)", module: $0.element) }
        default:
            // Optionals (`Tensor?`, `Conv2d?`) arrive boxed as Any; look inside them.
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional, let wrapped = mirror.children.first?.value {
                return entries(key: key, value: wrapped, isBuffer: isBuffer)
            }
            return []
        }
    }
}

/// Removes a forward hook when asked (or keep it to leave the hook installed).
public struct ForwardHookToken {
    weak var module: Module?
    let id: Int

    public func remove() { module?.removeForwardHook(id: id) }
}
