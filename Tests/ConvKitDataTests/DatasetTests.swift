@testable import ConvKitData
import Foundation
import Testing

/// A temporary folder removed when the test ends.
final class TemporaryDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-data-\(UUID())")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: url.appendingPathComponent(name)) }
}

/// An IDX file of unsigned bytes with the given dimensions.
func idx(_ dims: [Int], _ payload: [UInt8]) -> [UInt8] {
    [0, 0, 8, UInt8(dims.count)] + dims.flatMap { d in (0..<4).map { UInt8((d >> (8 * (3 - $0))) & 0xFF) } } + payload
}

/// gzip of `bytes` made by the system's gzip, as the real files are.
func gzip(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> [UInt8] {
    let plain = directory.url.appendingPathComponent("plain-\(UUID())")
    try Data(bytes).write(to: plain)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-f", plain.path]
    try process.run()
    process.waitUntilExit()
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz")))
}

@Suite struct DatasetTests {
    func writeTinyMNIST(_ directory: TemporaryDirectory, compressed: Bool, labels: [UInt8] = [3, 1, 4]) throws {
        let images = idx([3, 2, 2], (0..<12).map { UInt8($0 * 20) })
        let labelFile = idx([labels.count], labels)
        for (name, bytes) in [("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labelFile)] {
            if compressed { try directory.write(name + ".gz", try gzip(bytes, in: directory)) } else { try directory.write(name, bytes) }
        }
    }

    @Test(arguments: [false, true])
    func readsIDXFilesPlainAndGzipped(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        try writeTinyMNIST(directory, compressed: compressed)
        let dataset = try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses)
        #expect(dataset.count == 3 && dataset.exampleShape == [1, 2, 2] && dataset.labels == [3, 1, 4])
        var pixels = [Float](repeating: 0, count: 4)
        let label = pixels.withUnsafeMutableBufferPointer { dataset.copyExample(1, into: $0) }
        #expect(label == 1)
        #expect(zip(pixels, [80, 100, 120, 140]).allSatisfy { abs($0 - Float($1) / 255) < 1e-6 })
    }

    @Test func decodesIDXFilesHeldInMemoryNamingThemInErrors() throws {
        let images = Data(idx([2, 1, 2], [10, 20, 30, 40])), labels = Data(idx([2], [5, 6]))
        let dataset = try IDXDataset.decode(images: images, labels: labels, classNames: IDXDataset.mnistClasses)
        #expect(dataset.count == 2 && dataset.exampleShape == [1, 1, 2] && dataset.labels == [5, 6])
        #expect(throws: DatasetError("upload.idx is truncated in its header")) {
            try IDXDataset.decode(images: images.prefix(9), imagesName: "upload.idx", labels: labels, classNames: IDXDataset.mnistClasses)
        }
    }

    @Test func corruptFilesGiveClearErrors() throws {
        let directory = try TemporaryDirectory()
        try writeTinyMNIST(directory, compressed: false, labels: [3, 1])
        #expect(throws: DatasetError("t10k-images-idx3-ubyte holds 3 images but t10k-labels-idx1-ubyte holds 2 labels; the files do not belong together")) {
            try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses)
        }
        try directory.write("t10k-labels-idx1-ubyte", [0, 0, 8, 3, 0, 0, 0, 3, 1, 2, 3])
        #expect(throws: DatasetError.self) { try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses) }
        try directory.write("t10k-labels-idx1-ubyte", idx([5], [1, 2]))
        let truncated = #expect(throws: DatasetError.self) {
            try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses)
        }
        #expect(truncated?.description.contains("truncated") == true)
        let gz = try gzip(idx([3], [1, 2, 3]), in: directory)
        try directory.write("t10k-labels-idx1-ubyte.gz", Array(gz.prefix(gz.count - 8)))
        #expect(throws: DatasetError.self) { try IDXDataset.load(from: directory.url, split: .test, classNames: IDXDataset.mnistClasses) }
        #expect(throws: DatasetError.self) { try IDXDataset.load(from: directory.url, split: .train, classNames: IDXDataset.mnistClasses) }
    }

    @Test func readsCIFARRecordsAndRejectsPartialOnes() throws {
        let directory = try TemporaryDirectory()
        let record = { (label: UInt8) in [label] + [UInt8](repeating: label * 10, count: 3072) }
        try directory.write("test_batch.bin", record(7) + record(2))
        let dataset = try CIFARDataset.load(from: directory.url, variant: .cifar10, split: .test)
        #expect(dataset.labels == [7, 2] && dataset.exampleShape == [3, 32, 32])
        try directory.write("test_batch.bin", record(7) + [1, 2, 3])
        #expect(throws: DatasetError.self) { try CIFARDataset.load(from: directory.url, variant: .cifar10, split: .test) }
        let fine = try CIFARDataset.decode(batches: [(name: "a", data: Data([0, 9] + [UInt8](repeating: 1, count: 3072)))],
                                           variant: .cifar100)
        #expect(fine.labels == [9] && fine.classNames.count == 100)
    }

    @Test func mnistReadsEachSplitFromItsStandardFileNames() throws {
        let directory = try TemporaryDirectory()
        let files = [("train-images-idx3-ubyte", idx([3, 28, 28], [UInt8](repeating: 1, count: 3 * 784))),
                     ("train-labels-idx1-ubyte", idx([3], [5, 0, 4])),
                     ("t10k-images-idx3-ubyte", idx([2, 28, 28], [UInt8](repeating: 2, count: 2 * 784))),
                     ("t10k-labels-idx1-ubyte", idx([2], [7, 2]))]
        for (name, bytes) in files { try directory.write(name + ".gz", try gzip(bytes, in: directory)) }
        let test = try DatasetName.mnist.load(split: .test, directory: directory.url)
        #expect(test.count == 2 && test.labels == [7, 2] && test.exampleShape == [1, 28, 28])
        let train = try DatasetName.mnist.load(split: .train, directory: directory.url)
        #expect(train.count == 3 && train.labels == [5, 0, 4] && train.classNames == IDXDataset.mnistClasses)
    }

    @Test func missingDatasetListsWhereItLooked() {
        let error = #expect(throws: DatasetError.self) {
            try DatasetName.cifar10.load(split: .test, directory: URL(fileURLWithPath: "/nonexistent/cifar"))
        }
        #expect(error?.description.contains("/nonexistent/cifar") == true)
    }
}

