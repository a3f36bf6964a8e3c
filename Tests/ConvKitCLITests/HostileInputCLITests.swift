import ConvKitTestSupport
import ConvKitVision
import Foundation
import Testing

/// Hostile files given to `convkit predict` end with exit status 1 and one line naming the
/// problem (issue 11); the in-process tests of each reader check the details.
@Suite struct HostileInputCLITests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-hostile-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: some Sequence<UInt8>) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func expectOneLineError(_ result: (status: Int32, output: String), containing expected: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = result.output.split(separator: "\n")
        #expect(result.status == 1 && lines.count == 1 && result.output.contains(expected),
                "status \(result.status): \(result.output)", sourceLocation: sourceLocation)
    }

    func gray(_ size: Int) throws -> Image {
        try Image(width: size, height: size, channels: 1, pixels: (0..<(size * size)).map { UInt8($0 % 251) })
    }

    @Test func hostileImagesExitWithOneLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let jpeg = [UInt8](try gray(64).jpegData())
        let bomb = try write("bomb.jpg", HostileFiles.jpeg(jpeg, claimingWidth: 65_500, height: 65_500))
        let scan = try #require(jpeg.indices.dropLast().first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        let cut = try write("cut.jpg", jpeg[..<(scan + (jpeg.count - scan) / 10)] + [0xFF, 0xD9])
        let pngBomb = try write("bomb.png", HostileFiles.pngHeader(width: 20_000, height: 20_000))
        let small = try write("small.png", try gray(16).pngData())
        func predict(_ image: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
            try convkit("predict", "--model", "lenet5", "--weights", folder.appendingPathComponent("unused.pth").path,
                        "--image", image, environment: environment)
        }
        expectOneLineError(try predict(bomb), containing: "65500x65500 = 4290250000 pixels, more than the limit of 178956970")
        expectOneLineError(try predict(cut), containing: "Corrupt JPEG data: premature end of data segment")
        expectOneLineError(try predict(pngBomb), containing: "20000x20000 = 400000000 pixels")
        expectOneLineError(try predict(small, environment: ["CONVKIT_MAX_IMAGE_PIXELS": "100"]),
                           containing: "16x16 = 256 pixels, more than the limit of 100")
    }

    @Test func hostileWeightsAndArraysExitWithOneLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try write("digit.png", try gray(28).pngData())
        let deep = try write("deep.pth", HostileFiles.nestedPickle(.tuple, depth: 100_000))
        let view = HostileFiles.TensorView(name: "conv1.weight", storageKey: "0", storageCount: 1, shape: [1_000_000, 1_000_000],
                                           strides: [0, 0])
        let expanded = try write("expanded.pth", HostileFiles.zipCheckpoint([view], storages: ["0": [1]]))
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let overlapping = try write("overlap.safetensors", HostileFiles.littleEndian(UInt64(header.utf8.count)) + Array(header.utf8)
                                        + [UInt8](repeating: 0, count: 12))
        for (weights, expected) in [(deep, "more than 1000 deep"), (expanded, "more than the limit of 2147483648"),
                                    (overlapping, "overlapping the tensor data before it")] {
            expectOneLineError(try convkit("predict", "--model", "lenet5", "--weights", weights, "--image", image), containing: expected)
        }
        let npyHeader = "{'descr': '<i0', 'fortran_order': False, 'shape': (-1, 3), }\n"
        let npy = try write("bad.npy", [0x93] + Array("NUMPY".utf8) + [1, 0] + HostileFiles.littleEndian(UInt16(npyHeader.utf8.count))
                                + Array(npyHeader.utf8))
        expectOneLineError(try convkit("predict", "--model", "lenet5", "--weights", deep, "--input-npy", npy),
                           containing: "negative dimension in shape [-1, 3]")
    }
}
