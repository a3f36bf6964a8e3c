#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How per-example losses are combined.
public enum LossReduction: String, Sendable, CaseIterable {
    /// Weighted mean over the examples (the default, as in PyTorch).
    case mean
    case sum
    /// One loss per example.
    case none
}

/// Cross-entropy between `logits [N, C]` and class indices `targets [N]` (int64), as
/// `torch.nn.functional.cross_entropy`: optional per-class `weight [C]`, an
/// `ignoreIndex` whose examples contribute nothing, and label smoothing ε that mixes
/// the one-hot target with the uniform distribution.
///
/// The backward pass is fused (`softmax - target`, weighted and smoothed) rather than
/// chained through log-softmax, which is both faster and exact.
public func crossEntropy(_ logits: Tensor, targets: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
                         labelSmoothing: Float = 0, reduction: LossReduction = .mean) throws -> Tensor {
    guard logits.rank == 2, targets.rank == 1, targets.shape[0] == logits.shape[0] else {
        throw TensorError("crossEntropy: logits must be [N, C] and targets [N]; got logits \(describe(logits.shape)) "
            + "and targets \(describe(targets.shape))")
    }
    try targets.requireDType(.int64, for: "crossEntropy targets")
    guard (0..<1).contains(labelSmoothing) || labelSmoothing == 0 else {
        throw TensorError("crossEntropy: label smoothing must be in [0, 1), got \(labelSmoothing)")
    }
    let (count, classes) = (logits.shape[0], logits.shape[1])
    if let weight, weight.shape != [classes] {
        throw TensorError("crossEntropy: class weights \(describe(weight.shape)) must be [\(classes)]")
    }
    let labels = targets.integers
    for (row, label) in labels.enumerated() where label != ignoreIndex && !(0..<classes).contains(label) {
        throw TensorError("crossEntropy: target \(label) of example \(row) is outside the \(classes) classes 0..<\(classes)")
    }
    let classWeights = weight?.scalars ?? [Float](repeating: 1, count: classes)
    let totalWeight = classWeights.reduce(0, +)
    let logProbabilities = try logits.detached().normalizedExponential(axis: 1, logarithm: true)
    let logp = logProbabilities.scalars
    let epsilon = labelSmoothing, smoothing = labelSmoothing / Float(classes)

    var losses = [Float](repeating: 0, count: count)
    var denominator: Float = 0
    for row in 0..<count where labels[row] != ignoreIndex {
        let label = labels[row]
        var smooth: Float = 0
        if epsilon > 0 { for c in 0..<classes { smooth -= classWeights[c] * logp[row * classes + c] } }
        losses[row] = -(1 - epsilon) * classWeights[label] * logp[row * classes + label] + smoothing * smooth
        denominator += classWeights[label]
    }
    let scale: Float = reduction == .mean ? 1 / denominator : 1
    let output: Tensor
    switch reduction {
    case .none: output = Tensor(losses, shape: [count])
    case .sum, .mean: output = Tensor(scalar: losses.reduce(0, +) * scale)
    }
    return output.recording("cross_entropy", inputs: [logits]) { gradOutput in
        let upstream = gradOutput.scalars
        var gradient = [Float](repeating: 0, count: count * classes)
        for row in 0..<count where labels[row] != ignoreIndex {
            let label = labels[row]
            let g = (reduction == .none ? upstream[row] : upstream[0]) * scale
            let probabilityCoefficient = (1 - epsilon) * classWeights[label] + smoothing * totalWeight
            for c in 0..<classes {
                let p = expf(logp[row * classes + c])
                gradient[row * classes + c] = g * (p * probabilityCoefficient - smoothing * classWeights[c])
            }
            gradient[row * classes + label] -= g * (1 - epsilon) * classWeights[label]
        }
        return [Tensor(gradient, shape: [count, classes])]
    }
}

