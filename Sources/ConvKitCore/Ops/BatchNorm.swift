/// Batch normalization over the channel axis of `[N, C]`, `[N, C, L]` or `[N, C, H, W]`
/// input, as `torch.nn.functional.batch_norm`.
///
/// Training mode normalizes with the batch's mean and biased variance and moves the
/// running averages toward them by `momentum` (storing the unbiased variance, as PyTorch
/// does); evaluation mode uses the running averages. Running statistics are updated in
/// place and never receive gradients.
public func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) throws -> Tensor {
    guard (2...4).contains(input.rank), input.dtype == .float32 else {
        throw TensorError("batchNorm: needs float32 [N, C], [N, C, L] or [N, C, H, W] input, got \(describe(input.shape))")
    }
    let (batch, channels) = (input.shape[0], input.shape[1])
    let spatial = input.shape.dropFirst(2).reduce(1, *), perChannel = batch * spatial
    for (name, tensor) in [("running mean", runningMean), ("running var", runningVar), ("weight", weight), ("bias", bias)] {
        if let tensor, tensor.shape != [channels] {
            throw TensorError("batchNorm: \(name) \(describe(tensor.shape)) must be [\(channels)] for input \(describe(input.shape))")
        }
    }
    guard training || (runningMean != nil && runningVar != nil) else {
        throw TensorError("batchNorm: evaluation mode needs running statistics")
    }
    guard !training || perChannel > 1 else {
        throw TensorError("batchNorm: training needs more than one value per channel, got input \(describe(input.shape))")
    }
    let source = input.contiguous()
    let x = source.floatPointer
    var mean = [Float](repeating: 0, count: channels), inverseStd = [Float](repeating: 0, count: channels)
    if training {
        var variance = [Float](repeating: 0, count: channels)
        mean.withUnsafeMutableBufferPointer { means in
            variance.withUnsafeMutableBufferPointer { variances in
                parallelFor(channels, grain: 1) { range in
                    for c in range {
                        var total: Double = 0, squares: Double = 0
                        for n in 0..<batch {
                            let row = x + (n * channels + c) * spatial
                            for s in 0..<spatial { total += Double(row[s]) }
                        }
                        let channelMean = total / Double(perChannel)
                        for n in 0..<batch {
                            let row = x + (n * channels + c) * spatial
                            for s in 0..<spatial { let d = Double(row[s]) - channelMean; squares += d * d }
                        }
                        means[c] = Float(channelMean)
                        variances[c] = Float(squares / Double(perChannel))
                    }
                }
            }
        }
        inverseStd = variance.map { 1 / ($0 + eps).squareRoot() }
        if let runningMean, let runningVar {
            let unbiased = Float(perChannel) / Float(perChannel - 1)
            runningMean.withMutableFloats { stored in
                for c in 0..<channels { stored[c] = (1 - momentum) * stored[c] + momentum * mean[c] }
            }
            runningVar.withMutableFloats { stored in
                for c in 0..<channels { stored[c] = (1 - momentum) * stored[c] + momentum * variance[c] * unbiased }
            }
        }
    } else if let runningMean, let runningVar {
        mean = runningMean.scalars
        inverseStd = runningVar.scalars.map { 1 / ($0 + eps).squareRoot() }
    }
    let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
    let beta = bias?.scalars ?? [Float](repeating: 0, count: channels)
    let output = Tensor(uninitializedShape: input.shape)
    let y = output.floatPointer
    // y = x * scale + shift per channel
    let scale = (0..<channels).map { gamma[$0] * inverseStd[$0] }
    let shift = (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }
    parallelFor(batch * channels, grain: Swift.max(1, 16_384 / Swift.max(spatial, 1))) { range in
        for row in range {
            let c = row % channels, a = scale[c], b = shift[c]
            let from = x + row * spatial, to = y + row * spatial
            for s in 0..<spatial { to[s] = from[s] * a + b }
        }
    }
    var inputs = [input]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return output.recording("batch_norm", inputs: inputs) { g in
        let gradient = g.contiguous()
        // Taken from the captured tensor, which keeps a contiguous copy of the input alive.
        let dy = gradient.floatPointer, x = source.floatPointer
        // Per channel: sum(dy) and sum(dy * xhat), with xhat = (x - mean) * inverseStd.
        var sumGrad = [Float](repeating: 0, count: channels), sumGradXhat = [Float](repeating: 0, count: channels)
        sumGrad.withUnsafeMutableBufferPointer { sums in
            sumGradXhat.withUnsafeMutableBufferPointer { dots in
                parallelFor(channels, grain: 1) { range in
                    for c in range {
                        var total: Float = 0, dot: Float = 0
                        for n in 0..<batch {
                            let offset = (n * channels + c) * spatial
                            for s in 0..<spatial {
                                total += dy[offset + s]
                                dot += dy[offset + s] * (x[offset + s] - mean[c]) * inverseStd[c]
                            }
                        }
                        sums[c] = total
                        dots[c] = dot
                    }
                }
            }
        }
        var gradients: [Tensor?] = []
        if input.requiresGrad {
            let gradInput = Tensor(uninitializedShape: input.shape)
            let dx = gradInput.floatPointer
            let count = Float(perChannel)
            parallelFor(batch * channels, grain: Swift.max(1, 16_384 / Swift.max(spatial, 1))) { range in
                for row in range {
                    let c = row % channels, k = gamma[c] * inverseStd[c]
                    let offset = row * spatial
                    if training {
                        let meanGrad = sumGrad[c] / count, meanDot = sumGradXhat[c] / count
                        for s in 0..<spatial {
                            let xhat = (x[offset + s] - mean[c]) * inverseStd[c]
                            dx[offset + s] = k * (dy[offset + s] - meanGrad - xhat * meanDot)
                        }
                    } else {
                        for s in 0..<spatial { dx[offset + s] = k * dy[offset + s] }
                    }
                }
            }
            gradients.append(gradInput)
        } else {
            gradients.append(nil)
        }
        if weight != nil { gradients.append(Tensor(sumGradXhat, shape: [channels])) }
        if bias != nil { gradients.append(Tensor(sumGrad, shape: [channels])) }
        return gradients
    }
}
