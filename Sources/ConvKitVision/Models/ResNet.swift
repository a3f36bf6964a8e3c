import ConvKitNN

/// ResNet — K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image
/// Recognition", CVPR 2016 (arXiv:1512.03385), in torchvision's v1.5 form (the stride of
/// a downsampling bottleneck sits on its 3x3 convolution).
///
/// Depths differ only in the block type and the blocks per stage, one table.
public final class ResNet: Module {
    public enum Depth: Int, Sendable, CaseIterable {
        case resnet18 = 18, resnet34 = 34, resnet50 = 50, resnet101 = 101, resnet152 = 152

        var blocksPerStage: [Int] {
            switch self {
            case .resnet18: [2, 2, 2, 2]
            case .resnet34, .resnet50: [3, 4, 6, 3]
            case .resnet101: [3, 4, 23, 3]
            case .resnet152: [3, 8, 36, 3]
            }
        }

        var usesBottleneck: Bool { rawValue >= 50 }
    }

    public let conv1: Conv2d
    public let bn1 = BatchNorm2d(64)
    public let maxpool = MaxPool2d(3, stride: 2, padding: 1)
    public let layer1, layer2, layer3, layer4: Sequential
    public let avgpool = AdaptiveAvgPool2d(1)
    public var fc: Linear

    /// - Parameter zeroInitResidual: start every residual branch's last batch norm at
    ///   zero, so each block begins as the identity (Goyal et al., arXiv:1706.02677).
    /// - Parameter inputChannels: 1 for grayscale datasets such as MNIST (torchvision's models take 3).
    public init(_ depth: Depth, numClasses: Int = 1000, inputChannels: Int = 3, zeroInitResidual: Bool = false) throws {
        conv1 = try Conv2d(inputChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false)
        var inChannels = 64
        func stage(_ width: Int, blocks: Int, stride: Int) throws -> Sequential {
            var layers: [Module] = []
            for index in 0..<blocks {
                let block: Module = depth.usesBottleneck
                    ? try Bottleneck(inChannels, width, stride: index == 0 ? stride : 1)
                    : try BasicBlock(inChannels, width, stride: index == 0 ? stride : 1)
                layers.append(block)
                inChannels = width * (depth.usesBottleneck ? Bottleneck.expansion : 1)
            }
            return Sequential(layers)
        }
        let counts = depth.blocksPerStage
        layer1 = try stage(64, blocks: counts[0], stride: 1)  // [N, 64 or 256, 56, 56]
        layer2 = try stage(128, blocks: counts[1], stride: 2)  // 28x28
        layer3 = try stage(256, blocks: counts[2], stride: 2)  // 14x14
        layer4 = try stage(512, blocks: counts[3], stride: 2)  // 7x7
        fc = try Linear(inChannels, numClasses)
        super.init()
        try initializeLikeTorchvision(self, linearStd: nil)
        if zeroInitResidual {
            for (_, module) in namedModules() {
                if let block = module as? BasicBlock, let weight = block.bn2.weight { Initializer.constant(weight, 0) }
                if let block = module as? Bottleneck, let weight = block.bn3.weight { Initializer.constant(weight, 0) }
            }
        }
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var x = try maxpool(bn1(conv1(input)).relu())  // [N, 64, 56, 56]
        x = try layer4(layer3(layer2(layer1(x))))  // [N, 512 * expansion, 7, 7]
        return try fc(avgpool(x).flattened(from: 1))  // [N, numClasses]
    }
}

/// The 1x1 projection that matches a shortcut to a block's output shape.
private func downsample(_ inChannels: Int, _ outChannels: Int, stride: Int) throws -> Sequential? {
    guard stride != 1 || inChannels != outChannels else { return nil }
    return Sequential(try Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, bias: false), BatchNorm2d(outChannels))
}

/// Two 3x3 convolutions and a shortcut (ResNet-18/34).
public final class BasicBlock: Module {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(_ inChannels: Int, _ width: Int, stride: Int = 1) throws {
        conv1 = try Conv2d(inChannels, width, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = BatchNorm2d(width)
        conv2 = try Conv2d(width, width, kernelSize: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(width)
        downsample = try ConvKitVision.downsample(inChannels, width, stride: stride)
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let branch = try bn2(conv2(bn1(conv1(input)).relu()))
        return try (branch + (downsample.map { try $0(input) } ?? input)).relu()
    }
}

/// 1x1 reduce, 3x3, 1x1 expand (x4) and a shortcut (ResNet-50/101/152).
public final class Bottleneck: Module {
    public static let expansion = 4
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let downsample: Sequential?

    public init(_ inChannels: Int, _ width: Int, stride: Int = 1) throws {
        conv1 = try Conv2d(inChannels, width, kernelSize: 1, bias: false)
        bn1 = BatchNorm2d(width)
        conv2 = try Conv2d(width, width, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn2 = BatchNorm2d(width)
        conv3 = try Conv2d(width, width * Self.expansion, kernelSize: 1, bias: false)
        bn3 = BatchNorm2d(width * Self.expansion)
        downsample = try ConvKitVision.downsample(inChannels, width * Self.expansion, stride: stride)
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let reduced = try bn2(conv2(bn1(conv1(input)).relu())).relu()
        let branch = try bn3(conv3(reduced))
        return try (branch + (downsample.map { try $0(input) } ?? input)).relu()
    }
}
