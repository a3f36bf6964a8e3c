import ConvKitVision
import Foundation
import Testing

/// Specs, transforms and checkpoints that ask for more than any real input needs are
/// refused with the bound named, before anything that size is allocated.
@Suite struct ResourceBoundTests {
    @Test func aThousandDeepSpecIsRefusedAtOnceAndSixteenDeepParses() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "randomapply(", count: depth) + "hflip(0.5)" + String(repeating: ",p=0.5)", count: depth)
        }
        let start = Date()
        #expect(throws: TransformError.self) { try TransformSpec(nested(1000)) }
        #expect(Date().timeIntervalSince(start) < 0.5)
        #expect(try TransformSpec(nested(16)).transform.transforms.count == 1)
        let error = #expect(throws: TransformError.self) { try TransformSpec(nested(17)) }
        #expect(error?.description.contains("nests steps 17 deep, more than the limit of 16") == true)
    }

    @Test func anOverlongSpecOrJSONFileIsRefused() throws {
        let long = Array(repeating: "hflip(0.5)", count: 1001).joined(separator: ";")
        let error = #expect(throws: TransformError.self) { try TransformSpec(long) }
        #expect(error?.description.contains("more than the limit of 10000") == true)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("big.json")
        try Data(("[" + Array(repeating: "{\"name\": \"hflip\"}", count: 1000).joined(separator: ",") + "]").utf8).write(to: file)
        let fileError = #expect(throws: TransformError.self) { try TransformSpec(file.path) }
        #expect(fileError?.description.contains("bytes, more than the limit of 10000") == true)
    }

    @Test(arguments: ["resize(1000000)", "resize(100000x100000)", "randomcrop(100000)", "centercrop(20000x20000)",
                      "randomresizedcrop(50000)", "randomcrop(28,padding=9223372036854775807)"])
    func outputSizesBeyondTheImageLimitAreRefusedWhenParsed(spec: String) {
        let error = #expect(throws: TransformError.self) { try TransformSpec(spec) }
        #expect(error?.description.contains("pixels") == true, "\(spec): \(error.map(String.init(describing:)) ?? "")")
    }

    @Test func kernelsRefuseOversizedOutputsBeforeAllocating() throws {
        let tall = try PlanarImage(channels: 1, height: 100_000, width: 1, values: [Float](repeating: 0, count: 100_000))
        // The result is small, but rows are resampled first into a 100000 x 100000 intermediate.
        #expect(throws: ImageError.self) { try tall.resized(height: 1, width: 100_000) }
        #expect(throws: ImageError.self) { try tall.resized(shorterSide: Int.max) }
        #expect(throws: ImageError.self) { try tall.padded(left: 1, top: 0, right: 100_000, bottom: 0) }
        #expect(try tall.resized(height: 10, width: 1).height == 10)
    }

    @Test func aGridTooLargeForAnImageIsRefused() throws {
        let tile = try Image(width: 10, height: 10, channels: 1, pixels: [UInt8](repeating: 0, count: 100))
        let error = #expect(throws: ImageError.self) {
            try TileGrid(legend: [], tiles: [(tile, nil), (tile, nil)], scale: 2_000, columns: Int.max).render()
        }
        #expect(error?.description.contains("more than the limit of") == true)
    }

    @Test func classCountsAreBounded() throws {
        let error = #expect(throws: TensorError.self) { try ModelRegistry.make("lenet5", numClasses: 1_000_000_000, inputChannels: 1, inputSize: 28) }
        #expect(error?.description.contains("between 1 and 100000") == true)
        #expect(throws: TensorError.self) { try ModelRegistry.make("lenet5", numClasses: 0, inputChannels: 1, inputSize: 28) }
    }

    @Test func aCheckpointHeadWithoutWeightsIsRefused() throws {
        var state = Dictionary(uniqueKeysWithValues: try LeNet5(numClasses: 10, inputChannels: 1).stateDict())
        state["classifier.4.weight"] = Tensor([], shape: [1_000_000_000, 0])
        let error = #expect(throws: TensorError.self) { try ModelRegistry.make("lenet5", loading: state, inputSize: 28) }
        #expect(error?.description.contains("[1000000000, 0]") == true)
        state["classifier.4.weight"] = Tensor([Float](repeating: 0, count: 200_001), shape: [200_001, 1])
        let tooMany = #expect(throws: TensorError.self) { try ModelRegistry.make("lenet5", loading: state, inputSize: 28) }
        #expect(tooMany?.description.contains("200001 classes, more than the limit of 100000") == true)
    }

    @Test func wrappedStateDictsGiveTheirOwnClassCountAndChannels() throws {
        let trained = try LeNet5(numClasses: 7, inputChannels: 1)
        let wrapped = Dictionary(uniqueKeysWithValues: trained.stateDict().map { ("module." + $0.0, $0.1) })
        let loaded = try ModelRegistry.make("lenet5", loading: wrapped, inputSize: 28)
        let input = Tensor([Float](repeating: 0.5, count: 28 * 28), shape: [1, 1, 28, 28])
        #expect(try loaded(input).shape == [1, 7])
        #expect(try loaded(input).scalars == trained(input).scalars)
    }
}
