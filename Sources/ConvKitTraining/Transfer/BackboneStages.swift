import ConvKitNN

/// The backbone of a model cut into stages in forward order, for per-stage learning
/// rates and gradual unfreezing: the top-level children that hold parameters, with a
/// top-level `Sequential` of single layers (VGG's `features`) split into those layers.
/// ResNet-18 gives `conv1, bn1, layer1 ... layer4`; EfficientNet-Lite0
/// `_conv_stem, _bn0, _blocks.0 ... _blocks.15, _conv_head, _bn1`; VGG-11 `features.0 ... features.18, classifier.0, classifier.3`.
public struct BackboneStages {
    /// Module paths, earliest first; the head is not among them.
    public let paths: [String]
    public let headPath: String

    public init(_ model: Module, headPath: String) throws {
        var paths: [String] = []
        for (key, child) in model.namedChildren where key != headPath {
            let holdsHead = headPath.hasPrefix(key + ".")
            if let sequential = child as? Sequential,
               holdsHead || sequential.namedChildren.allSatisfy({ $0.1.namedChildren.isEmpty }) {
                // The head's own Sequential (VGG's classifier) contributes its hidden layers as the latest stages.
                for (index, layer) in sequential.namedChildren where !layer.namedParameters().isEmpty && key + "." + index != headPath {
                    paths.append(key + "." + index)
                }
            } else if !holdsHead && !child.namedParameters().isEmpty {
                paths.append(key)
            }
        }
        guard !paths.isEmpty else { throw TensorError("\(type(of: model)) has no parameters outside its head \(headPath)") }
        self.paths = paths
        self.headPath = headPath
    }
}
