import ConvKitCore
import Foundation

/// MNIST-family datasets stored as IDX files (LeCun's format: a magic number naming the
/// element type and rank, big-endian dimensions, then raw bytes), gzipped or not.
public enum IDXDataset {
    /// Which of the two standard splits to read.
    public enum Split: String, Sendable {
        case train
        case test

        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    public static let mnistClasses = (0...9).map(String.init)
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                             "Sneaker", "Bag", "Ankle boot"]

    /// Reads `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` from `directory`.
    public static func load(from directory: URL, split: Split, classNames: [String]) throws -> InMemoryImageDataset {
        let imagesURL = try locate("\(split.filePrefix)-images-idx3-ubyte", in: directory)
        let labelsURL = try locate("\(split.filePrefix)-labels-idx1-ubyte", in: directory)
        let (imageDims, pixels) = try readIDX(imagesURL, expectedRank: 3)
        let (labelDims, labelBytes) = try readIDX(labelsURL, expectedRank: 1)
        guard imageDims[0] == labelDims[0] else {
            throw DatasetError("\(imagesURL.lastPathComponent) holds \(imageDims[0]) images but "
                + "\(labelsURL.lastPathComponent) holds \(labelDims[0]) labels; the files do not belong together")
        }
        return try InMemoryImageDataset(pixels: pixels, labels: labelBytes.map(Int.init),
                                        exampleShape: [1, imageDims[1], imageDims[2]], classNames: classNames)
    }

    /// `name.gz` if present, else `name` (some mirrors ship the files uncompressed).
    static func locate(_ name: String, in directory: URL) throws -> URL {
        for candidate in [name + ".gz", name] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DatasetError("missing \(name)[.gz] in \(directory.path); expected the four standard IDX files "
            + "(train/t10k images and labels) there")
    }

    /// Dimensions and payload of an unsigned-byte IDX file of the given rank. A gzipped file
    /// is inflated only as far as its header's shape says, so a bomb cannot expand further.
    static func readIDX(_ url: URL, expectedRank: Int, limits: ResourceLimits = .current) throws -> ([Int], [UInt8]) {
        var data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError("cannot read \(url.path): \(error.localizedDescription)")
        }
        let compressed = Gzip.isCompressed(data) ? data : nil
        let headerSize = 4 + 4 * expectedRank
        if let compressed { data = try Gzip.prefix(headerSize, of: compressed, name: url.path) }
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, Int(bytes[3]) == expectedRank else {
            let magic = bytes.prefix(4).map { String(format: "%02x", $0) }.joined()
            throw DatasetError("\(url.lastPathComponent) is not an IDX file of unsigned bytes with \(expectedRank) "
                + "dimension(s) (magic number \(magic), expected 000008\(String(format: "%02x", expectedRank)))")
        }
        guard bytes.count >= headerSize else { throw DatasetError("\(url.lastPathComponent) is truncated in its header") }
        let dims = (0..<expectedRank).map { axis in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) }
        }
        let expected: Int
        do { expected = try limits.elementCount(of: dims, for: url.lastPathComponent) } catch let error as TensorError {
            throw DatasetError(error.description)
        }
        let payload = try compressed.map { [UInt8](try Gzip.decompress($0, name: url.path, size: headerSize + expected)) } ?? bytes
        guard payload.count - headerSize >= expected else {
            throw DatasetError("\(url.lastPathComponent) is truncated: its header announces \(dims) "
                + "(\(expected) bytes) but only \(payload.count - headerSize) follow; download it again")
        }
        return (dims, Array(payload[headerSize..<(headerSize + expected)]))
    }
}
