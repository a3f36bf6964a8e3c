#if canImport(Glibc)
import Glibc
#endif
import ConvKitInterop
import ConvKitTestSupport
import ConvKitVision
import Foundation
import Testing

func zooFixture(_ path: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil), "missing fixture \(path)")
}

/// The values tools/fixtures/zoo.py fills every state-dict entry with (`formula_values`).
func formulaValues(index: Int, key: String, shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    // value = scale * wave / divisor + offset, the same float64 arithmetic as zoo.py's formula_values.
    let (scale, divisor, offset): (Double, Double, Double) =
        key.hasSuffix("running_var") ? (0.4, 1, 0.6)
        : shape.count >= 2 ? (1, (Double(count) / Double(shape[0])).squareRoot(), 0)
        : (0.1, 1, key.hasSuffix(".weight") ? 1 : 0)
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer { buffer in
        for i in 0..<count {
            buffer[i] = Float(scale * sin(0.37 * Double(i + 1) + 1.3 * Double(index)) / divisor + offset)
        }
    }
    return Tensor(values, shape: shape)
}

/// A zoo model in evaluation mode with every state-dict entry filled by ``formulaValues(index:key:shape:)``.
func modelWithFormulaWeights(_ name: String) throws -> Module {
    let model = try Initializer.withoutInitialization { try ModelRegistry.make(name, numClasses: 1000) }
    let state = Dictionary(uniqueKeysWithValues: model.stateDict().enumerated().map { index, entry in
        (entry.0, entry.1.dtype == .int64 ? entry.1 : formulaValues(index: index, key: entry.0, shape: entry.1.shape))
    })
    try model.loadStateDict(state)
    model.eval()
    return model
}

@Suite struct ModelZooTests {
    static let names = ["googlenet", "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
                        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]

    @Test(arguments: names)
    func keysAndParameterCountsEqualTorchvisions(name: String) throws {
        let model = try Initializer.withoutInitialization { try ModelRegistry.make(name, numClasses: 1000) }
        let expectedKeys = try String(contentsOf: zooFixture("keys/\(name).txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(model.stateDict().map(\.0) == expectedKeys)
        let counts = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: zooFixture("parameter_counts.json")))
        #expect(model.parameterCount == counts[name])
    }

    @Test(arguments: names)
    func evalLogitsMatchPyTorch(name: String) throws {
        let model = try modelWithFormulaWeights(name)
        let input = try NumPyFile.read(zooFixture("logits/\(name)/input.npy"))
        let expected = try NumPyFile.read(zooFixture("logits/\(name)/output.npy")).scalars
        let logits = try withNoGrad { try model(input) }.scalars
        #expect(logits.count == expected.count)
        let scale = expected.map(abs).max()!
        let worst = zip(logits, expected).map { abs($0 - $1) / scale }.max()!
        #expect(worst < 1e-4, "largest difference relative to the largest logit: \(worst)")
    }

