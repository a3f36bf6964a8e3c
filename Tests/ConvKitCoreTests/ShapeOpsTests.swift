import ConvKitCore
import Testing

@Suite struct ShapeOpsTests {
    @Test func concatenateAndSplitMatchPyTorch() throws {
        try expectMatchesFixture("concatenate", inputs: 2) { try Tensor.concatenate($0, axis: 1) }
        let joined = try Tensor.concatenate([try fixture("concatenate", "input0"), try fixture("concatenate", "input1")], axis: 1)
        let pieces = try joined.split(sizes: [3, 5], axis: 1)
        expectClose(pieces[1].contiguous(), try fixture("concatenate", "input1"))
        #expect(try joined.chunked(3, axis: 1).map { $0.shape[1] } == [3, 3, 2])
        #expect(throws: TensorError("concatenate: shapes [2, 3], [3, 3] must agree except along axis 1")) {
            try Tensor.concatenate([Tensor.zeros([2, 3]), Tensor.zeros([3, 3])], axis: 1)
        }
        #expect(throws: TensorError.self) { try joined.split(sizes: [3, 4], axis: 1) }
    }

    @Test func paddingMatchesPyTorch() throws {
        try expectMatchesFixture("pad_constant") {
            try $0[0].padded(Padding2D(top: 0, left: 1, bottom: 3, right: 2), mode: .constant(0.5))
        }
        try expectMatchesFixture("pad_reflect") {
            try $0[0].padded(Padding2D(top: 3, left: 2, bottom: 1, right: 1), mode: .reflect)
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 1, 3, 3]).padded(.symmetric(3, 1), mode: .reflect) }
    }

    @Test func resizeMatchesPyTorch() throws {
        try expectMatchesFixture("resize_nearest") { try $0[0].resized(to: (7, 4), mode: .nearest) }
        try expectMatchesFixture("resize_bilinear") { try $0[0].resized(to: (11, 9), mode: .bilinear(alignCorners: false)) }
        try expectMatchesFixture("resize_bilinear_down") { try $0[0].resized(to: (3, 4), mode: .bilinear(alignCorners: false)) }
        try expectMatchesFixture("resize_bilinear_corners") { try $0[0].resized(to: (8, 8), mode: .bilinear(alignCorners: true)) }
        try checkGradients([randomTensor([1, 2, 3, 4], seed: 3)]) { try $0[0].resized(to: (5, 7), mode: .bilinear(alignCorners: false)) }
    }
}

@Suite struct PoolingTests {
    @Test func poolingMatchesPyTorch() throws {
        try expectMatchesFixture("max_pool_ceil") { try maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true) }
        try expectMatchesFixture("max_pool_stride_gt_kernel") { try maxPool2d($0[0], kernel: (2, 2), stride: (3, 3)) }
        try expectMatchesFixture("avg_pool_exclude_pad_ceil") {
            try avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: false)
        }
        try expectMatchesFixture("avg_pool_include_pad") {
            try avgPool2d($0[0], kernel: (3, 2), stride: (2, 1), padding: (1, 1))
        }
        try expectMatchesFixture("adaptive_avg_pool") { try adaptiveAvgPool2d($0[0], outputSize: (4, 3)) }
        try expectMatchesFixture("adaptive_max_pool") { try adaptiveMaxPool2d($0[0], outputSize: (4, 3)) }
        try expectMatchesFixture("global_avg_pool") { try adaptiveAvgPool2d($0[0], outputSize: (1, 1)) }
    }

    @Test func poolingGradientsMatchFiniteDifferences() throws {
        // Distinct values a step apart, so no two elements of a window tie.
        let distinct = Tensor((0..<70).map { Float(($0 * 37) % 70) / 10 }, shape: [1, 2, 5, 7])
        try checkGradients([distinct], epsilon: 1e-2) { try maxPool2d($0[0], kernel: (2, 3), stride: (2, 2), ceilMode: true) }
        try checkGradients([randomTensor([2, 3, 5, 6], seed: 2)]) {
            try avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
        }
    }

    @Test func invalidPoolingIsExplained() {
        let x = Tensor.zeros([1, 1, 4, 4])
        #expect(throws: TensorError("maxPool2d: padding (2, 2) must be between 0 and half the kernel (3, 3)")) {
            try maxPool2d(x, kernel: (3, 3), padding: (2, 2))
        }
        #expect(throws: TensorError("maxPool2d: kernel (5, 5) is larger than the padded input 4x4 (input [1, 1, 4, 4])")) {
            try maxPool2d(x, kernel: (5, 5))
        }
        #expect(throws: TensorError.self) { try avgPool2d(Tensor.zeros([4, 4]), kernel: (2, 2)) }
    }
}