/// Cross-entropy against class probabilities `probabilities [N, C]` (soft targets, e.g.
/// from MixUp or CutMix): `-Σ_c p_c log softmax(logits)_c` per example, as
/// `torch.nn.functional.cross_entropy` with a float target. The backward pass is fused:
/// `softmax · Σ_c p_c - p`.
public func crossEntropy(_ logits: Tensor, probabilities: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    guard logits.rank == 2, probabilities.shape == logits.shape else {
        throw TensorError("crossEntropy: logits and target probabilities must both be [N, C]; got logits "
            + "\(describe(logits.shape)) and targets \(describe(probabilities.shape))")
    }
    let (count, classes) = (logits.shape[0], logits.shape[1])
    let logp = try logits.detached().normalizedExponential(axis: 1, logarithm: true).scalars
    let targets = probabilities.scalars
    var losses = [Float](repeating: 0, count: count)
    for row in 0..<count {
        for c in 0..<classes { losses[row] -= targets[row * classes + c] * logp[row * classes + c] }
    }
    let scale: Float = reduction == .mean ? 1 / Float(count) : 1
    let output = reduction == .none ? Tensor(losses, shape: [count]) : Tensor(scalar: losses.reduce(0, +) * scale)
    return output.recording("cross_entropy_probabilities", inputs: [logits]) { gradOutput in
        let upstream = gradOutput.scalars
        var gradient = [Float](repeating: 0, count: count * classes)
        for row in 0..<count {
            let g = (reduction == .none ? upstream[row] : upstream[0]) * scale
            var mass: Float = 0
            for c in 0..<classes { mass += targets[row * classes + c] }
            for c in 0..<classes {
                let index = row * classes + c
                gradient[index] = g * (expf(logp[index]) * mass - targets[index])
            }
        }
        return [Tensor(gradient, shape: [count, classes])]
    }
}

/// Negative log-likelihood of `logProbabilities [N, C]` (e.g. from `logSoftmax`) at
/// the target classes, with optional class weights and ignore index.
public func nllLoss(_ logProbabilities: Tensor, targets: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
                    reduction: LossReduction = .mean) throws -> Tensor {
    guard logProbabilities.rank == 2, targets.rank == 1, targets.shape[0] == logProbabilities.shape[0] else {
        throw TensorError("nllLoss: inputs must be [N, C] and targets [N]; got \(describe(logProbabilities.shape)) "
            + "and \(describe(targets.shape))")
    }
    let classes = logProbabilities.shape[1]
    let labels = targets.integers
    let classWeights = weight?.scalars ?? [Float](repeating: 1, count: classes)
    var selection = [Float](repeating: 0, count: labels.count * classes)
    var denominator: Float = 0
    for (row, label) in labels.enumerated() where label != ignoreIndex {
        guard (0..<classes).contains(label) else {
            throw TensorError("nllLoss: target \(label) of example \(row) is outside the \(classes) classes")
        }
        selection[row * classes + label] = -classWeights[label]
        denominator += classWeights[label]
    }
    let perExample = try (logProbabilities * Tensor(selection, shape: [labels.count, classes])).sum(axes: [1])
    switch reduction {
    case .none: return perExample
    case .sum: return perExample.sum()
    case .mean: return perExample.sum() * (1 / denominator)
    }
}

/// Mean squared error between `input` and `target` (broadcast to one shape).
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    let squares = try (input - target).squared()
    switch reduction {
    case .none: return squares
    case .sum: return squares.sum()
    case .mean: return squares.mean()
    }
}

/// Binary cross-entropy on raw scores, `max(x, 0) - x y + log(1 + exp(-|x|))`, which
/// stays finite for large |x| where `sigmoid` followed by `log` would not.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor,
                                         reduction: LossReduction = .mean) throws -> Tensor {
    let losses = try logits.relu() - logits * target + ((-logits.abs()).exp() + 1).log()
    switch reduction {
    case .none: return losses
    case .sum: return losses.sum()
    case .mean: return losses.mean()
    }
}