    @Test func googLeNetAuxiliaryClassifiersTrainOnlyAndAddWeightedLosses() throws {
        let model = try Initializer.withoutInitialization { try GoogLeNet(numClasses: 10, auxLogits: true) }
        let expectedKeys = try String(contentsOf: zooFixture("keys/googlenet_aux.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(model.stateDict().map(\.0) == expectedKeys)
        RandomGenerator.manualSeed(2)
        for (_, parameter) in model.namedParameters() where parameter.rank >= 2 {
            parameter.withMutableFloats { values in for i in values.indices { values[i] = Float(sin(Double(i))) * 0.05 } }
        }
        let images = Tensor.normal([2, 3, 64, 64]), labels = Tensor(integers: [3, 7])
        for (_, module) in model.namedModules() where module is Dropout { module.eval() }  // deterministic losses
        let (main, second, first) = try model.forwardWithAuxiliary(images)
        let (first1, second1) = (try #require(first), try #require(second))
        let expected = try crossEntropy(main, targets: labels).item
            + 0.3 * (try crossEntropy(first1, targets: labels).item + crossEntropy(second1, targets: labels).item)
        model.eval()
        let evaluation = try model.forwardWithAuxiliary(images)
        #expect(evaluation.aux1 == nil && evaluation.aux2 == nil)
        model.train()
        for (_, module) in model.namedModules() where module is Dropout { module.eval() }
        let (loss, _) = try model.trainingLoss(images, labels: labels)
        #expect(abs(loss.item - expected) < 1e-3 * max(1, abs(expected)))
    }

    @Test func unknownModelsListTheKnownOnes() {
        let error = #expect(throws: TensorError.self) { try ModelRegistry.make("resnet9000", numClasses: 10) }
        #expect(error?.description.contains("resnet18") == true)
    }

    @Test func zeroInitResidualStartsBlocksAsIdentity() throws {
        let model = try ResNet(.resnet18, numClasses: 10, zeroInitResidual: true)
        #expect(model.layer1[0] is BasicBlock)
        #expect((model.layer1[0] as? BasicBlock)?.bn2.weight?.scalars.allSatisfy { $0 == 0 } == true)
    }
}

@Suite struct EfficientNetLite0Tests {
    @Test func realImageNetWeightsLoadStrictlyAndGivePyTorchsLogits() throws {
        let model = try Initializer.withoutInitialization { try EfficientNetLite0() }
        #expect(model.parameterCount == 4_652_008)
        try model.loadStateDict(try PyTorchCheckpoint.load(TestAssets.efficientNetLite0Weights()))
        #expect(model.stateDict().count == 296)
        model.eval()
        let input = try NumPyFile.read(zooFixture("efficientnet_lite0_chelsea/input.npy"))
        let expected = try NumPyFile.read(zooFixture("efficientnet_lite0_chelsea/output.npy")).scalars
        let logits = try withNoGrad { try model(input) }.scalars
        let scale = expected.map(abs).max()!
        let worst = zip(logits, expected).map { abs($0 - $1) / scale }.max()!
        #expect(worst < 1e-4, "largest difference relative to the largest logit: \(worst)")
        #expect(logits.indices.max { logits[$0] < logits[$1] } == expected.indices.max { expected[$0] < expected[$1] })
    }

    @Test func samePaddingIsTensorFlows() {
        #expect(Padding2D.same(input: (224, 224), kernel: (3, 3), stride: (2, 2)) == Padding2D(top: 0, left: 0, bottom: 1, right: 1))
        #expect(Padding2D.same(input: (56, 56), kernel: (5, 5), stride: (2, 2)) == Padding2D(top: 1, left: 1, bottom: 2, right: 2))
        #expect(Padding2D.same(input: (14, 14), kernel: (5, 5), stride: (1, 1)) == .symmetric(2, 2))
    }
}

@Suite struct ModelSummaryTests {
    @Test func resnet18SummaryHasTorchinfosTotalsAndReceptiveFields() throws {
        let model = try Initializer.withoutInitialization { try ResNet(.resnet18) }
        try model.freeze(["layer1"])
        let summary = try ModelSummary(model, inputShape: [3, 224, 224])
        #expect(summary.totalParameters == 11_689_512)
        #expect(summary.trainableParameters == 11_689_512 - 147_968)
        #expect(abs(Double(summary.totalMultiplyAdds) / 1e9 - 1.82) < 0.01)
        let conv1 = try #require(summary.rows.first { $0.path == "conv1" })
        #expect(conv1.outputShape == [1, 64, 112, 112] && conv1.receptiveField?.size == 7 && conv1.receptiveField?.stride == 2)
        let pool = try #require(summary.rows.first { $0.path == "maxpool" })
        #expect(pool.receptiveField?.size == 11 && pool.receptiveField?.stride == 4)
        let last = try #require(summary.rows.last { $0.path.hasPrefix("layer4") && $0.type == "Conv2d" })
        #expect(last.receptiveField?.stride == 32)
        #expect(summary.rows.first { $0.path == "layer1.0.conv1" }?.trainable == false)
        #expect(summary.table.contains("Total parameters: 11,689,512"))
    }
}

@Suite struct PublishedWeightsTests {
    @Test func hashPrefixComesFromTorchvisionFileNames() {
        #expect(PublishedWeights.sha256Prefix(inFileName: "resnet18-f37072fd.pth") == "f37072fd")
        #expect(PublishedWeights.sha256Prefix(inFileName: "alexnet-owt-7be5be79.pth") == "7be5be79")
        #expect(PublishedWeights.sha256Prefix(inFileName: "my-weights.pth") == nil)
        #expect(PublishedWeights.sha256Prefix(inFileName: "weights.pth") == nil)
    }
}
