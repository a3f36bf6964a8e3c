import Foundation
import ConvKitNN
import ConvKitOptim

/// How a pretrained backbone and a new head are trained together: learning rates per
/// stage (smaller for earlier layers) and, optionally, gradual unfreezing — the head
/// alone first, then one more stage every few epochs, later stages before earlier ones
/// (ULMFiT's recipe, arXiv:1801.06146).
public struct FineTuningPlan {
    public let stages: BackboneStages
    public let headLearningRate: Float
    /// The rate of the last backbone stage; stage `k` from the top gets `backboneLearningRate * layerDecay^k`.
    public let backboneLearningRate: Float
    public let layerDecay: Float
    /// `nil` trains every stage from the start; otherwise one more stage thaws every this many epochs.
    public let unfreezeEvery: Int?

    public init(stages: BackboneStages, headLearningRate: Float, backboneLearningRate: Float, layerDecay: Float = 1,
                unfreezeEvery: Int? = nil) throws {
        guard layerDecay > 0, layerDecay <= 1 else { throw TensorError("layer decay \(layerDecay) must be in (0, 1]") }
        if let unfreezeEvery, unfreezeEvery < 1 { throw TensorError("unfreeze interval must be at least 1 epoch") }
        self.stages = stages
        self.headLearningRate = headLearningRate
        self.backboneLearningRate = backboneLearningRate
        self.layerDecay = layerDecay
        self.unfreezeEvery = unfreezeEvery
    }

    /// One parameter group for the head and one per stage, named by module path.
    /// Frozen parameters are included: the optimizer skips them until they thaw.
    public func parameterGroups(of model: Module, weightDecay: Float = 0) throws -> [ParameterGroup] {
        guard let head = model.module(at: stages.headPath) else { throw TensorError("no head at \(stages.headPath)") }
        var groups = [ParameterGroup(head.namedParameters().map(\.1), learningRate: headLearningRate,
                                     weightDecay: weightDecay, name: stages.headPath)]
        for (depth, path) in stages.paths.reversed().enumerated() {
            guard let stage = model.module(at: path) else { continue }
            let rate = backboneLearningRate * Float(pow(Double(layerDecay), Double(depth)))
            groups.append(ParameterGroup(stage.namedParameters().map(\.1), learningRate: rate, weightDecay: weightDecay,
                                         name: path))
        }
        return groups
    }

    /// How many backbone stages (counted from the top) train in `epoch` (1-based).
    public func thawedStageCount(epoch: Int) -> Int {
        guard let unfreezeEvery else { return stages.paths.count }
        return min(stages.paths.count, (epoch - 1) / unfreezeEvery)
    }

    /// Freezes and thaws stages for `epoch`; returns the paths that train (head first).
    @discardableResult
    public func apply(to model: Module, epoch: Int) throws -> [String] {
        let thawed = Array(stages.paths.suffix(thawedStageCount(epoch: epoch)).reversed())
        for path in stages.paths {
            if thawed.contains(path) { try model.unfreeze([path]) } else { try model.freeze([path]) }
        }
        try model.unfreeze([stages.headPath])
        return [stages.headPath] + thawed
    }
}
