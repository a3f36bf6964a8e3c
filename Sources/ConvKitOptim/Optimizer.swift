/// Parameters that share hyperparameters, as a PyTorch param group: fine-tuning gives
/// earlier layers smaller learning rates by putting them in their own group.
public struct ParameterGroup {
    public var parameters: [Tensor]
    public var learningRate: Float
    public var weightDecay: Float
    /// Shown in logs, e.g. `"backbone"`.
    public var name: String

    public init(_ parameters: [Tensor], learningRate: Float, weightDecay: Float = 0, name: String = "") {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.name = name
    }
}

/// Per-parameter optimizer state that can be saved in a checkpoint.
public protocol OptimizerState {
    init(count: Int)
    /// Named buffers, e.g. `["momentum_buffer": ...]`.
    var buffers: [String: [Float]] { get set }
}

/// Walks the parameter groups, skipping frozen parameters and those without a
/// gradient; a subclass writes only the update of one parameter (with its typed state).
open class Optimizer<State: OptimizerState> {
    public var groups: [ParameterGroup]
    /// Completed `step()` calls.
    public private(set) var stepCount = 0
    private var slots: [ObjectIdentifier: Slot] = [:]

    /// A parameter's state and its own update count. PyTorch counts steps per
    /// parameter, so one that starts receiving gradients late (a layer unfrozen while
    /// fine-tuning) gets Adam's full bias correction on its first update.
    private struct Slot {
        var state: State
        var steps = 0
    }

    public init(groups: [ParameterGroup]) throws {
        for group in groups {
            guard group.learningRate >= 0, group.weightDecay >= 0 else {
                throw TensorError("optimizer: learning rate \(group.learningRate) and weight decay \(group.weightDecay) "
                    + "must not be negative")
            }
            for parameter in group.parameters where parameter.dtype != .float32 || !parameter.isContiguous || !parameter.isLeaf {
                throw TensorError("optimizer: parameters must be contiguous float32 leaves; got one of shape "
                    + "\(parameter.shape) (\(parameter.dtype))")
            }
        }
        self.groups = groups
    }

    /// The optimizer's name in checkpoints, so state is never loaded into a different kind.
    open var kind: String { String(describing: type(of: self)) }

    /// Settings fixed at construction (betas, momentum, ...), written to checkpoints.
    open var hyperparameters: [String: String] { [:] }

    /// Updates every parameter that has a gradient, in place, without recording a graph.
    public func step() throws {
        stepCount += 1
        try withNoGrad {
            for group in groups {
                for parameter in group.parameters where parameter.requiresGrad {
                    guard let gradient = parameter.grad else { continue }
                    guard gradient.shape == parameter.shape else {
                        throw TensorError("optimizer: gradient \(gradient.shape) does not match parameter \(parameter.shape)")
                    }
                    let key = ObjectIdentifier(parameter)
                    var slot = slots.removeValue(forKey: key) ?? Slot(state: State(count: parameter.count))
                    slot.steps += 1
                    gradient.withFloats { g in
                        parameter.withMutableFloats { p in update(p, gradient: g, state: &slot.state, step: slot.steps, group: group) }
                    }
                    slots[key] = slot
                }
            }
        }
    }

    /// Forgets all gradients (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.grad = nil } }
    }

    /// One parameter's update; `step` counts this parameter's updates, starting at 1.
    open func update(_ parameter: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
                     state: inout State, step: Int, group: ParameterGroup) {
        fatalError("\(type(of: self)) must override update(_:gradient:state:step:group:)")
    }

    /// State for a checkpoint: `state.<index>.<buffer>` over parameters in group order;
    /// the metadata holds the kind, the step counts, every group's rate and decay and
    /// the hyperparameters, all under `optimizer_`.
    public func stateDict() -> (tensors: [String: Tensor], metadata: [String: String]) {
        var tensors: [String: Tensor] = [:]
        var metadata = ["optimizer_kind": kind, "optimizer_steps": String(stepCount),
                        "optimizer_parameters": String(allParameters.count), "optimizer_groups": String(groups.count)]
        for (index, parameter) in allParameters.enumerated() {
            guard let slot = slots[ObjectIdentifier(parameter)] else { continue }
            for (name, values) in slot.state.buffers { tensors["state.\(index).\(name)"] = Tensor(values, shape: parameter.shape) }
            metadata["optimizer_step.\(index)"] = String(slot.steps)
        }
        for (index, group) in groups.enumerated() {
            metadata["optimizer_lr.\(index)"] = String(group.learningRate)
            metadata["optimizer_weight_decay.\(index)"] = String(group.weightDecay)
        }
        for (name, value) in hyperparameters { metadata["optimizer_\(name)"] = value }
        return (tensors, metadata)
    }

    /// Restores what ``stateDict()`` saved (group rates and decays included). The
    /// optimizer must be of the same kind, with parameters matching in number and shape;
    /// otherwise nothing changes and the error says what differs.
    public func loadStateDict(tensors: [String: Tensor], metadata: [String: String]) throws {
        let parameters = allParameters
        try expectMetadata(metadata, "optimizer_kind", kind, "kind")
        try expectMetadata(metadata, "optimizer_parameters", String(parameters.count), "parameter count")
        try expectMetadata(metadata, "optimizer_groups", String(groups.count), "group count")
        let savedSteps = metadata["optimizer_steps"].flatMap(Int.init) ?? 0
        var restored: [ObjectIdentifier: Slot] = [:]
        // Sorted, so a bad checkpoint always names the same offending entry.
        for (key, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), parameters.indices.contains(index) else {
                throw TensorError("optimizer state key '\(key)' does not fit an optimizer with \(parameters.count) parameters")
            }
            guard tensor.shape == parameters[index].shape else {
                throw TensorError("optimizer state '\(key)' has shape \(tensor.shape) but parameter \(index) has "
                    + "\(parameters[index].shape); the checkpoint belongs to a different model")
            }
            let id = ObjectIdentifier(parameters[index])
            let steps = metadata["optimizer_step.\(index)"].flatMap(Int.init) ?? savedSteps
            var slot = restored[id] ?? Slot(state: State(count: tensor.count), steps: steps)
            slot.state.buffers[String(parts[2])] = tensor.scalars
            restored[id] = slot
        }
        slots = restored
        stepCount = savedSteps
        for index in groups.indices {
            if let rate = metadata["optimizer_lr.\(index)"].flatMap(Float.init) { groups[index].learningRate = rate }
            if let decay = metadata["optimizer_weight_decay.\(index)"].flatMap(Float.init) { groups[index].weightDecay = decay }
        }
    }

    /// Checkpoints written without a field (by hand, or by older versions) skip its check.
    private func expectMetadata(_ metadata: [String: String], _ key: String, _ expected: String, _ what: String) throws {
        guard let saved = metadata[key], saved != expected else { return }
        throw TensorError("optimizer state: the checkpoint's \(what) is \(saved) but this \(kind) optimizer's is \(expected)")
    }

    private var allParameters: [Tensor] { groups.flatMap(\.parameters) }
}

/// What a training loop needs from any optimizer, whatever its state type.
public protocol ParameterOptimizer: AnyObject {
    var groups: [ParameterGroup] { get set }
    var stepCount: Int { get }
    func step() throws
    func zeroGrad()
    func stateDict() -> (tensors: [String: Tensor], metadata: [String: String])
    func loadStateDict(tensors: [String: Tensor], metadata: [String: String]) throws
}

extension Optimizer: ParameterOptimizer {}
