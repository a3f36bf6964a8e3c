import ConvKitCore
import Dispatch
import Foundation

/// One batch: images `[B, C, H, W]` (float32) and labels `[B]` (int64).
public struct Batch {
    public let images: Tensor
    public let labels: Tensor
}

/// Batches a dataset in a seeded order, assembling them on a background thread so the
/// training loop never waits for data, like PyTorch's `DataLoader` with workers.
///
/// Each epoch's order is a function of `seed` and the epoch number alone, so a run
/// resumed at epoch 7 sees exactly the batches an uninterrupted one would.
public struct DataLoader: Sendable {
    public let dataset: any Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    /// Batches prepared ahead of the consumer.
    public let prefetch: Int
    /// Augmentation, applied to each example on the producer thread.
    public let exampleTransform: (any ExampleTransform)?
    /// Shape of one example as batched (after `exampleTransform`).
    public let exampleShape: [Int]

    /// `exampleTransform` is tried once on the first example here, so a pipeline that
    /// cannot work on this dataset's images fails now with its message, not mid-epoch.
    public init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false,
                prefetch: Int = 4, exampleTransform: (any ExampleTransform)? = nil) throws {
        guard batchSize > 0 else { throw DatasetError("batch size must be positive, got \(batchSize)") }
        guard dataset.count > 0 else { throw DatasetError("the dataset is empty") }
        self.exampleShape = try exampleTransform.map { transform in
            var first = [Float](repeating: 0, count: dataset.exampleShape.reduce(1, *))
            _ = first.withUnsafeMutableBufferPointer { dataset.copyExample(0, into: $0) }
            return try transform.transform(first, shape: dataset.exampleShape, epoch: 0, index: 0).shape
        } ?? dataset.exampleShape
        self.exampleTransform = exampleTransform
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.prefetch = max(1, prefetch)
    }

    /// Number of batches per epoch.
    public var count: Int { dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize }

    /// The example order of `epoch` (a Fisher-Yates shuffle seeded by seed and epoch).
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<dataset.count)
        if shuffle {
            var generator = RandomGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            indices.shuffle(using: &generator)
        }
        return indices
    }

    /// Calls `body` with each batch of `epoch`, in order, while the next ones are assembled
    /// in the background. An augmentation that fails on the producer thread is thrown here,
    /// after the batches before it; so is anything `body` throws, which also stops the producer.
    public func forEachBatch(epoch: Int = 0, _ body: (_ index: Int, _ batch: Batch) throws -> Void) throws {
        let batches = BatchIterator(loader: self, order: order(epoch: epoch), epoch: epoch)
        var index = 0
        while let batch = try batches.next() {
            try body(index, batch)
            index += 1
        }
    }

    /// Assembles the batch of `indices` into fresh storage (runs on the producer thread).
    func assemble(_ indices: ArraySlice<Int>, epoch: Int) throws -> PreparedBatch {
        let exampleSize = exampleShape.reduce(1, *)
        let images = TensorStorage(byteCount: indices.count * exampleSize * 4, zeroed: false)
        let labels = TensorStorage(byteCount: indices.count * 8, zeroed: false)
        let pixels = images.base.assumingMemoryBound(to: Float.self)
        let labelValues = labels.base.assumingMemoryBound(to: Int.self)
        var original = [Float](repeating: 0, count: exampleTransform == nil ? 0 : dataset.exampleShape.reduce(1, *))
        for (slot, index) in indices.enumerated() {
            let destination = UnsafeMutableBufferPointer(start: pixels + slot * exampleSize, count: exampleSize)
            guard let exampleTransform else {
                labelValues[slot] = dataset.copyExample(index, into: destination)
                continue
            }
            labelValues[slot] = original.withUnsafeMutableBufferPointer { dataset.copyExample(index, into: $0) }
            let augmented: (values: [Float], shape: [Int])
            do {
                augmented = try exampleTransform.transform(original, shape: dataset.exampleShape, epoch: epoch, index: index)
            } catch {
                throw DatasetError("augmentation failed on example \(index) in epoch \(epoch): \(error)")
            }
            guard augmented.shape == exampleShape else {
                throw DatasetError("augmentation gave example \(index) the shape \(augmented.shape), not \(exampleShape) "
                    + "as the first example; end the pipeline with a fixed-size crop or resize")
            }
            _ = destination.update(fromContentsOf: augmented.values)
        }
        return PreparedBatch(images: images, labels: labels, count: indices.count, exampleShape: exampleShape)
    }
}

/// Rewrites each example before batching, e.g. a seeded augmentation pipeline.
///
/// It runs on the loader's producer thread; the result must depend only on the example,
/// `epoch` and `index`, so that a seed reproduces an epoch whatever the timing.
public protocol ExampleTransform: Sendable {
    func transform(_ values: [Float], shape: [Int], epoch: Int, index: Int) throws -> (values: [Float], shape: [Int])
}

/// A batch's raw storage, built off the consumer's thread and adopted there as tensors.
struct PreparedBatch: Sendable {
    let images: TensorStorage
    let labels: TensorStorage
    let count: Int
    let exampleShape: [Int]

    var batch: Batch {
        Batch(images: Tensor(adopting: images, shape: [count] + exampleShape, dtype: .float32),
              labels: Tensor(adopting: labels, shape: [count], dtype: .int64))
    }
}

/// Pulls prepared batches from a bounded queue filled by a background producer; the
/// producer stops when the iterator is dropped, even mid-epoch.
final class BatchIterator {
    private let queue: PrefetchQueue
    private let total: Int
    private var delivered = 0

    init(loader: DataLoader, order: [Int], epoch: Int) {
        let batchCount = loader.count
        total = batchCount
        queue = PrefetchQueue(capacity: loader.prefetch)
        let queue = self.queue
        DispatchQueue.global(qos: .userInitiated).async {
            for batch in 0..<batchCount {
                let start = batch * loader.batchSize
                let indices = order[start..<min(start + loader.batchSize, order.count)]
                let prepared = Result { try loader.assemble(indices, epoch: epoch) }
                guard queue.put(prepared), case .success = prepared else { return }
            }
        }
    }

    deinit { queue.cancel() }

    func next() throws -> Batch? {
        guard delivered < total, let prepared = queue.take() else { return nil }
        delivered += 1
        return try prepared.get().batch
    }
}

/// A bounded producer/consumer queue with cancellation. (A condition variable rather
/// than semaphores: libdispatch aborts when a semaphore is freed below its initial count,
/// which an epoch abandoned midway would do.)
final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Result<PreparedBatch, any Error>] = []
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an item, waiting for room; false once cancelled.
    func put(_ item: Result<PreparedBatch, any Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for the producer; nil once cancelled.
    func take() -> Result<PreparedBatch, any Error>? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !cancelled { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
