import ConvKitNN
import ConvKitOptim

/// A linear softmax classifier trained full-batch on an in-memory embedding matrix: the
/// standard "linear probe" that compares representations. Features are standardized
/// with the training rows' statistics, then many Adam steps run on the whole matrix.
public struct SoftmaxProbe {
    public let head: Linear
    let mean: Tensor
    let std: Tensor

    /// - Parameters:
    ///   - features: `[N, D]` float32 embeddings.
    ///   - labels: `N` class indices in `0..<classCount`.
    public init(features: Tensor, labels: [Int], classCount: Int, steps: Int = 300, learningRate: Float = 0.01,
                weightDecay: Float = 1e-4) throws {
        guard features.rank == 2, features.shape[0] == labels.count, !labels.isEmpty else {
            throw TensorError("probe: need an [N, D] feature matrix with one label per row; got \(features.shape) "
                + "and \(labels.count) labels")
        }
        mean = try features.mean(axes: [0], keepingDimensions: true)
        let centered = try features - mean
        // The floor keeps constant features (dead ReLU channels) from dividing by zero.
        std = try (centered * centered).mean(axes: [0], keepingDimensions: true).sqrt() + Tensor.full([], 1e-6)
        let standardized = try centered / std
        let targets = Tensor(integers: labels, shape: [labels.count])
        head = try Linear(features.shape[1], classCount)
        let optimizer = try Adam.adamW(head.trainableParameters(), learningRate: learningRate, weightDecay: weightDecay)
        for _ in 0..<steps {
            let loss = try crossEntropy(head(standardized), targets: targets)
            optimizer.zeroGrad()
            try loss.backward()
            try optimizer.step()
        }
    }

    /// The predicted class of every row of `[M, D]` features.
    public func predict(_ features: Tensor) throws -> [Int] {
        try withNoGrad { try head((features - mean) / std).argmax(axis: 1).integers }
    }

    /// The fraction of rows predicted correctly.
    public func accuracy(_ features: Tensor, labels: [Int]) throws -> Double {
        let predicted = try predict(features)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
