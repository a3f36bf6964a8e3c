import ConvKitNN

/// VGG — K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale
/// Image Recognition", ICLR 2015 (arXiv:1409.1556). Depths 11/13/16/19 are the paper's
/// configurations A/B/D/E, built from one table; `batchNorm` inserts BatchNorm2d after
/// every convolution (torchvision's `_bn` variants).
public final class VGG: Module {
    /// Channel counts per convolution, `nil` for a 2x2 max pool.
    public enum Depth: Int, Sendable, CaseIterable {
        case vgg11 = 11, vgg13 = 13, vgg16 = 16, vgg19 = 19

        var configuration: [Int?] {
            switch self {
            case .vgg11: [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
            case .vgg13: [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
            case .vgg16: [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil]
            case .vgg19: [64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil, 512, 512, 512, 512, nil,
                          512, 512, 512, 512, nil]
            }
        }
    }

    public let features: Sequential
    public let avgpool = AdaptiveAvgPool2d(7)
    public let classifier: Sequential

    public init(_ depth: Depth, batchNorm: Bool = false, numClasses: Int = 1000, dropout: Float = 0.5) throws {
        var layers: [Module] = []
        var channels = 3
        for entry in depth.configuration {
            guard let width = entry else {
                layers.append(MaxPool2d(2, stride: 2))
                continue
            }
            layers.append(try Conv2d(channels, width, kernelSize: 3, padding: 1))
            if batchNorm { layers.append(BatchNorm2d(width)) }
            layers.append(ReLU())
            channels = width
        }
        features = Sequential(layers)  // [N, 512, 7, 7] at 224x224
        classifier = Sequential(
            try Linear(512 * 7 * 7, 4096), ReLU(), Dropout(dropout),
            try Linear(4096, 4096), ReLU(), Dropout(dropout),
            try Linear(4096, numClasses))
        super.init()
        try initializeLikeTorchvision(self)
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let maps = try avgpool(features(input))  // [N, 512, 7, 7]
        return try classifier(maps.flattened(from: 1))  // [N, numClasses]
    }
}

/// torchvision's initialization for VGG and ResNet: convolutions Kaiming-normal
/// (fan-out, ReLU gain) with zero bias, batch norms weight 1 / bias 0, and — for VGG —
/// linear layers N(0, 0.01) with zero bias (`linearStd` nil keeps PyTorch's default).
func initializeLikeTorchvision(_ model: Module, linearStd: Float? = 0.01) throws {
    guard Initializer.isEnabled else { return }
    try RandomGenerator.withGlobal { generator throws(any Error) in
        for (_, module) in model.namedModules() {
            switch module {
            case let convolution as Conv2d:
                try Initializer.kaimingNormal(convolution.weight, mode: .fanOut, generator: &generator)
                if let bias = convolution.bias { Initializer.constant(bias, 0) }
            case let norm as BatchNorm:
                if let weight = norm.weight { Initializer.constant(weight, 1) }
                if let bias = norm.bias { Initializer.constant(bias, 0) }
            case let linear as Linear:
                guard let std = linearStd else { continue }
                Initializer.truncatedNormal(linear.weight, std: std, low: -.infinity, high: .infinity, generator: &generator)
                if let bias = linear.bias { Initializer.constant(bias, 0) }
            default:
                continue
            }
        }
    }
}
