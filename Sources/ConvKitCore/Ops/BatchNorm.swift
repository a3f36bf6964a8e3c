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
        let rowSums = perRowSums(x, rows: batch * channels, length: spatial)
        mean = channelTotals(rowSums, channels: channels).map { Float($0 / Double(perChannel)) }
        let centered = perRowSquaredDeviations(x, from: mean, rows: batch * channels, length: spatial)
        let variance = channelTotals(centered, channels: channels).map { Float($0 / Double(perChannel)) }
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
        let rows = batch * channels
        let (rowGrad, rowGradX) = perRowSumsAndDots(dy, x, rows: rows, length: spatial)
        let sumGrad = channelTotals(rowGrad, channels: channels).map { Float($0) }
        let sumGradX = channelTotals(rowGradX, channels: channels)
        let sumGradXhat: [Float] = (0..<channels).map { c in
            let centered: Double = sumGradX[c] - Double(mean[c]) * Double(sumGrad[c])
            return Float(centered * Double(inverseStd[c]))
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
                        // dx = k (dy - mean(dy) - xhat mean(dy xhat)), with xhat = (x - mean) invstd, folded
                        // into dx = k dy + a x + b per channel so the loop is one multiply-add chain.
                        let meanGrad = sumGrad[c] / count, meanDot = sumGradXhat[c] / count, invstd = inverseStd[c]
                        let a = -k * meanDot * invstd, b = -k * meanGrad + k * meanDot * invstd * mean[c]
                        for s in 0..<spatial { dx[offset + s] = k * dy[offset + s] + a * x[offset + s] + b }
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

/// The sum of each contiguous row of `length` elements, in Float (vectorizable);
/// callers combine row sums in Double for accuracy.
private func perRowSums(_ data: UnsafeMutablePointer<Float>, rows: Int, length: Int) -> [Float] {
    var sums = [Float](repeating: 0, count: rows)
    sums.withUnsafeMutableBufferPointer { result in
        parallelFor(rows, grain: Swift.max(1, 16_384 / Swift.max(length, 1))) { range in
            for row in range {
                let base = data + row * length
                var total: Float = 0
                for s in 0..<length { total += base[s] }
                result[row] = total
            }
        }
    }
    return sums
}

/// `sum((x - mean[c])²)` over each contiguous row, row `n * C + c` using channel `c`'s mean.
private func perRowSquaredDeviations(_ data: UnsafeMutablePointer<Float>, from means: [Float], rows: Int,
                                     length: Int) -> [Float] {
    var sums = [Float](repeating: 0, count: rows)
    sums.withUnsafeMutableBufferPointer { result in
        means.withUnsafeBufferPointer { means in
            parallelFor(rows, grain: Swift.max(1, 16_384 / Swift.max(length, 1))) { range in
                for row in range {
                    let base = data + row * length, center = means[row % means.count]
                    var total: Float = 0
                    for s in 0..<length { let d = base[s] - center; total += d * d }
                    result[row] = total
                }
            }
        }
    }
    return sums
}

/// `sum(a)` and `sum(a * b)` over each contiguous row, in one pass over the data.
private func perRowSumsAndDots(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, rows: Int,
                               length: Int) -> ([Float], [Float]) {
    var sums = [Float](repeating: 0, count: rows), dots = [Float](repeating: 0, count: rows)
    sums.withUnsafeMutableBufferPointer { sums in
        dots.withUnsafeMutableBufferPointer { dots in
            parallelFor(rows, grain: Swift.max(1, 16_384 / Swift.max(length, 1))) { range in
                for row in range {
                    let pa = a + row * length, pb = b + row * length
                    var total: Float = 0, dot: Float = 0
                    for s in 0..<length {
                        total += pa[s]
                        dot += pa[s] * pb[s]
                    }
                    sums[row] = total
                    dots[row] = dot
                }
            }
        }
    }
    return (sums, dots)
}

/// Adds the row sums of rows `n * channels + c` into channel `c`, in Double.
private func channelTotals(_ rowSums: [Float], channels: Int) -> [Double] {
    var totals = [Double](repeating: 0, count: channels)
    for (row, value) in rowSums.enumerated() { totals[row % channels] += Double(value) }
    return totals
}
