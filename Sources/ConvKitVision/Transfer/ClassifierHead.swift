import ConvKitNN

/// A model whose last layer is a linear classifier that transfer learning swaps for a
/// new one: `fc` (ResNet, GoogLeNet), `classifier.6` (AlexNet, VGG), `classifier.4`
/// (LeNet-5), `_fc` (EfficientNet-Lite).
public protocol ClassifierHeaded: Module {
    /// The module path of the final linear layer.
    var classifierPath: String { get }
    /// The final linear layer.
    var classifierHead: Linear { get throws }
    /// Puts a freshly initialized `Linear(classifierHead.inFeatures, numClasses)` in the head's place,
    /// in the model's current training mode, trainable even if the old head was frozen.
    func replaceClassifier(numClasses: Int) throws
}

extension ClassifierHeaded {
    /// The classifier's input: the embedding after global pooling and flattening
    /// (for AlexNet and VGG, the 4096 features of the last hidden layer), `[N, features]`.
    /// Runs without a graph and stops before the head.
    public func penultimateEmbedding(_ input: Tensor) throws -> Tensor {
        let features = try FeatureExtractor(self, layers: [classifierPath], capture: .input)(input)
        guard let embedding = features[classifierPath] else {
            throw TensorError("\(type(of: self)) did not call its classifier \(classifierPath)")
        }
        return embedding
    }

    fileprivate func newHead(replacing old: Linear, numClasses: Int) throws -> Linear {
        let head = try Linear(old.inFeatures, numClasses, bias: old.bias != nil)
        head.train(isTraining)
        return head
    }
}

extension Module {
    /// This model as a ``ClassifierHeaded`` one, or an error naming the model type.
    public func asClassifierHeaded() throws -> any ClassifierHeaded {
        guard let model = self as? any ClassifierHeaded else {
            throw TensorError("\(type(of: self)) has no known classifier head to replace or embed before")
        }
        return model
    }
}

extension ResNet: ClassifierHeaded {
    public var classifierPath: String { "fc" }
    public var classifierHead: Linear { fc }
    public func replaceClassifier(numClasses: Int) throws { fc = try newHead(replacing: fc, numClasses: numClasses) }
}

extension GoogLeNet: ClassifierHeaded {
    public var classifierPath: String { "fc" }
    public var classifierHead: Linear { fc }
    /// Replaces the auxiliary heads' last layers too, so the training loss sees the new classes everywhere.
    public func replaceClassifier(numClasses: Int) throws {
        fc = try newHead(replacing: fc, numClasses: numClasses)
        for auxiliary in [aux1, aux2].compactMap({ $0 }) {
            auxiliary.fc2 = try newHead(replacing: auxiliary.fc2, numClasses: numClasses)
        }
    }
}

extension EfficientNetLite0: ClassifierHeaded {
    public var classifierPath: String { "_fc" }
    public var classifierHead: Linear { fc }
    public func replaceClassifier(numClasses: Int) throws { fc = try newHead(replacing: fc, numClasses: numClasses) }
}

/// Models whose head is the last layer of a `classifier` Sequential.
protocol SequentialClassifierHeaded: ClassifierHeaded {
    var classifierLayers: Sequential { get }
}

extension SequentialClassifierHeaded {
    public var classifierPath: String { "classifier.\(classifierLayers.count - 1)" }

    public var classifierHead: Linear {
        get throws {
            guard let head = classifierLayers[classifierLayers.count - 1] as? Linear else {
                throw TensorError("\(type(of: self))'s classifier does not end in a Linear layer")
            }
            return head
        }
    }

    public func replaceClassifier(numClasses: Int) throws {
        let head = try newHead(replacing: try classifierHead, numClasses: numClasses)
        try classifierLayers.replaceLayer(at: classifierLayers.count - 1, with: head)
    }
}

extension AlexNet: SequentialClassifierHeaded {
    var classifierLayers: Sequential { classifier }
}

extension VGG: SequentialClassifierHeaded {
    var classifierLayers: Sequential { classifier }
}

extension LeNet5: SequentialClassifierHeaded {
    var classifierLayers: Sequential { classifier }
}