@Suite struct NormalizationTests {
    @Test func batchNormTrainingEvalAndRunningStatsMatchPyTorch() throws {
        let input = try fixture("batch_norm_running", "input")
        let runningMean = Tensor.zeros([5]), runningVar = Tensor.ones([5])
        let step1 = try batchNorm(input, runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: true)
        expectClose(step1, try fixture("batch_norm_running", "step1"))
        _ = try batchNorm(input * 2 + 1, runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: true)
        expectClose(runningMean, try fixture("batch_norm_running", "running_mean"))
        expectClose(runningVar, try fixture("batch_norm_running", "running_var"))

        try expectMatchesFixture("batch_norm_train", inputs: 3, absolute: 2e-5) {
            try batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
        let storedMean = try fixture("batch_norm_eval", "running_mean"), storedVar = try fixture("batch_norm_eval", "running_var")
        try expectMatchesFixture("batch_norm_eval", inputs: 3) {
            try batchNorm($0[0], runningMean: storedMean, runningVar: storedVar, weight: $0[1], bias: $0[2], training: false)
        }
        try expectMatchesFixture("batch_norm_1d", inputs: 3, absolute: 2e-5) {
            try batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
    }

    @Test func batchNormGradientsMatchFiniteDifferences() throws {
        try checkGradients([randomTensor([3, 4, 2, 3], seed: 1), randomTensor([4], seed: 2), randomTensor([4], seed: 3)],
                           epsilon: 1e-2, absolute: 5e-3) {
            try batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
    }

    @Test func batchNormRejectsMismatchedStatistics() {
        #expect(throws: TensorError("batchNorm: running mean [3] must be [4] for input [2, 4, 3, 3]")) {
            try batchNorm(Tensor.zeros([2, 4, 3, 3]), runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([4]),
                          weight: nil, bias: nil, training: false)
        }
        #expect(throws: TensorError.self) {
            try batchNorm(Tensor.zeros([1, 4]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        }
    }

    @Test func localResponseNormMatchesPyTorch() throws {
        try expectMatchesFixture("local_response_norm") { try localResponseNorm($0[0], size: 3, alpha: 0.5, beta: 0.75, k: 1.5) }
        try expectMatchesFixture("local_response_norm_even") { try localResponseNorm($0[0], size: 4, alpha: 0.3, beta: 0.6, k: 2) }
    }

    @Test func dropoutZeroesAboutPAndRescales() throws {
        var generator = RandomGenerator(seed: 11)
        let input = Tensor.ones([100_000]).requiringGrad()
        let output = try dropout(input, probability: 0.3, training: true, using: &generator)
        let values = output.scalars
        let zeroFraction = Float(values.filter { $0 == 0 }.count) / Float(values.count)
        #expect(abs(zeroFraction - 0.3) < 0.01)
        #expect(values.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        try output.sum().backward()
        #expect(input.grad?.scalars == values)
        var again = RandomGenerator(seed: 11)
        #expect(try dropout(input, probability: 0.3, training: true, using: &again).scalars == values)
        #expect(try dropout(input, probability: 0.3, training: false).scalars == input.scalars)
        #expect(throws: TensorError("dropout: probability must be in [0, 1), got 1.0")) {
            try dropout(input, probability: 1, training: true)
        }
    }
}
