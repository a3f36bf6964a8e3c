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
        return try decode(images: contents(of: imagesURL), imagesName: imagesURL.lastPathComponent,
                          labels: contents(of: labelsURL), labelsName: labelsURL.lastPathComponent, classNames: classNames)
    }

    /// Decodes an images file (rank 3) and a labels file (rank 1) held in memory, each gzipped or not.
    /// - Parameters:
    ///   - images: The images file's bytes.
    ///   - imagesName: Identifies them in errors.
    ///   - labels: The labels file's bytes.
    ///   - labelsName: Identifies them in errors.
    ///   - classNames: The name of each label.
    ///   - limits: Bounds the element count the headers may announce.
    public static func decode(images: Data, imagesName: String = "images", labels: Data, labelsName: String = "labels",
                              classNames: [String], limits: ResourceLimits = .current) throws -> InMemoryImageDataset {
        let images = try IDXFile(images, name: imagesName, rank: 3, limits: limits)
        let labels = try IDXFile(labels, name: labelsName, rank: 1, limits: limits)
        // Checked before either payload is read: a label file announcing billions of labels
        // for a few images must not be inflated first.
        guard images.dims[0] == labels.dims[0] else {
            throw DatasetError("\(imagesName) holds \(images.dims[0]) images but \(labelsName) holds \(labels.dims[0]) labels; "
                + "the files do not belong together")
        }
        return try InMemoryImageDataset(pixels: images.payload(), labels: labels.payload().map(Int.init),
                                        exampleShape: [1, images.dims[1], images.dims[2]], classNames: classNames)
    }

    private static func contents(of url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw DatasetError(ErrorMessage.line(for: error)) }
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

}

/// An unsigned-byte IDX file whose header has been read and checked against the limits.
/// A gzipped file is inflated only as far as its header's shape says, so a bomb cannot
/// expand further.
struct IDXFile {
    let name: String
    let dims: [Int]
    private let data: Data
    private let headerSize: Int
    private let elementCount: Int

    init(_ data: Data, name: String, rank: Int, limits: ResourceLimits) throws {
        (self.data, self.name) = (data, name)
        headerSize = 4 + 4 * rank
        let header = [UInt8](Gzip.isCompressed(data) ? try Gzip.prefix(headerSize, of: data, name: name) : data.prefix(headerSize))
        guard header.count >= 4, header[0] == 0, header[1] == 0, header[2] == 0x08, Int(header[3]) == rank else {
            let magic = header.prefix(4).map { String(format: "%02x", $0) }.joined()
            throw DatasetError("\(name) is not an IDX file of unsigned bytes with \(rank) "
                + "dimension(s) (magic number \(magic), expected 000008\(String(format: "%02x", rank)))")
        }
        guard header.count >= headerSize else { throw DatasetError("\(name) is truncated in its header") }
        dims = (0..<rank).map { axis in (0..<4).reduce(0) { $0 << 8 | Int(header[4 + 4 * axis + $1]) } }
        do { elementCount = try limits.elementCount(of: dims, for: name) } catch let error as TensorError {
            throw DatasetError(error.description)
        }
        if !Gzip.isCompressed(data) { try checkLength(data.count) }
    }

    /// The elements after the header.
    func payload() throws -> [UInt8] {
        guard Gzip.isCompressed(data) else { return [UInt8](data[(data.startIndex + headerSize)...].prefix(elementCount)) }
        let bytes = try Gzip.decompress(data, name: name, size: headerSize + elementCount)
        try checkLength(bytes.count)
        return [UInt8](bytes.dropFirst(headerSize))
    }

    private func checkLength(_ fileLength: Int) throws {
        guard fileLength - headerSize >= elementCount else {
            throw DatasetError("\(name) is truncated: its header announces \(dims) "
                + "(\(elementCount) bytes) but only \(fileLength - headerSize) follow; download it again")
        }
    }
}
