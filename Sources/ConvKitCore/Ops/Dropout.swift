/// Inverted dropout: in training, zeroes each element with probability `p` and scales
/// the survivors by `1 / (1 - p)` so evaluation needs no rescaling; the identity in
/// evaluation. The backward pass reuses the same mask.
public func dropout(_ input: Tensor, probability p: Float, training: Bool,
                    using generator: inout RandomGenerator) throws -> Tensor {
    guard (0..<1).contains(p) else {
        throw TensorError("dropout: probability must be in [0, 1), got \(p)")
    }
    guard training, p > 0 else { return input }
    let keep = 1 - p, scale = 1 / keep
    let mask = Tensor(uninitializedShape: input.shape)
    let m = mask.floatPointer
    for index in 0..<mask.count { m[index] = generator.nextFloat() < keep ? scale : 0 }
    let output = try input.detached() * mask
    return output.recording("dropout", inputs: [input]) { g in [try g * mask] }
}

/// Dropout drawing from the global generator (seed it with `RandomGenerator.manualSeed`).
public func dropout(_ input: Tensor, probability p: Float, training: Bool) throws -> Tensor {
    try RandomGenerator.withGlobal { generator throws(any Error) in
        try dropout(input, probability: p, training: training, using: &generator)
    }
}
