/// Zeroes elements with probability `p` in training and scales the rest by `1 / (1 - p)`;
/// the identity in evaluation mode. Draws from the global generator (``RandomGenerator/manualSeed(_:)``).
public final class Dropout: Module {
    public let probability: Float

    public init(_ probability: Float = 0.5) {
        self.probability = probability
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try dropout(input, probability: probability, training: isTraining)
    }
}

/// Local response normalization across channels, from the original AlexNet.
public final class LocalResponseNorm: Module {
    public let size: Int
    public let alpha: Float
    public let beta: Float
    public let k: Float

    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) {
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try localResponseNorm(input, size: size, alpha: alpha, beta: beta, k: k)
    }
}
