import ConvKitOptim
import Testing

@Suite struct OptimizerStateTests {
    /// Two parameters; only the first has had updates when the state is saved.
    func adamAfterTwoSteps() throws -> (optimizer: Adam, parameters: [Tensor]) {
        let a = Tensor([1, 2, 3]).requiringGrad(), b = Tensor([0.5, -0.5], shape: [1, 2]).requiringGrad()
        let optimizer = try Adam(groups: [ParameterGroup([a], learningRate: 0.1), ParameterGroup([b], learningRate: 0.2)],
                                 amsgrad: true)
        for gradient in [Tensor([0.5, -1, 2]), Tensor([1, 1, -3])] {
            a.grad = gradient
            try optimizer.step()
        }
        return (optimizer, [a, b])
    }

    /// Fresh copies of `parameters` with the same values, for an optimizer to restore into.
    func copies(_ parameters: [Tensor]) -> [Tensor] {
        parameters.map { Tensor($0.scalars, shape: $0.shape).requiringGrad() }
    }

    @Test func stateRoundTripsAndContinuesIdentically() throws {
        let (optimizer, parameters) = try adamAfterTwoSteps()
        let (tensors, metadata) = optimizer.stateDict()
        #expect(Set(tensors.keys) == ["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq"])
        #expect(metadata["optimizer_kind"] == "Adam" && metadata["optimizer_steps"] == "2")
        #expect(metadata["optimizer_parameters"] == "2" && metadata["optimizer_step.0"] == "2")
        #expect(metadata["optimizer_lr.1"] == "0.2" && metadata["optimizer_amsgrad"] == "true")
        #expect(metadata["optimizer_betas"] == "0.9,0.999")

        let restoredParameters = copies(parameters)
        let restored = try Adam(groups: [ParameterGroup([restoredParameters[0]], learningRate: 1),
                                         ParameterGroup([restoredParameters[1]], learningRate: 1)], amsgrad: true)
        try restored.loadStateDict(tensors: tensors, metadata: metadata)
        #expect(restored.groups.map(\.learningRate) == [0.1, 0.2])
        #expect(restored.stepCount == 2)
        // The second parameter starts its own step count on its first gradient, in both.
        for (original, copy) in zip(parameters, restoredParameters) {
            original.grad = Tensor.full(original.shape, 0.7)
            copy.grad = Tensor.full(copy.shape, 0.7)
        }
        try optimizer.step()
        try restored.step()
        #expect(restoredParameters.map(\.scalars) == parameters.map(\.scalars))
    }

    @Test func stateForADifferentModelOrOptimizerIsRefused() throws {
        let (optimizer, parameters) = try adamAfterTwoSteps()
        let (tensors, metadata) = optimizer.stateDict()
        let other = copies(parameters)

        expectError(mentioning: "parameter count", "2", "1") {
            try Adam.adam([other[0]]).loadStateDict(tensors: tensors, metadata: metadata)
        }
        expectError(mentioning: "kind", "Adam", "AdamW") {
            try Adam(groups: [ParameterGroup([other[0]], learningRate: 0.1), ParameterGroup([other[1]], learningRate: 0.1)],
                     decoupledWeightDecay: true).loadStateDict(tensors: tensors, metadata: metadata)
        }
        expectError(mentioning: "group count", "2", "1") {
            try Adam.adam(other).loadStateDict(tensors: tensors, metadata: metadata)
        }
        let reshaped = [Tensor([1, 2, 3], shape: [3, 1]).requiringGrad(), other[1]]
        expectError(mentioning: "state.0.exp_avg", "[3]", "[3, 1]") {
            try Adam(groups: [ParameterGroup([reshaped[0]], learningRate: 0.1), ParameterGroup([reshaped[1]], learningRate: 0.1)])
                .loadStateDict(tensors: tensors, metadata: metadata)
        }
        // Without metadata the tensors alone still give the count away when they name a missing parameter.
        expectError(mentioning: "state.0.exp_avg", "0 parameters") {
            try SGD([], learningRate: 0.1).loadStateDict(tensors: tensors, metadata: [:])
        }
    }

    @Test func failedLoadLeavesStateUnchanged() throws {
        let (optimizer, _) = try adamAfterTwoSteps()
        let before = optimizer.stateDict()
        var tensors = before.tensors
        tensors["state.7.exp_avg"] = Tensor([1])
        #expect(throws: TensorError.self) { try optimizer.loadStateDict(tensors: tensors, metadata: before.metadata) }
        let after = optimizer.stateDict()
        #expect(after.metadata == before.metadata)
        #expect(after.tensors.mapValues(\.scalars) == before.tensors.mapValues(\.scalars))
    }

    @Test func sgdMomentumBufferRoundTrips() throws {
        let parameter = Tensor([1, -2]).requiringGrad()
        let optimizer = try SGD([parameter], learningRate: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01)
        parameter.grad = Tensor([0.5, 0.25])
        try optimizer.step()
        let (tensors, metadata) = optimizer.stateDict()
        #expect(metadata["optimizer_kind"] == "SGD" && metadata["optimizer_momentum"] == "0.9")
        #expect(metadata["optimizer_weight_decay.0"] == "0.01")
        let copy = Tensor(parameter.scalars).requiringGrad()
        let restored = try SGD([copy], learningRate: 0.1, momentum: 0.9, dampening: 0.2)
        try restored.loadStateDict(tensors: tensors, metadata: metadata)
        parameter.grad = Tensor([-1, 2])
        copy.grad = Tensor([-1, 2])
        try optimizer.step()
        try restored.step()
        // Equal only if the buffer came back (a missing one would be re-seeded undamped) and so did the decay.
        #expect(copy.scalars == parameter.scalars)
    }
}
