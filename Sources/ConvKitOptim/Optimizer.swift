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
    private var states: [ObjectIdentifier: State] = [:]

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
                    var state = states[key] ?? State(count: parameter.count)
                    gradient.withFloats { g in
                        parameter.withMutableFloats { p in update(p, gradient: g, state: &state, group: group) }
                    }
                    states[key] = state
                }
            }
        }
    }

    /// Forgets all gradients (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.grad = nil } }
    }

    /// One parameter's update; `stepCount` is already advanced.
    open func update(_ parameter: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
                     state: inout State, group: ParameterGroup) {
        fatalError("\(type(of: self)) must override update(_:gradient:state:group:)")
    }

    /// State for a checkpoint: `state.<index>.<buffer>` over parameters in group order,
    /// plus the step count and learning rates as metadata.
    public func stateDict() -> (tensors: [String: Tensor], metadata: [String: String]) {
        var tensors: [String: Tensor] = [:]
        for (index, parameter) in allParameters.enumerated() {
            guard let state = states[ObjectIdentifier(parameter)] else { continue }
            for (name, values) in state.buffers { tensors["state.\(index).\(name)"] = Tensor(values, shape: parameter.shape) }
        }
        var metadata = ["optimizer_steps": String(stepCount)]
        for (index, group) in groups.enumerated() { metadata["optimizer_lr.\(index)"] = String(group.learningRate) }
        return (tensors, metadata)
    }

    /// Restores what ``stateDict()`` saved; the parameters must match in number and shape.
    public func loadStateDict(tensors: [String: Tensor], metadata: [String: String]) throws {
        let parameters = allParameters
        var restored: [ObjectIdentifier: State] = [:]
        for (key, tensor) in tensors {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), parameters.indices.contains(index) else {
                throw TensorError("optimizer state key '\(key)' does not fit an optimizer with \(parameters.count) parameters")
            }
            guard tensor.shape == parameters[index].shape else {
                throw TensorError("optimizer state '\(key)' has shape \(tensor.shape) but parameter \(index) has "
                    + "\(parameters[index].shape); the checkpoint belongs to a different model")
            }
            let id = ObjectIdentifier(parameters[index])
            var state = restored[id] ?? State(count: tensor.count)
            state.buffers[String(parts[2])] = tensor.scalars
            restored[id] = state
        }
        states = restored
        stepCount = metadata["optimizer_steps"].flatMap(Int.init) ?? 0
        for index in groups.indices {
            if let rate = metadata["optimizer_lr.\(index)"].flatMap(Float.init) { groups[index].learningRate = rate }
        }
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
