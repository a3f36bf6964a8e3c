/// Batch normalization over the channel axis of `[N, C]`, `[N, C, L]` (``BatchNorm1d``)
/// or `[N, C, H, W]` (``BatchNorm2d``) input, as PyTorch's.
///
/// In training mode it normalizes with the batch's statistics and updates the running
/// averages; in evaluation mode it uses the running averages. Running statistics are
/// buffers: they are saved, never trained, and freezing cannot make them trainable.
///
/// A frozen layer (its affine parameters do not require gradients) stays in evaluation
/// mode even when the model trains, so fine-tuning on small batches leaves the
/// pretrained statistics alone; set ``updatesStatisticsWhenFrozen`` to update them anyway.
public class BatchNorm: Module {
    public var weight: Tensor?
    public var bias: Tensor?
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVar: Tensor
    @Buffer public var numBatchesTracked: Tensor
    public let eps: Float
    /// Weight of the newest batch in the running averages; `nil` for a cumulative average.
    public let momentum: Float?
    let expectedRanks: [Int]
    /// Whether a frozen layer still normalizes with batch statistics and updates its running averages in training mode.
    public var updatesStatisticsWhenFrozen = false

    init(_ features: Int, eps: Float, momentum: Float?, affine: Bool, expectedRanks: [Int]) {
        weight = affine ? Tensor.ones([features]).requiringGrad() : nil
        bias = affine ? Tensor.zeros([features]).requiringGrad() : nil
        _runningMean = Buffer(wrappedValue: Tensor.zeros([features]), "running_mean")
        _runningVar = Buffer(wrappedValue: Tensor.ones([features]), "running_var")
        _numBatchesTracked = Buffer(wrappedValue: Tensor.zeros([], dtype: .int64), "num_batches_tracked")
        self.eps = eps
        self.momentum = momentum
        self.expectedRanks = expectedRanks
        super.init()
    }

    public var numFeatures: Int { runningMean.shape[0] }

    /// Affine and none of its parameters requires a gradient.
    public var isFrozen: Bool {
        guard let weight, let bias else { return false }
        return !weight.requiresGrad && !bias.requiresGrad
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard expectedRanks.contains(input.rank) else {
            throw TensorError("\(type(of: self)) expects input of rank \(expectedRanks.map(String.init).joined(separator: " or ")), "
                + "got shape \(input.shape)")
        }
        var averagingFactor = momentum ?? 0
        let usesBatchStatistics = isTraining && (!isFrozen || updatesStatisticsWhenFrozen)
        if usesBatchStatistics {
            let batches = numBatchesTracked.integers[0] + 1
            try numBatchesTracked.copyValues(from: Tensor(integers: [batches], shape: []))
            if momentum == nil { averagingFactor = 1 / Float(batches) }
        }
        return try batchNorm(input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             training: usesBatchStatistics, momentum: averagingFactor, eps: eps)
    }
}

/// Batch normalization for `[N, C, H, W]` feature maps (`torch.nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNorm {
    public init(_ features: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(features, eps: eps, momentum: momentum, affine: affine, expectedRanks: [4])
    }
}

/// Batch normalization for `[N, C]` or `[N, C, L]` input (`torch.nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNorm {
    public init(_ features: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(features, eps: eps, momentum: momentum, affine: affine, expectedRanks: [2, 3])
    }
}
