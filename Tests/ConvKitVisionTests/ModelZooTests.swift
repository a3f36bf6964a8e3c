#if canImport(Glibc)
import Glibc
#endif
import ConvKitInterop
import ConvKitVision
import Foundation
import Testing

func zooFixture(_ path: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil), "missing fixture \(path)")
}

/// The values tools/fixtures/zoo.py fills every state-dict entry with (`formula_values`).
func formulaValues(index: Int, key: String, shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    let values: [Float] = (0..<count).map { i in
        let wave = sin(0.37 * Double(i + 1) + 1.3 * Double(index))
        if key.hasSuffix("running_var") { return Float(0.6 + 0.4 * wave) }
        if shape.count >= 2 { return Float(wave / (Double(count) / Double(shape[0])).squareRoot()) }
        return Float(0.1 * wave + (key.hasSuffix(".weight") ? 1 : 0))
    }
    return Tensor(values, shape: shape)
}

@Suite struct ModelZooTests {
    static let names = ["alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
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

    @Test(arguments: ["alexnet", "vgg11_bn", "resnet18", "resnet50"])
    func evalLogitsMatchPyTorch(name: String) throws {
        let model = try Initializer.withoutInitialization { try ModelRegistry.make(name, numClasses: 1000) }
        let state = Dictionary(uniqueKeysWithValues: model.stateDict().enumerated().map { index, entry in
            (entry.0, entry.1.dtype == .int64 ? entry.1 : formulaValues(index: index, key: entry.0, shape: entry.1.shape))
        })
        try model.loadStateDict(state)
        model.eval()
        let input = try NumPyFile.read(zooFixture("logits/\(name)/input.npy"))
        let expected = try NumPyFile.read(zooFixture("logits/\(name)/output.npy")).scalars
        let logits = try withNoGrad { try model(input) }.scalars
        #expect(logits.count == expected.count)
        let scale = expected.map(abs).max()!
        let worst = zip(logits, expected).map { abs($0 - $1) / scale }.max()!
        #expect(worst < 1e-4, "largest difference relative to the largest logit: \(worst)")
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
