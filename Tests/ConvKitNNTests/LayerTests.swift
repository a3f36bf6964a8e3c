import ConvKitInterop
import ConvKitVision
import Foundation
import Testing

func fixture(_ testCase: String, _ array: String) throws -> Tensor {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(testCase)/\(array)", withExtension: "npy"))
    return try NumPyFile.read(url)
}

func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "largest relative difference \(worst)", sourceLocation: sourceLocation)
}

@Suite struct LayerTests {
    @Test func leNetHasTorchvisionStyleKeysAndPyTorchsLogits() throws {
        let model = try LeNet5()
        #expect(model.parameterCount == 61_706)
        #expect(model.stateDict().map(\.0) == [
            "features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
            "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias",
            "classifier.4.weight", "classifier.4.bias",
        ])
        let state = try Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, try fixture("lenet5", $0.0)) })
        try model.loadStateDict(state)
        expectClose(try model(try fixture("lenet5", "input")), try fixture("lenet5", "output"))
        #expect(throws: TensorError.self) { try model(Tensor.zeros([1, 1, 20, 20])) }
        #expect(try LeNet5(inputChannels: 3, inputSize: 32, variant: .original).parameterCount == 62_006)
    }

    @Test func batchNormModuleTracksStatisticsLikePyTorch() throws {
        let withMomentum = BatchNorm2d(3), cumulative = BatchNorm2d(3, momentum: nil)
        for step in 0..<3 {
            let batch = try fixture("batchnorm2d_module", "batch\(step)")
            _ = try withMomentum(batch)
            _ = try cumulative(batch)
        }
        expectClose(withMomentum.runningMean, try fixture("batchnorm2d_module", "running_mean"))
        expectClose(withMomentum.runningVar, try fixture("batchnorm2d_module", "running_var"))
        expectClose(cumulative.runningMean, try fixture("batchnorm2d_module", "cumulative_mean"))
        expectClose(cumulative.runningVar, try fixture("batchnorm2d_module", "cumulative_var"))
        #expect(withMomentum.numBatchesTracked.integers == [3])
        #expect(withMomentum.stateDict().map(\.0) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        withMomentum.eval()
        let before = withMomentum.runningMean.scalars
        _ = try withMomentum(try fixture("batchnorm2d_module", "batch0"))
        #expect(withMomentum.runningMean.scalars == before)
        #expect(throws: TensorError.self) { try withMomentum(Tensor.zeros([2, 3])) }
    }

    @Test func sequentialNumbersParameterlessLayersToo() throws {
        let features = Sequential(try Conv2d(3, 8, kernelSize: 3), ReLU(), MaxPool2d(2), try Conv2d(8, 4, kernelSize: 1))
        #expect(features.stateDict().map(\.0) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        try features.replaceLayer(at: 3, with: Identity())
        #expect(features.stateDict().map(\.0) == ["0.weight", "0.bias"])
        #expect(throws: TensorError.self) { try features.replaceLayer(at: 9, with: Identity()) }
    }

    @Test func defaultAndKaimingInitializationFollowPyTorch() throws {
        RandomGenerator.manualSeed(3)
        let layer = try Linear(400, 120)
        let bound = 1 / Float(400).squareRoot()
        #expect(layer.weight.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.scalars.max()! > 0.9 * bound)
        var generator = RandomGenerator(seed: 4)
        let weight = Tensor.zeros([256, 128, 3, 3])
        try Initializer.kaimingNormal(weight, mode: .fanOut, generator: &generator)
        let values = weight.scalars
        let std = (values.map { $0 * $0 }.reduce(0, +) / Float(values.count)).squareRoot()
        #expect(abs(std - (2 / Float(256 * 9)).squareRoot()) < 0.002)
        #expect(throws: TensorError.self) { try Conv2d(6, 4, kernelSize: 3, groups: 4) }
    }

    @Test func dropoutAndActivationLayersFollowTrainingMode() throws {
        let layer = Dropout(0.5)
        let input = Tensor.ones([1000])
        #expect(try layer(input).scalars.contains(0))
        layer.eval()
        #expect(try layer(input).scalars == input.scalars)
        #expect(try ReLU6()(Tensor([-1, 3, 9])).scalars == [0, 3, 6])
        #expect(try LeakyReLU(negativeSlope: 0.2)(Tensor([-1, 2])).scalars == [-0.2, 2])
    }
}

@Suite struct InferenceFusionTests {
    @Test func foldedConvolutionBatchNormReLUComputesTheSameAsEvalMode() throws {
        RandomGenerator.manualSeed(9)
        let model = Sequential(try Conv2d(3, 8, kernelSize: 3, padding: 1), BatchNorm2d(8), ReLU(), MaxPool2d(2),
                               Sequential(try Conv2d(8, 5, kernelSize: 1), BatchNorm2d(5)))
        // Give the batch norms non-trivial statistics and affine parameters.
        for _ in 0..<3 { _ = try model(Tensor.normal([4, 3, 8, 8], mean: 0.5, std: 2)) }
        for (key, parameter) in model.namedParameters() where key.contains("1.") {
            parameter.withMutableFloats { values in for i in values.indices { values[i] = 0.5 + Float(i) * 0.1 } }
        }
        model.eval()
        let input = Tensor.normal([2, 3, 8, 8])
        let expected = try withNoGrad { try model(input) }
        let fused = try model.fusedForInference()
        #expect(fused[0] is FusedConv2d && fused[1] is Identity && fused[2] is Identity)
        expectClose(try fused(input), expected, tolerance: 1e-5)
    }
}
