import ConvKitNN

/// EfficientNet-Lite0 — M. Tan, Q. Le, "EfficientNet: Rethinking Model Scaling for
/// Convolutional Neural Networks", ICML 2019 (arXiv:1905.11946), in the Lite form
/// Google made for mobile accelerators: ReLU6 instead of swish, no squeeze-and-excite,
/// stem (32) and head (1280) not scaled.
///
/// Keys follow the PyTorch port whose ImageNet weights ship as
/// `efficientnet-lite0-57934424.pth` (`_conv_stem`, `_blocks.N._depthwise_conv`, `_fc`);
/// convolutions use TensorFlow "SAME" padding and batch norms eps 1e-3, as those
/// TensorFlow-trained weights expect.
public final class EfficientNetLite0: Module {
    /// Stages of the B0 baseline: (kernel, stride, expansion, output channels, blocks).
    static let stages: [(kernel: Int, stride: Int, expansion: Int, channels: Int, blocks: Int)] = [
        (3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
        (5, 1, 6, 112, 3), (5, 2, 6, 192, 4), (3, 1, 6, 320, 1),
    ]

    @Key("_conv_stem") public var convStem = try! Conv2d(3, 32, kernelSize: 3, stride: 2, samePadding: true, bias: false)
    @Key("_bn0") public var bn0 = efficientBatchNorm(32)
    @Key public var blocks: [MBConvBlock]
    @Key("_conv_head") public var convHead = try! Conv2d(320, 1280, kernelSize: 1, samePadding: true, bias: false)
    @Key("_bn1") public var bn1 = efficientBatchNorm(1280)
    public let avgpool = AdaptiveAvgPool2d(1)
    public let dropout: Dropout
    @Key public var fc: Linear

    public init(numClasses: Int = 1000, dropout: Float = 0.2, dropConnect: Float = 0.2) throws {
        var blocks: [MBConvBlock] = []
        var channels = 32
        let total = Self.stages.reduce(0) { $0 + $1.blocks }
        for stage in Self.stages {
            for index in 0..<stage.blocks {
                // Stochastic depth grows linearly with depth, as in the reference implementation.
                let dropRate = dropConnect * Float(blocks.count) / Float(total)
                blocks.append(try MBConvBlock(channels, stage.channels, kernel: stage.kernel,
                                              stride: index == 0 ? stage.stride : 1, expansion: stage.expansion,
                                              dropConnect: dropRate))
                channels = stage.channels
            }
        }
        _blocks = Key(wrappedValue: blocks, "_blocks")
        self.dropout = Dropout(dropout)
        _fc = Key(wrappedValue: try Linear(1280, numClasses), "_fc")
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var x = try bn0(convStem(input)).relu6()  // [N, 32, 112, 112]
        for block in blocks { x = try block(x) }  // [N, 320, 7, 7]
        x = try bn1(convHead(x)).relu6()  // [N, 1280, 7, 7]
        return try fc(dropout(avgpool(x).flattened(from: 1)))  // [N, numClasses]
    }
}

/// TensorFlow's batch-norm settings (eps 1e-3; momentum 0.01 in PyTorch's convention).
func efficientBatchNorm(_ channels: Int) -> BatchNorm2d { BatchNorm2d(channels, eps: 1e-3, momentum: 0.01) }

/// Mobile inverted bottleneck: 1x1 expansion, depthwise convolution, 1x1 projection,
/// and a residual connection when shape allows.
public final class MBConvBlock: Module {
    // Assigned through their wrappers in `init`, which gives each its checkpoint key.
    @Key public var expandConv: Conv2d?
    @Key public var bn0: BatchNorm2d?
    @Key public var depthwiseConv: Conv2d
    @Key public var bn1: BatchNorm2d
    @Key public var projectConv: Conv2d
    @Key public var bn2: BatchNorm2d
    public let hasResidual: Bool
    public let dropConnect: Float

    init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int, expansion: Int, dropConnect: Float) throws {
        let hidden = inChannels * expansion
        _expandConv = Key(wrappedValue: expansion == 1 ? nil
                            : try Conv2d(inChannels, hidden, kernelSize: 1, samePadding: true, bias: false), "_expand_conv")
        _bn0 = Key(wrappedValue: expansion == 1 ? nil : efficientBatchNorm(hidden), "_bn0")
        _depthwiseConv = Key(wrappedValue: try Conv2d(hidden, hidden, kernelSize: kernel, stride: stride, samePadding: true,
                                                      groups: hidden, bias: false), "_depthwise_conv")
        _bn1 = Key(wrappedValue: efficientBatchNorm(hidden), "_bn1")
        _projectConv = Key(wrappedValue: try Conv2d(hidden, outChannels, kernelSize: 1, samePadding: true, bias: false),
                           "_project_conv")
        _bn2 = Key(wrappedValue: efficientBatchNorm(outChannels), "_bn2")
        hasResidual = stride == 1 && inChannels == outChannels
        self.dropConnect = dropConnect
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        if let expandConv, let bn0 { x = try bn0(expandConv(x)).relu6() }  // [N, hidden, H, W]
        x = try bn1(depthwiseConv(x)).relu6()  // [N, hidden, H / stride, W / stride]
        x = try bn2(projectConv(x))  // [N, out, H / stride, W / stride]
        guard hasResidual else { return x }
        return try dropConnected(x) + input
    }

    /// In training, drops the whole residual branch for a random subset of examples.
    private func dropConnected(_ branch: Tensor) throws -> Tensor {
        guard isTraining, dropConnect > 0 else { return branch }
        let keep = 1 - dropConnect
        let mask = RandomGenerator.withGlobal { generator in
            (0..<branch.shape[0]).map { _ in generator.nextFloat() < keep ? 1 / keep : Float(0) }
        }
        return try branch * Tensor(mask, shape: [branch.shape[0], 1, 1, 1])
    }
}
