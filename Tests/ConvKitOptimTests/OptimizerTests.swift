import ConvKitOptim
import Foundation
import Testing

/// Values written by tools/fixtures/optim.py with torch.optim.
struct Reference: Decodable {
    let optimizers: [String: [[Float]]]
    let schedules: [String: [Float]]
    let plateau_metrics: [Float]
    let clipping: Clipping

    struct Clipping: Decodable { let norm: Float; let clipped: [Float] }

    static func load() throws -> Reference {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/optim_reference", withExtension: "json"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }
}

/// Relative tolerance; `floor` is the magnitude below which it acts as an absolute one
/// (parameter values of order one pass through zero, where float32 rounding of the
/// larger terms dominates).
private func expectClose(_ actual: [Float], _ expected: [Float], relative: Float, floor: Float = 0, _ what: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values vs \(expected.count)", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > relative * max(abs(e), floor) {
        Issue.record("\(what) [\(index)]: \(a) vs PyTorch \(e)", sourceLocation: sourceLocation)
        return
    }
}

@Suite struct OptimizerTests {
    /// The quadratic of optim.py: sum(w (a - ta)^2) + 3 sum((b - tb)^2).
    func trajectory<State>(_ make: ([Tensor], Tensor, Tensor) throws -> Optimizer<State>) throws -> [[Float]] {
        let a = Tensor([0.5, -1.0, 2.0, 0.25, -0.75]).requiringGrad(), b = Tensor([1.5, -0.5, 0.3]).requiringGrad()
        let optimizer = try make([a, b], a, b)
        var history: [[Float]] = []
        for _ in 0..<5 {
            optimizer.zeroGrad()
            let first = try ((a - Tensor([0.1, 0.2, -0.3, 0.4, 0.0])).squared() * Tensor([1, 2, 3, 4, 5])).sum()
            let second = try (b - Tensor([-1.0, 0.5, 2.0])).squared().sum() * 3
            try (first + second).backward()
            try optimizer.step()
            history.append(a.scalars + b.scalars)
        }
        return history
    }

    @Test func firstStepsMatchPyTorch() throws {
        let reference = try Reference.load().optimizers
        func check<State>(_ name: String, _ make: ([Tensor], Tensor, Tensor) throws -> Optimizer<State>) throws {
            let ours = try trajectory(make)
            for (step, (mine, theirs)) in zip(ours, reference[name]!).enumerated() {
                expectClose(mine, theirs, relative: 1e-6, floor: 1, "\(name) step \(step + 1)")
            }
        }
        try check("sgd") { p, _, _ in try SGD(p, learningRate: 0.05) }
        try check("sgd_momentum_decay") { p, _, _ in
            try SGD(p, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)
        }
        try check("sgd_nesterov_groups") { _, a, b in
            try SGD(groups: [ParameterGroup([a], learningRate: 0.05), ParameterGroup([b], learningRate: 0.02)],
                    momentum: 0.8, nesterov: true)
        }
        try check("adam") { p, _, _ in try Adam.adam(p, learningRate: 0.1, weightDecay: 0.01) }
        try check("adam_amsgrad") { p, _, _ in try Adam.adam(p, learningRate: 0.1, betas: (0.8, 0.9), amsgrad: true) }
        try check("adamw") { p, _, _ in try Adam.adamW(p, learningRate: 0.1, weightDecay: 0.1) }
        try check("rmsprop") { p, _, _ in
            try RMSprop(groups: [ParameterGroup(p, learningRate: 0.01, weightDecay: 0.01)])
        }
        try check("rmsprop_centered_momentum") { p, _, _ in
            try RMSprop(groups: [ParameterGroup(p, learningRate: 0.01)], momentum: 0.9, centered: true)
        }
    }

