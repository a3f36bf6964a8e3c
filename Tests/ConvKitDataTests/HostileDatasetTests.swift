import ConvKitData
import Foundation
import Testing

/// IDX headers and gzip streams built to break the reader (issue 11).
@Suite struct HostileDatasetTests {
    func loadError(_ directory: TemporaryDirectory) -> String {
        let error = #expect(throws: DatasetError.self) {
            _ = try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses)
        }
        return error?.description ?? ""
    }

    @Test func dimensionsWhoseProductOverflowsAreErrors() throws {
        let directory = try TemporaryDirectory()
        try directory.write("t10k-labels-idx1-ubyte", idx([0], []))
        try directory.write("t10k-images-idx3-ubyte", idx([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], []))
        #expect(loadError(directory).contains("t10k-images-idx3-ubyte has shape [4294967295, 4294967295, 4294967295], "
            + "whose element count overflows a 64-bit integer"))
        // No images, but an example shape whose size overflows all the same.
        try directory.write("t10k-images-idx3-ubyte", idx([0, 0xFFFF_FFFF, 0xFFFF_FFFF], []))
        #expect(loadError(directory).contains("overflows a 64-bit integer"))
        try directory.write("t10k-images-idx3-ubyte", idx([100_000, 1_000, 1_000], []))
        #expect(loadError(directory).contains("more than the limit of 2147483648; raise CONVKIT_MAX_TENSOR_ELEMENTS"))
    }

    /// A gzip bomb: a header announcing 2 images of 2x2 followed by 32 MB of zeros that
    /// compress to a few kilobytes. Only the announced bytes (and one more) are inflated.
    @Test func gzipBombInflatesNoFurtherThanTheHeaderSays() throws {
        let directory = try TemporaryDirectory()
        try directory.write("t10k-labels-idx1-ubyte", idx([2], [1, 2]))
        let bomb = try gzip(idx([2, 2, 2], .init(repeating: 7, count: 8)) + [UInt8](repeating: 0, count: 32 << 20), in: directory)
        #expect(bomb.count < 100_000)
        try directory.write("t10k-images-idx3-ubyte.gz", bomb)
        #expect(loadError(directory).hasSuffix("t10k-images-idx3-ubyte.gz decompresses to more than the 24 bytes its header "
            + "announces; it is corrupt"))
    }
}
