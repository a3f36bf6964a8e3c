import ConvKitNN

/// GoogLeNet (Inception v1) — C. Szegedy et al., "Going Deeper with Convolutions",
/// CVPR 2015 (arXiv:1409.4842), as torchvision builds it: batch norm (eps 0.001) after
/// every convolution, and the "5x5" branch using a 3x3 kernel, a quirk kept so its
/// checkpoints load (pytorch/vision#906).
///
/// The two auxiliary classifiers exist only with `auxLogits` and run only in training;
/// ``trainingLoss(_:labels:)`` adds their cross-entropy with weight 0.3, as the paper does.
/// `transformInput` rescales ImageNet-normalized input to the (x - 0.5) / 0.5 range the
/// original Google weights expect (torchvision enables it for its pretrained weights).
public final class GoogLeNet: Module, AuxiliaryLossModel {
    public let transformInput: Bool
    public let conv1 = BasicConv2d(3, 64, kernel: 7, stride: 2, padding: 3)
    public let maxpool1 = MaxPool2d(3, stride: 2, ceilMode: true)
    public let conv2 = BasicConv2d(64, 64, kernel: 1)
    public let conv3 = BasicConv2d(64, 192, kernel: 3, padding: 1)
    public let maxpool2 = MaxPool2d(3, stride: 2, ceilMode: true)
    public let inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
    public let inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
    public let maxpool3 = MaxPool2d(3, stride: 2, ceilMode: true)
    public let inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
    public let inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
    public let inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
    public let inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
    public let inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
    public let maxpool4 = MaxPool2d(2, stride: 2, ceilMode: true)
    public let inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
    public let inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
    public let aux1: InceptionAux?
    public let aux2: InceptionAux?
    public let avgpool = AdaptiveAvgPool2d(1)
    public let dropout: Dropout
    public var fc: Linear

    public init(numClasses: Int = 1000, auxLogits: Bool = false, transformInput: Bool = false, dropout: Float = 0.2,
                auxDropout: Float = 0.7) throws {
        self.transformInput = transformInput
        aux1 = auxLogits ? try InceptionAux(512, numClasses: numClasses, dropout: auxDropout) : nil
        aux2 = auxLogits ? try InceptionAux(528, numClasses: numClasses, dropout: auxDropout) : nil
        self.dropout = Dropout(dropout)
        fc = try Linear(1024, numClasses)
        super.init()
        guard Initializer.isEnabled else { return }
        // torchvision: truncated normal (std 0.01, within ±2) for convolutions and linear layers.
        RandomGenerator.withGlobal { generator in
            for (_, module) in namedModules() {
                if let convolution = module as? Conv2d {
                    Initializer.truncatedNormal(convolution.weight, std: 0.01, generator: &generator)
                } else if let linear = module as? Linear {
                    Initializer.truncatedNormal(linear.weight, std: 0.01, generator: &generator)
                    if let bias = linear.bias { Initializer.constant(bias, 0) }
                }
            }
        }
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try forwardWithAuxiliary(input).logits
    }

    /// Main logits, and in training with `auxLogits` the two auxiliary classifiers' logits.
    public func forwardWithAuxiliary(_ input: Tensor) throws -> (logits: Tensor, aux2: Tensor?, aux1: Tensor?) {
        var x = try transformInput ? rescaledToGoogleRange(input) : input
        x = try maxpool2(conv3(conv2(maxpool1(conv1(x)))))  // [N, 192, 28, 28]
        x = try inception4a(maxpool3(inception3b(inception3a(x))))  // [N, 512, 14, 14]
        let first = try isTraining ? aux1.map { try $0(x) } : nil
        x = try inception4d(inception4c(inception4b(x)))  // [N, 528, 14, 14]
        let second = try isTraining ? aux2.map { try $0(x) } : nil
        x = try inception5b(inception5a(maxpool4(inception4e(x))))  // [N, 1024, 7, 7]
        let logits = try fc(dropout(avgpool(x).flattened(from: 1)))  // [N, numClasses]
        return (logits, second, first)
    }

    /// Cross-entropy of the main logits plus 0.3 times that of each auxiliary classifier.
    public func trainingLoss(_ images: Tensor, labels: Tensor) throws -> (loss: Tensor, logits: Tensor) {
        let (logits, second, first) = try forwardWithAuxiliary(images)
        var loss = try crossEntropy(logits, targets: labels)
        for auxiliary in [first, second].compactMap({ $0 }) {
            loss = try loss + crossEntropy(auxiliary, targets: labels) * 0.3
        }
        return (loss, logits)
    }

    private func rescaledToGoogleRange(_ x: Tensor) throws -> Tensor {
        let scale = Tensor([0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5], shape: [1, 3, 1, 1])
        let shift = Tensor([(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5], shape: [1, 3, 1, 1])
        return try x * scale + shift
    }
}

/// Convolution (no bias), batch norm (eps 0.001) and ReLU: torchvision's `BasicConv2d`.
public final class BasicConv2d: Module {
    public let conv: Conv2d
    public let bn: BatchNorm2d

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        // The arguments are fixed by the architecture tables, so construction cannot fail.
        conv = try! Conv2d(inChannels, outChannels, kernelSize: kernel, stride: stride, padding: padding, bias: false)
        bn = BatchNorm2d(outChannels, eps: 0.001)
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor { try bn(conv(input)).relu() }
}

/// Four parallel branches joined on channels: 1x1; 1x1 then 3x3; 1x1 then "5x5" (a
/// 3x3, see ``GoogLeNet``); 3x3 max pool then 1x1.
public final class Inception: Module {
    public let branch1: BasicConv2d
    public let branch2: Sequential
    public let branch3: Sequential
    public let branch4: Sequential

    public init(_ inChannels: Int, _ ch1x1: Int, _ ch3x3Reduce: Int, _ ch3x3: Int, _ ch5x5Reduce: Int, _ ch5x5: Int,
                _ poolProjection: Int) {
        branch1 = BasicConv2d(inChannels, ch1x1, kernel: 1)
        branch2 = Sequential(BasicConv2d(inChannels, ch3x3Reduce, kernel: 1), BasicConv2d(ch3x3Reduce, ch3x3, kernel: 3, padding: 1))
        branch3 = Sequential(BasicConv2d(inChannels, ch5x5Reduce, kernel: 1), BasicConv2d(ch5x5Reduce, ch5x5, kernel: 3, padding: 1))
        branch4 = Sequential(MaxPool2d(3, stride: 1, padding: 1, ceilMode: true), BasicConv2d(inChannels, poolProjection, kernel: 1))
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try Tensor.concatenate([branch1(input), branch2(input), branch3(input), branch4(input)], axis: 1)
    }
}

/// An auxiliary classifier on an intermediate feature map (training only).
public final class InceptionAux: Module {
    public let conv: BasicConv2d
    public let fc1: Linear
    public var fc2: Linear
    public let dropout: Dropout

    public init(_ inChannels: Int, numClasses: Int, dropout: Float) throws {
        conv = BasicConv2d(inChannels, 128, kernel: 1)
        fc1 = try Linear(2048, 1024)
        fc2 = try Linear(1024, numClasses)
        self.dropout = Dropout(dropout)
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        let pooled = try conv(adaptiveAvgPool2d(input, outputSize: (4, 4)))  // [N, 128, 4, 4]
        return try fc2(dropout(fc1(pooled.flattened(from: 1)).relu()))  // [N, numClasses]
    }
}
