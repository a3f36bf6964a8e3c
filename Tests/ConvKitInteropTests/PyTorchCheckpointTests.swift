import ConvKitCore
import ConvKitInterop
import ConvKitTestSupport
import Foundation
import Testing

@Suite struct PyTorchCheckpointTests {
    /// Each fixture holds tensors PyTorch saved in a different way; all must come back
    /// exactly as PyTorch reads them, in the saved order.
    @Test(arguments: ["zip_dtypes", "zip_views", "legacy", "data_parallel", "protocol4", "deflated", "zip64"])
    func fixtureMatchesPyTorch(_ name: String) throws {
        let tensors = try PyTorchCheckpoint.read(checkpointURL(name))
        #expect(tensors.map(\.0) == (try expectedKeys(name)))
        for (key, tensor) in tensors {
            expectIdentical(tensor, try expectedTensor(name, key), "\(name): \(key)")
        }
    }

    @Test func dtypesConvertToConvKitTypes() throws {
        let tensors = try PyTorchCheckpoint.load(checkpointURL("zip_dtypes"))
        let dtypes = tensors.mapValues(\.dtype)
        #expect(dtypes == ["float32": .float32, "float16": .float32, "bfloat16": .float32, "float64": .float32,
                           "int32": .int64, "int8": .int64, "uint8": .uint8, "bool": .uint8,
                           "num_batches_tracked": .int64, "empty": .float32])
        let counter = try #require(tensors["num_batches_tracked"])
        #expect(counter.shape == [] && counter.integers == [1_234_567_890_123])
        #expect(try #require(tensors["int32"]).integers == [-2_147_483_648, -1, 0, 2_147_483_647])
        #expect(try #require(tensors["int8"]).integers == [-128, -1, 127])
        #expect(try #require(tensors["bool"]).bytes == [1, 0, 1])
        #expect(try #require(tensors["empty"]).shape == [0, 3])
    }

    /// Views are saved as the base tensor's whole storage plus offset and strides.
    @Test func viewsSharingAStorageAreCopiedOutWithTheirStrides() throws {
        let tensors = try PyTorchCheckpoint.load(checkpointURL("zip_views"))
        let base = try #require(tensors["base"]).scalars
        let transposed = try #require(tensors["transposed"])
        #expect(transposed.shape == [6, 4] && transposed.isContiguous)
        #expect(transposed.scalars == (0..<6).flatMap { column in (0..<4).map { row in base[row * 6 + column] } })
        #expect(try #require(tensors["rows"]).scalars == Array(base[6..<18]))
        #expect(try #require(tensors["column"]).scalars == [base[2], base[8], base[14], base[20]])
        #expect(try #require(tensors["every_other"]).scalars == [base[1], base[3], base[5], base[13], base[15], base[17]])
        #expect(try #require(tensors["element"]).shape == [] && tensors["element"]?.item == base[23])
        let expanded = try #require(tensors["expanded"])
        #expect(expanded.shape == [3, 4] && (0..<3).allSatisfy { row in Set(expanded.scalars[(row * 4)..<(row * 4 + 4)]).count == 1 })
    }

    @Test func dataParallelKeysKeepTheirPrefix() throws {
        let keys = try PyTorchCheckpoint.read(checkpointURL("data_parallel")).map(\.0)
        #expect(keys.first == "module.0.weight" && keys.contains("module.1.num_batches_tracked"))
        #expect(keys.allSatisfy { $0.hasPrefix("module.") })
    }

    @Test func decodeAgreesWithRead() throws {
        let url = try checkpointURL("legacy")
        let decoded = try PyTorchCheckpoint.decode(Data(contentsOf: url), name: "legacy")
        let read = try PyTorchCheckpoint.read(url)
        #expect(decoded.map(\.0) == read.map(\.0))
        for ((key, first), (_, second)) in zip(decoded, read) { expectIdentical(first, second, key) }
    }

    /// The real EfficientNet-Lite0 weights: legacy format, with most convolution weights
    /// saved non-contiguous (channels-last strides). Values as PyTorch 2.15 reports them.
    @Test func efficientNetLite0Weights() throws {
        let tensors = try PyTorchCheckpoint.read(TestAssets.efficientNetLite0Weights())
        #expect(tensors.count == 296)
        #expect(tensors.first?.0 == "_conv_stem.weight" && tensors.last?.0 == "_fc.bias")
        let state = Dictionary(tensors, uniquingKeysWith: { first, _ in first })

        let stem = try #require(state["_conv_stem.weight"])
        #expect(stem.shape == [32, 3, 3, 3])
        let stemValues = stem.scalars
        // PyTorch: w[0,0,0,0], w[31,2,2,2], w[5,1,0,2]; the stem is stored with strides (1, 32, 288, 96).
        #expect(stemValues[0] == -1.1103360652923584)
        #expect(stemValues[31 * 27 + 2 * 9 + 2 * 3 + 2] == 2.2351741790771484e-08)
        #expect(stemValues[5 * 27 + 1 * 9 + 0 * 3 + 2] == -0.00487905740737915)
        #expect(abs(stemValues.reduce(0.0) { $0 + Double($1) } - -26.811376610887237) < 1e-9)

        let classifier = try #require(state["_fc.weight"])
        #expect(classifier.shape == [1000, 1280])
        let classifierValues = classifier.scalars
        #expect(classifierValues[0] == -0.04561043530702591)
        #expect(classifierValues[123 * 1280 + 456] == 0.024716289713978767)
        #expect(classifierValues[999 * 1280 + 1279] == 0.04085797071456909)
        #expect(abs(classifierValues.reduce(0.0) { $0 + Double($1) } - -470.63256730128705) < 1e-7)

        #expect(try #require(state["_fc.bias"]).scalars[7] == 0.008631639182567596)
        #expect(try #require(state["_bn0.running_var"]).scalars[3] == 3.942131996154785)
        let counters = state.filter { $0.key.hasSuffix("num_batches_tracked") }
        #expect(counters.count == 49 && counters.values.allSatisfy { $0.dtype == .int64 && $0.shape == [] && $0.integers == [0] })
    }
}
