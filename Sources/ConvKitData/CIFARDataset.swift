import ConvKitCore
import Foundation

/// CIFAR-10 and CIFAR-100 in their binary distribution: fixed-size records of label
/// byte(s) followed by 3x32x32 pixels in CHW order.
public enum CIFARDataset {
    public enum Variant: Sendable {
        case cifar10
        /// CIFAR-100 records carry a coarse and a fine label; the fine one is used.
        case cifar100
    }

    public static let cifar10Classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                        "truck"]

    public static func load(from directory: URL, variant: Variant, split: IDXDataset.Split) throws -> InMemoryImageDataset {
        let files: [String]
        switch (variant, split) {
        case (.cifar10, .train): files = (1...5).map { "data_batch_\($0).bin" }
        case (.cifar10, .test): files = ["test_batch.bin"]
        case (.cifar100, .train): files = ["train.bin"]
        case (.cifar100, .test): files = ["test.bin"]
        }
        let batches = try files.map { file in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                throw DatasetError("missing \(file) in \(directory.path); expected the CIFAR binary version's files "
                    + files.joined(separator: ", "))
            }
            return (name: file, data: data)
        }
        return try decode(batches: batches, variant: variant)
    }

    /// Decodes binary batches held in memory, concatenated in the order given.
    /// - Parameters:
    ///   - batches: Each batch file's name, which identifies it in errors, and bytes.
    ///   - variant: Which label layout the records have.
    ///   - limits: Bounds the total pixel count.
    public static func decode(batches: [(name: String, data: Data)], variant: Variant,
                              limits: ResourceLimits = .current) throws -> InMemoryImageDataset {
        let labelBytes = variant == .cifar10 ? 1 : 2
        let recordSize = labelBytes + 3 * 32 * 32
        var pixels: [UInt8] = [], labels: [Int] = []
        for (name, data) in batches {
            guard !data.isEmpty, data.count % recordSize == 0 else {
                throw DatasetError("\(name) has \(data.count) bytes, not a whole number of \(recordSize)-byte records; "
                    + "it is truncated or not a CIFAR binary batch")
            }
            let records = data.count / recordSize
            do { _ = try limits.elementCount(of: [labels.count + records, 3, 32, 32], for: "CIFAR's pixels") }
            catch let error as TensorError { throw DatasetError(error.description) }
            let bytes = [UInt8](data)
            for start in stride(from: 0, to: bytes.count, by: recordSize) {
                labels.append(Int(bytes[start + labelBytes - 1]))
                pixels.append(contentsOf: bytes[(start + labelBytes)..<(start + recordSize)])
            }
        }
        let classNames = variant == .cifar10 ? cifar10Classes : (0..<100).map { "class \($0)" }
        return try InMemoryImageDataset(pixels: pixels, labels: labels, exampleShape: [3, 32, 32], classNames: classNames)
    }
}
