import ConvKitNN

/// LeNet-5 — Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied
/// to Document Recognition", Proc. IEEE 1998.
///
/// Two 5x5 convolutions (6 and 16 channels; for 28x28 MNIST digits the first pads by 2
/// to keep the paper's 32x32 geometry), each followed by 2x2 pooling, then fully connected
/// layers of 120, 84 and `numClasses` units. The modern default uses ReLU and max pooling;
/// `.original` restores the paper's tanh and average pooling.
///
/// Keys: `features.0/3.{weight,bias}`, `classifier.0/2/4.{weight,bias}`.
public final class LeNet5: Module {
    public enum Variant: String, Sendable, CaseIterable {
        /// ReLU and max pooling.
        case modern
        /// The paper's tanh and average (subsampling) pooling.
        case original
    }

    public let features: Sequential
    public let classifier: Sequential
    public let inputSize: Int

    /// - Parameter inputSize: 28 (MNIST; the first convolution pads by 2) or 32 (the paper's and CIFAR's size, no padding).
    public init(numClasses: Int = 10, inputChannels: Int = 1, inputSize: Int = 28, variant: Variant = .modern) throws {
        guard inputSize == 28 || inputSize == 32 else {
            throw TensorError("LeNet5 takes 28x28 or 32x32 images, not \(inputSize)x\(inputSize)")
        }
        self.inputSize = inputSize
        func activation() -> Module { variant == .modern ? ReLU() : Tanh() }
        func pool() -> Module { variant == .modern ? MaxPool2d(2) : AvgPool2d(2) }
        features = Sequential(
            try Conv2d(inputChannels, 6, kernelSize: 5, padding: (32 - inputSize) / 2), activation(), pool(),  // [N, 6, 14, 14]
            try Conv2d(6, 16, kernelSize: 5), activation(), pool())  // [N, 16, 5, 5]
        classifier = Sequential(
            try Linear(16 * 5 * 5, 120), activation(),
            try Linear(120, 84), activation(),
            try Linear(84, numClasses))
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[2] == inputSize, input.shape[3] == inputSize else {
            throw TensorError("LeNet5 expects [N, C, \(inputSize), \(inputSize)] input, got \(input.shape)")
        }
        let maps = try features(input)  // [N, 16, 5, 5]
        return try classifier(maps.flattened(from: 1))  // [N, numClasses]
    }
}
