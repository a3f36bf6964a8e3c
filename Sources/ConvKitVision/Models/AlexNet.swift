import ConvKitNN

/// AlexNet — A. Krizhevsky, I. Sutskever, G. Hinton, "ImageNet Classification with Deep
/// Convolutional Neural Networks", NIPS 2012; in torchvision's single-GPU form (the
/// "one weird trick" variant, arXiv:1404.5997: 64/192/384/256/256 channels, no LRN).
///
/// Keys: `features.{0,3,6,8,10}`, `classifier.{1,4,6}` — torchvision's, so its
/// checkpoints load as they are.
public final class AlexNet: Module {
    public let features: Sequential
    public let avgpool = AdaptiveAvgPool2d(6)
    public let classifier: Sequential

    public init(numClasses: Int = 1000, dropout: Float = 0.5) throws {
        features = Sequential(
            try Conv2d(3, 64, kernelSize: 11, stride: 4, padding: 2), ReLU(), MaxPool2d(3, stride: 2),  // [N, 64, 27, 27]
            try Conv2d(64, 192, kernelSize: 5, padding: 2), ReLU(), MaxPool2d(3, stride: 2),  // [N, 192, 13, 13]
            try Conv2d(192, 384, kernelSize: 3, padding: 1), ReLU(),
            try Conv2d(384, 256, kernelSize: 3, padding: 1), ReLU(),
            try Conv2d(256, 256, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(3, stride: 2))  // [N, 256, 6, 6]
        classifier = Sequential(
            Dropout(dropout), try Linear(256 * 6 * 6, 4096), ReLU(),
            Dropout(dropout), try Linear(4096, 4096), ReLU(),
            try Linear(4096, numClasses))
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let maps = try avgpool(features(input))  // [N, 256, 6, 6]
        return try classifier(maps.flattened(from: 1))  // [N, numClasses]
    }
}
