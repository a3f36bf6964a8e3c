import ConvKitCore

/// An indexed collection of labeled examples, as PyTorch's map-style `Dataset`.
///
/// Examples are written straight into a batch buffer, so loaders collate without
/// intermediate arrays. Datasets are immutable and `Sendable`: loaders read them from
/// background threads.
public protocol Dataset: Sendable {
    var count: Int { get }
    /// Shape of one example, e.g. `[1, 28, 28]`.
    var exampleShape: [Int] { get }
    var classNames: [String] { get }
    /// Writes example `index` (as floats in [0, 1], CHW) into `destination` and returns its label.
    func copyExample(_ index: Int, into destination: UnsafeMutableBufferPointer<Float>) -> Int
}

/// Decoded images held as bytes (`[N, C, H, W]`, 0...255) with integer labels: MNIST,
/// Fashion-MNIST and CIFAR all fit in memory this way (47 MB for MNIST's training set).
public struct InMemoryImageDataset: Dataset {
    public let pixels: [UInt8]
    public let labels: [Int]
    public let exampleShape: [Int]
    public let classNames: [String]

    public init(pixels: [UInt8], labels: [Int], exampleShape: [Int], classNames: [String]) throws {
        let size: Int
        do { size = try ResourceLimits.current.elementCount(of: exampleShape, for: "an example") } catch let error as TensorError {
            throw DatasetError(error.description)
        }
        guard size > 0, pixels.count % size == 0, pixels.count / size == labels.count else {
            throw DatasetError("dataset has \(pixels.count / max(size, 1)) images of shape \(exampleShape) "
                + "but \(labels.count) labels; the image and label files do not belong together")
        }
        if let bad = labels.first(where: { !(0..<classNames.count).contains($0) }) {
            throw DatasetError("label \(bad) is outside the \(classNames.count) classes; the label file is corrupt")
        }
        self.pixels = pixels
        self.labels = labels
        self.exampleShape = exampleShape
        self.classNames = classNames
    }

    public var count: Int { labels.count }

    public func copyExample(_ index: Int, into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let size = destination.count, start = index * size
        pixels.withUnsafeBufferPointer { source in
            for offset in 0..<size { destination[offset] = Float(source[start + offset]) * (1 / 255) }
        }
        return labels[index]
    }

    /// The first `limit` examples (for quick runs and subsets).
    public func prefix(_ limit: Int) throws -> InMemoryImageDataset {
        let kept = min(limit, count), size = exampleShape.reduce(1, *)
        return try InMemoryImageDataset(pixels: Array(pixels[0..<(kept * size)]), labels: Array(labels[0..<kept]),
                                        exampleShape: exampleShape, classNames: classNames)
    }
}

/// A problem with a dataset on disk, phrased with the file and what to do.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