    @Test func stateRoundTripsAndContinuesIdentically() throws {
        let a = Tensor([1, 2, 3]).requiringGrad()
        let optimizer = try Adam.adam([a], learningRate: 0.1)
        a.grad = Tensor([0.5, -1, 2])
        try optimizer.step()
        let (tensors, metadata) = optimizer.stateDict()
        #expect(Set(tensors.keys) == ["state.0.exp_avg", "state.0.exp_avg_sq"])

        let copy = Tensor(a.scalars, shape: [3]).requiringGrad()
        let restored = try Adam.adam([copy], learningRate: 0.1)
        try restored.loadStateDict(tensors: tensors, metadata: metadata)
        a.grad = Tensor([1, 1, 1])
        copy.grad = Tensor([1, 1, 1])
        try optimizer.step()
        try restored.step()
        #expect(copy.scalars == a.scalars)
        #expect(restored.stepCount == 2)

        let wrongShape = try Adam.adam([Tensor([1, 2]).requiringGrad()])
        #expect(throws: TensorError.self) { try wrongShape.loadStateDict(tensors: tensors, metadata: metadata) }
    }

    @Test func frozenAndGradientlessParametersAreSkipped() throws {
        let frozen = Tensor([1, 2]), untouched = Tensor([3, 4]).requiringGrad()
        frozen.grad = Tensor([1, 1])
        let optimizer = try SGD([frozen, untouched], learningRate: 1)
        try optimizer.step()
        #expect(frozen.scalars == [1, 2] && untouched.scalars == [3, 4])
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: TensorError.self) { try SGD([Tensor([1])], learningRate: -1) }
        #expect(throws: TensorError.self) { try Adam.adam([Tensor([1])], betas: (1.0, 0.9)) }
        #expect(throws: TensorError.self) { try SGD([Tensor([1])], learningRate: 0.1, nesterov: true) }
    }

    @Test func clippingMatchesPyTorch() throws {
        let reference = try Reference.load().clipping
        let a = Tensor([0.5, -1.0, 2.0, 0.25, -0.75]), b = Tensor([1.5, -0.5, 0.3])
        a.grad = Tensor([3.0, -4.0, 0.5, 1.0, 2.0])
        b.grad = Tensor([-2.0, 1.0, 6.0])
        let norm = try clipGradNorm([a, b], maxNorm: 2)
        #expect(abs(norm - reference.norm) < 1e-4)
        expectClose(a.grad!.scalars + b.grad!.scalars, reference.clipped, relative: 1e-6, "clipped gradients")
        try clipGradValue([a], limit: 0.1)
        #expect(a.grad!.scalars.allSatisfy { abs($0) <= 0.1 })
    }
}

@Suite struct ScheduleTests {
    @Test func schedulesMatchPyTorch() throws {
        let reference = try Reference.load()
        let cases: [(String, LearningRateSchedule)] = [
            ("step", try .step(size: 7, gamma: 0.5)),
            ("multistep", .multiStep(milestones: [5, 12, 20], gamma: 0.3)),
            ("exponential", .exponential(gamma: 0.9)),
            ("cosine", try .cosine(period: 30, minimum: 0.001)),
            ("cosine_restarts", try .cosineWithRestarts(firstPeriod: 4, periodMultiplier: 2, minimum: 0.01)),
            ("one_cycle", try .oneCycle(totalSteps: 30)),
            ("warmup_cosine", try LearningRateSchedule.cosine(period: 25).withLinearWarmup(steps: 5, startFactor: 0.2)),
        ]
        for (name, schedule) in cases {
            expectClose((0..<30).map { schedule(base: 0.1, step: $0) }, reference.schedules[name]!, relative: 1e-6, name)
        }
    }

    @Test func reduceOnPlateauMatchesPyTorch() throws {
        let reference = try Reference.load()
        let plateau = try ReduceOnPlateau(factor: 0.5, patience: 2, cooldown: 1)
        var rate: Float = 0.1, rates: [Float] = []
        for metric in reference.plateau_metrics {
            rates.append(rate)
            rate = plateau.step(metric: metric, rates: [rate])[0]
        }
        expectClose(rates, reference.schedules["plateau"]!, relative: 1e-6, "plateau")
    }

    @Test func invalidSchedulesAreRefused() {
        #expect(throws: TensorError.self) { try LearningRateSchedule.step(size: 0) }
        #expect(throws: TensorError.self) { try LearningRateSchedule.oneCycle(totalSteps: 1) }
        #expect(throws: TensorError.self) { try ReduceOnPlateau(factor: 2) }
    }
}