@Suite struct DataLoaderTests {
    func numbers(_ count: Int) throws -> InMemoryImageDataset {
        try InMemoryImageDataset(pixels: (0..<count).map { UInt8($0) }, labels: (0..<count).map { $0 % 10 },
                                 exampleShape: [1, 1, 1], classNames: IDXDataset.mnistClasses)
    }

    func batches(_ loader: DataLoader, epoch: Int = 0) throws -> [Batch] {
        var batches: [Batch] = []
        try loader.forEachBatch(epoch: epoch) { _, batch in batches.append(batch) }
        return batches
    }

    @Test func everyExampleOncePerEpochInASeededOrder() throws {
        let loader = try DataLoader(try numbers(103), batchSize: 10, shuffle: true, seed: 5)
        let epoch0 = try batches(loader, epoch: 0)
        #expect(epoch0.count == 11 && epoch0.last?.images.shape == [3, 1, 1, 1])
        let seen = epoch0.flatMap { $0.images.scalars.map { Int(($0 * 255).rounded()) } }
        #expect(seen.sorted() == Array(0..<103) && seen != Array(0..<103))
        #expect(epoch0.flatMap(\.labels.integers) == seen.map { $0 % 10 })
        let again = try batches(loader, epoch: 0).flatMap { $0.images.scalars }
        #expect(again == epoch0.flatMap { $0.images.scalars })
        let epoch1 = try batches(loader, epoch: 1).flatMap { $0.images.scalars }
        #expect(epoch1 != again)
    }

    @Test func dropLastAndEarlyExit() throws {
        struct Stop: Error {}
        let loader = try DataLoader(try numbers(25), batchSize: 10, dropLast: true, prefetch: 1)
        #expect(try loader.count == 2 && batches(loader).count == 2)
        // Throwing out of the body must stop the producer without deadlocking.
        #expect(throws: Stop.self) {
            try loader.forEachBatch { _, batch in
                #expect(batch.images.shape == [10, 1, 1, 1])
                throw Stop()
            }
        }
        #expect(throws: DatasetError.self) { try DataLoader(try numbers(5), batchSize: 0) }
    }

    /// Stands in for a random augmentation that changes the size of some examples or fails on them.
    struct FlakyTransform: ExampleTransform {
        let failAt: Int
        let failure: @Sendable () throws -> Void
        func transform(_ values: [Float], shape: [Int], epoch: Int, index: Int) throws -> (values: [Float], shape: [Int]) {
            guard index == failAt else { return (values, shape) }
            try failure()
            return (values + values, [shape[0] * 2] + shape.dropFirst())
        }
    }

    @Test func augmentationFailuresMidEpochAreThrownAfterTheBatchesBeforeThem() throws {
        struct Degenerate: Error {}
        for failure in [{ throw Degenerate() }, {}] as [@Sendable () throws -> Void] {
            let loader = try DataLoader(try numbers(25), batchSize: 10,
                                        exampleTransform: FlakyTransform(failAt: 13, failure: failure))
            var delivered = 0
            let error = #expect(throws: DatasetError.self) {
                try loader.forEachBatch { _, _ in delivered += 1 }
            }
            #expect(delivered == 1)
            #expect(error?.description.contains("example 13") == true)
        }
    }
}
