@testable import ConvKitNN
import Testing

/// conv → bn → relu → conv → relu → flatten → linear, small enough to run in milliseconds.
private func smallNetwork() throws -> Sequential {
    RandomGenerator.manualSeed(7)
    return Sequential(try Conv2d(2, 4, kernelSize: 3, padding: 1), BatchNorm2d(4), ReLU(),
                      try Conv2d(4, 4, kernelSize: 3, padding: 1), ReLU(), Flatten(), try Linear(4 * 5 * 5, 3))
}

@Suite struct FeatureExtractorTests {
    @Test func outputsEqualManualHooksAndStopAfterTheLastLayer() throws {
        let model = try smallNetwork()
        model.eval()
        let input = Tensor.normal([2, 2, 5, 5])
        var hooked: [String: Tensor] = [:]
        let tokens = try ["1", "3"].map { path in
            try #require(model.module(at: path)).addForwardHook { _, _, output in hooked[path] = output }
        }
        _ = try model(input)
        tokens.forEach { $0.remove() }

        var headCalls = 0
        try #require(model.module(at: "6")).addForwardHook { _, _, _ in headCalls += 1 }
        let features = try FeatureExtractor(model, layers: ["3", "1"])(input)
        #expect(features.keys.sorted() == ["1", "3"])
        for path in ["1", "3"] {
            let expected = try #require(hooked[path]), actual = try #require(features[path])
            #expect(actual.shape == expected.shape && actual.scalars == expected.scalars)
            #expect(actual.gradFunctionName == nil, "extraction must record no graph")
        }
        #expect(headCalls == 0, "the forward pass stops once every requested layer was seen")
        #expect(try model(input).shape == [2, 3], "hooks are removed afterwards and the model runs normally")
    }

    @Test func capturingInputGivesTheHeadsInput() throws {
        let model = try smallNetwork()
        let features = try FeatureExtractor(model, layers: ["6"], capture: .input)(Tensor.normal([1, 2, 5, 5]))
        #expect(features["6"]?.shape == [1, 100])
    }

    @Test func unknownLayerListsTheValidOnes() throws {
        let error = #expect(throws: TensorError.self) { try FeatureExtractor(try smallNetwork(), layers: ["7"]) }
        #expect(error?.description.contains("no layer '7' in Sequential; layers: 0, 1, 2, 3") == true)
    }
}

@Suite struct FrozenBackboneTests {
    @Test func frozenBatchNormKeepsRunningStatisticsInTrainMode() throws {
        let model = try smallNetwork()
        let batchNorm = try #require(model.module(at: "1") as? BatchNorm2d)
        try model.freeze(["0", "1"])
        model.train()
        let input = Tensor.normal([4, 2, 5, 5], mean: 3)
        let before = (batchNorm.runningMean.scalars, batchNorm.runningVar.scalars)
        let loss = try crossEntropy(model(input), targets: Tensor(integers: [0, 1, 2, 0]))
        try loss.backward()
        #expect(batchNorm.runningMean.scalars == before.0 && batchNorm.runningVar.scalars == before.1)
        #expect(batchNorm.numBatchesTracked.integers == [0])
        // In train mode it normalizes exactly as in eval mode.
        let trainOutput = try model.module(at: "1").map { try $0(Tensor.ones([1, 4, 5, 5])) }
        batchNorm.eval()
        let evalOutput = try batchNorm(Tensor.ones([1, 4, 5, 5]))
        #expect(trainOutput?.scalars == evalOutput.scalars)

        batchNorm.train()
        batchNorm.updatesStatisticsWhenFrozen = true
        _ = try model(input)
        #expect(batchNorm.runningMean.scalars != before.0, "asked to, a frozen layer updates its statistics")
    }

    @Test func nothingIsRecordedOrComputedBackwardThroughAFrozenPrefix() throws {
        let model = try smallNetwork()
        try model.freeze(["0", "1", "3"])
        let input = Tensor.normal([2, 2, 5, 5])
        var prefixOutputs: [Tensor] = []
        for path in ["0", "1", "2", "3", "4", "5"] {
            try #require(model.module(at: path)).addForwardHook { _, _, output in prefixOutputs.append(output) }
        }
        let loss = try crossEntropy(model(input), targets: Tensor(integers: [0, 2]))
        #expect(prefixOutputs.count == 6)
        #expect(prefixOutputs.allSatisfy { $0.gradFunctionName == nil && !$0.requiresGrad },
                "ops whose inputs need no gradient record nothing on the tape")
        try loss.backward()
        let frozen = model.namedParameters().filter { !$0.0.hasPrefix("6.") }
        #expect(frozen.allSatisfy { $0.1.grad == nil }, "frozen parameters get no gradient")
        #expect(try #require(model.module(at: "6")).namedParameters().allSatisfy { $0.1.grad != nil })
    }
}
