import ConvKitOptim
import Testing

@Suite struct OptimizerTests {
    @Test func firstStepsMatchPyTorch() throws {
        let reference = try Reference.load().optimizers
        func check<State>(_ name: String, bFromStep: Int = 0,
                          _ make: ([Tensor], Tensor, Tensor) throws -> Optimizer<State>) throws {
            let ours = try quadraticTrajectory(bFromStep: bFromStep, make)
            for (step, (mine, theirs)) in zip(ours, try #require(reference[name])).enumerated() {
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
        // b gets gradients from step 4 on; its bias correction must restart at step 1, as PyTorch's per-parameter count.
        try check("adamw_groups_late_start", bFromStep: 3) { _, a, b in
            try Adam(groups: [ParameterGroup([a], learningRate: 0.1, weightDecay: 0.1),
                              ParameterGroup([b], learningRate: 0.02, weightDecay: 0.1)], decoupledWeightDecay: true)
        }
        try check("rmsprop") { p, _, _ in
            try RMSprop(groups: [ParameterGroup(p, learningRate: 0.01, weightDecay: 0.01)])
        }
        try check("rmsprop_centered_momentum") { p, _, _ in
            try RMSprop(groups: [ParameterGroup(p, learningRate: 0.01)], momentum: 0.9, centered: true)
        }
    }

    /// Large tensors are updated in chunks on several threads; every element must get
    /// exactly the update it gets in a small tensor updated in one piece.
    @Test func largeTensorsUpdateExactlyLikeSmallOnes() throws {
        let pattern: [Float] = [0.5, -1.25, 2, 0.75, -0.3, 1.1, -2.2], gradients: [Float] = [0.3, -0.7, 1.5, 0.02, -2, 0.9, 0.4]
        let large = 300_001
        func repeated(_ values: [Float]) -> Tensor {
            Tensor((0..<large).map { values[$0 % values.count] }, shape: [large])
        }
        let makers: [(String, ([Tensor]) throws -> any ParameterOptimizer)] = [
            ("SGD", { try SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) }),
            ("Adam", { try Adam.adam($0, learningRate: 0.1, weightDecay: 0.01, amsgrad: true) }),
            ("AdamW", { try Adam.adamW($0, learningRate: 0.1) }),
            ("RMSprop", { try RMSprop(groups: [ParameterGroup($0, learningRate: 0.01)], momentum: 0.5, centered: true) }),
        ]
        for (name, make) in makers {
            let small = Tensor(pattern).requiringGrad(), big = repeated(pattern).requiringGrad()
            let optimizer = try make([small, big])
            for step in 1...3 {
                small.grad = Tensor(gradients.map { $0 * Float(step) })
                big.grad = repeated(gradients.map { $0 * Float(step) })
                try optimizer.step()
            }
            let expected = small.scalars, values = big.scalars
            let mismatch = (0..<large).first { values[$0] != expected[$0 % pattern.count] }
            #expect(mismatch == nil, "\(name): element \(mismatch ?? 0) differs from the small tensor's update")
        }
    }

    @Test func frozenAndGradientlessParametersAreSkipped() throws {
        let frozen = Tensor([1, 2]), untouched = Tensor([3, 4]).requiringGrad()
        frozen.grad = Tensor([1, 1])
        let optimizer = try SGD([frozen, untouched], learningRate: 1)
        try optimizer.step()
        #expect(frozen.scalars == [1, 2] && untouched.scalars == [3, 4])
    }

    @Test func zeroGradForgetsGradients() throws {
        let parameter = Tensor([1, 2]).requiringGrad()
        parameter.grad = Tensor([1, 1])
        try SGD([parameter], learningRate: 1).zeroGrad()
        #expect(parameter.grad == nil)
    }

    @Test func invalidSettingsAreRefused() throws {
        expectError(mentioning: "-1.0") { _ = try SGD([Tensor([1])], learningRate: -1) }
        expectError(mentioning: "-0.5") { _ = try Adam.adamW([Tensor([1])], weightDecay: -0.5) }
        expectError(mentioning: "betas", "1.0") { _ = try Adam.adam([Tensor([1])], betas: (1.0, 0.9)) }
        expectError(mentioning: "betas", "-0.1") { _ = try Adam.adam([Tensor([1])], betas: (0.9, -0.1)) }
        expectError(mentioning: "Nesterov") { _ = try SGD([Tensor([1])], learningRate: 0.1, nesterov: true) }
        expectError(mentioning: "alpha", "1.5") { _ = try RMSprop(groups: [ParameterGroup([Tensor([1])], learningRate: 0.1)], alpha: 1.5) }
        let view = try Tensor([1, 2, 3, 4], shape: [2, 2]).transposed(0, 1)
        expectError(mentioning: "contiguous", "[2, 2]") { _ = try SGD([view], learningRate: 0.1) }
        expectError(mentioning: "float32", "[2]") { _ = try SGD([Tensor(integers: [1, 2], shape: [2])], learningRate: 0.1) }
        let parameter = Tensor([1, 2]).requiringGrad()
        parameter.grad = Tensor([1, 2, 3])
        expectError(mentioning: "[3]", "[2]") { try SGD([parameter], learningRate: 0.1).step() }
    }
}
