import ConvKitCore
import Testing

@Suite struct ReductionAndSoftmaxTests {
    @Test func reductionsMatchPyTorch() throws {
        try expectMatchesFixture("mean_axes") { try $0[0].mean(axes: [0, 2]) }
        try expectMatchesFixture("var_axis") { try $0[0].variance(axes: [1]) }
        try expectMatchesFixture("max_axis") { try $0[0].max(axis: 2) }
        let argmax = try fixture("argmax_axis", "input").argmax(axis: 1)
        #expect(argmax.integers == (try fixture("argmax_axis", "output")).integers)
        #expect(argmax.dtype == .int64)
    }

    @Test func softmaxesMatchPyTorch() throws {
        try expectMatchesFixture("softmax") { try $0[0].softmax(axis: 1) }
        try expectMatchesFixture("log_softmax") { try $0[0].logSoftmax(axis: -1) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = randomTensor([3, 4, 5], seed: 9)
        try checkGradients([x]) { try $0[0].variance(axes: [0, 2], correction: 0) }
        try checkGradients([x]) { try $0[0].softmax(axis: 1) }
        try checkGradients([x]) { try $0[0].logSoftmax(axis: 2) }
        try checkGradients([x]) { try $0[0].mean(axes: [1], keepingDimensions: true) }
        try checkGradients([x]) { try $0[0].max(axis: 1) }
    }

    @Test func softmaxIsStableForHugeLogits() throws {
        let probabilities = try Tensor([1000, 1001, 999], shape: [1, 3]).softmax()
        #expect(probabilities.scalars.allSatisfy { $0.isFinite })
        #expect(abs(probabilities.scalars.reduce(0, +) - 1) < 1e-6)
    }

    @Test func badAxesAreReported() {
        #expect(throws: TensorError("sum: axis 3 is out of range for a tensor of shape [2, 3]")) {
            try Tensor.zeros([2, 3]).sum(axes: [3])
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 0]).max(axis: 1) }
    }
}

@Suite struct LossTests {
    static var targets: Tensor { Tensor(integers: [0, 4, 2, 2, 1, 3]) }

    @Test func crossEntropyVariantsMatchPyTorch() throws {
        let weights = try fixture("ce_plain", "weights")
        try expectMatchesFixture("ce_plain") { try crossEntropy($0[0], targets: Self.targets) }
        try expectMatchesFixture("ce_smoothing_weights") {
            try crossEntropy($0[0], targets: Self.targets, weight: weights, labelSmoothing: 0.1)
        }
        try expectMatchesFixture("ce_ignore_sum") {
            try crossEntropy($0[0], targets: Self.targets, ignoreIndex: 2, reduction: .sum)
        }
        try expectMatchesFixture("ce_none_smoothing") {
            try crossEntropy($0[0], targets: Self.targets, labelSmoothing: 0.2, reduction: .none)
        }
        let probabilities = try fixture("ce_probabilities", "probabilities")
        try expectMatchesFixture("ce_probabilities") { try crossEntropy($0[0], probabilities: probabilities) }
        try expectMatchesFixture("nll_weighted") {
            try nllLoss($0[0].logSoftmax(axis: 1), targets: Self.targets, weight: weights)
        }
    }

    @Test func regressionLossesMatchPyTorch() throws {
        let target = try fixture("mse", "target")
        try expectMatchesFixture("mse") { try mseLoss($0[0], target) }
        let labels = try fixture("bce_logits", "target")
        try expectMatchesFixture("bce_logits") { try binaryCrossEntropyWithLogits($0[0] * 4, labels) }
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() throws {
        let weights = Tensor([0.5, 2, 1, 1.5, 0.7])
        try checkGradients([randomTensor([6, 5], seed: 4)]) {
            try crossEntropy($0[0], targets: Self.targets, weight: weights, labelSmoothing: 0.15)
        }
    }

    @Test func softCrossEntropyGradientMatchesFiniteDifferences() throws {
        // Rows summing to 0.7 and 1: the gradient must scale the softmax by each row's mass.
        let probabilities = Tensor([0.1, 0.2, 0.3, 0.1, 0, 0.5, 0.5, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2], shape: [3, 5])
        try checkGradients([randomTensor([3, 5], seed: 9)]) { try crossEntropy($0[0], probabilities: probabilities) }
        try checkGradients([randomTensor([3, 5], seed: 10)]) {
            try crossEntropy($0[0], probabilities: probabilities, reduction: .none).sum()
        }
    }

    @Test func badTargetsAreExplained() {
        #expect(throws: TensorError("crossEntropy: target 7 of example 1 is outside the 5 classes 0..<5")) {
            try crossEntropy(Tensor.zeros([2, 5]), targets: Tensor(integers: [0, 7]))
        }
        #expect(throws: TensorError.self) { try crossEntropy(Tensor.zeros([2, 5]), targets: Tensor(integers: [0, 1, 2])) }
        #expect(throws: TensorError.self) { try crossEntropy(Tensor.zeros([2, 5]), targets: Tensor([0, 1])) }
    }
}
