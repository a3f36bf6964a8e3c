import ConvKitInterop
@testable import ConvKitNN
import Foundation
import Testing

/// y = x * weight + bias, with a batch-norm-like buffer, to exercise reflection.
private final class Affine: Module {
    var weight: Tensor
    var bias: Tensor?
    @Buffer("running_mean") var runningMean = Tensor.zeros([3])
    @Buffer("num_batches_tracked") var numBatchesTracked = Tensor.zeros([], dtype: .int64)

    init(bias: Bool = true) {
        weight = Tensor.ones([3]).requiringGrad()
        self.bias = bias ? Tensor.zeros([3]).requiringGrad() : nil
        super.init()
    }

    override func forward(_ input: Tensor) throws -> Tensor {
        let scaled = try input * weight
        return try bias.map { try scaled + $0 } ?? scaled
    }
}

private final class Block: Module {
    var conv1 = Affine()
    @Key("_bn0") var batchNorm = Affine(bias: false)
    var downsample: Sequential? = Sequential(Identity(), Affine())
    var fc = Affine()

    override func forward(_ input: Tensor) throws -> Tensor {
        try fc(batchNorm(conv1(input)))
    }
}

@Suite struct ModuleTests {
    @Test func keysFollowPyTorchOrderAndNames() {
        let keys = Block().stateDict().map(\.0)
        #expect(keys == [
            "conv1.weight", "conv1.bias", "conv1.running_mean", "conv1.num_batches_tracked",
            "_bn0.weight", "_bn0.running_mean", "_bn0.num_batches_tracked",
            "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.num_batches_tracked",
            "fc.weight", "fc.bias", "fc.running_mean", "fc.num_batches_tracked",
        ])
        #expect(Block().namedParameters().count == 7)
        #expect(Block().parameterCount == 21)
        #expect(Block().module(at: "downsample.1") is Affine)
    }

    @Test func strictLoadReportsEveryMismatchAndChangesNothing() throws {
        let block = Block()
        var state = Dictionary(uniqueKeysWithValues: block.stateDict().map { ($0.0, Tensor.full($0.1.shape, 2)) })
        state["fc.weight"] = Tensor.zeros([4])
        state["conv1.bias"] = nil
        state["head.weight"] = Tensor.zeros([1])
        #expect(throws: StateDictMismatch(missingKeys: ["conv1.bias"], unexpectedKeys: ["head.weight"],
                                          shapeMismatches: [.init(key: "fc.weight", expected: [3], found: [4])])) {
            try block.loadStateDict(state)
        }
        #expect(block.conv1.weight.scalars == [1, 1, 1])

        let report = try block.loadStateDict(state, strict: false)
        #expect(report.missingKeys == ["conv1.bias"])
        #expect(block.conv1.weight.scalars == [2, 2, 2])
        #expect(block.fc.weight.scalars == [1, 1, 1])
    }

    @Test func loadsInPlaceAndStripsDataParallelPrefix() throws {
        let source = Block(), target = Block()
        source.conv1.weight.withMutableFloats { $0[1] = 7 }
        source.conv1.numBatchesTracked.copyValuesForTest(42)
        let weightBefore = target.conv1.weight
        let prefixed = Dictionary(uniqueKeysWithValues: source.stateDict().map { ("module." + $0.0, $0.1) })
        try target.loadStateDict(prefixed)
        #expect(target.conv1.weight === weightBefore)
        #expect(target.conv1.weight.scalars == [1, 7, 1])
        #expect(target.conv1.numBatchesTracked.integers == [42])
    }

    @Test func freezingByPatternStopsGradients() throws {
        let block = Block()
        #expect(try block.freeze(["conv1"]) == ["conv1.weight", "conv1.bias"])
        #expect(try block.freeze(["*.bias"]) == ["conv1.bias", "fc.bias"])
        #expect(try block.freeze(["**.bias"]).sorted() == ["conv1.bias", "downsample.1.bias", "fc.bias"])
        #expect(block.trainableParameters().count == 3)
        #expect(throws: TensorError.self) { try block.freeze(["layer9"]) }
        let output = try block(Tensor.ones([2, 3])).sum()
        try output.backward()
        #expect(block.conv1.weight.grad == nil)
        #expect(block.fc.weight.grad != nil)
        try block.unfreeze()
        #expect(block.trainableParameters().count == 7)
        #expect(block.namedBuffers().allSatisfy { !$0.1.requiresGrad })
    }

    @Test func keyPatternsMatchSegments() {
        #expect(KeyPattern("layer4.*.conv1.weight").matches("layer4.1.conv1.weight"))
        #expect(!KeyPattern("layer4.*.weight").matches("layer4.1.conv1.weight"))
        #expect(KeyPattern("layer4.**.weight").matches("layer4.1.conv1.weight"))
        #expect(KeyPattern("features").matches("features.0.weight"))
        #expect(!KeyPattern("features").matches("features2.weight"))
    }

    @Test func trainModeAndHooksReachDescendants() throws {
        let block = Block()
        block.eval()
        #expect(block.namedModules().allSatisfy { !$0.1.isTraining })
        var seen: [[Int]] = []
        let token = block.conv1.addForwardHook { _, input, output in seen.append(input.shape + output.shape) }
        _ = try block(Tensor.ones([5, 3]))
        token.remove()
        _ = try block(Tensor.ones([5, 3]))
        #expect(seen == [[5, 3, 5, 3]])
    }

    @Test func safetensorsRoundTripKeepsDtypesAndMetadata() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let tensors: [(String, Tensor)] = [("a", Tensor([1.5, -2], shape: [2, 1])),
                                           ("n", Tensor(integers: [3], shape: [])), ("b", Tensor(bytes: [7, 8], shape: [2]))]
        try SafeTensorsFile.write(.init(tensors: tensors, metadata: ["epoch": "3"]), to: url)
        let loaded = try SafeTensorsFile.read(url)
        #expect(loaded.tensors.map(\.0) == ["a", "n", "b"])
        #expect(loaded.dictionary["a"]?.shape == [2, 1] && loaded.dictionary["a"]?.scalars == [1.5, -2])
        #expect(loaded.dictionary["n"]?.integers == [3])
        #expect(loaded.dictionary["b"]?.bytes == [7, 8])
        #expect(loaded.metadata == ["epoch": "3"])

        var data = try Data(contentsOf: url)
        data.removeLast(3)
        #expect(throws: SafeTensorsFile.FormatError.self) { try SafeTensorsFile.decode(data, name: "cut.safetensors") }
    }

    @Test func halfPrecisionSafetensorsDecode() throws {
        // {"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"y":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}}
        let header = #"{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"y":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}}"#
        var data = Data((0..<8).map { UInt8(truncatingIfNeeded: header.utf8.count >> (8 * $0)) })
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: [0x80, 0x3F, 0x00, 0xC0])  // bf16 1.0, -2.0
        data.append(contentsOf: [0x00, 0x3C])  // f16 1.0
        let contents = try SafeTensorsFile.decode(data, name: "half")
        #expect(contents.dictionary["x"]?.scalars == [1, -2])
        #expect(contents.dictionary["y"]?.scalars == [1])
    }
}

private extension Tensor {
    func copyValuesForTest(_ value: Int) { try? copyValues(from: Tensor(integers: [value], shape: [])) }
}
