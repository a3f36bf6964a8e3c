import ConvKitNN

/// The backbone of a model cut into stages in forward order, for per-stage learning
/// rates and gradual unfreezing: the top-level children that hold parameters, with a
/// top-level `Sequential` of single layers (VGG's `features`) split into those layers.
/// ResNet-18 gives `conv1, bn1, layer1 ... layer4`; EfficientNet-Lite0
/// `_conv_stem, _bn0, _blocks.0 ... _blocks.15, _conv_head, _bn1`; VGG-11 `features.0 ... features.18`.
public struct BackboneStages {
    /// Module paths, earliest first; the head is not among them.
    public let paths: [String]
    public let headPath: String

    public init(_ model: Module, headPath: String) throws {
        var paths: [String] = []
        for (key, child) in model.namedChildren where key != headPath && !headPath.hasPrefix(key + ".") {
            if let sequential = child as? Sequential, sequential.namedChildren.allSatisfy({ $0.1.namedChildren.isEmpty }) {
                paths += sequential.namedChildren.filter { !$0.1.namedParameters().isEmpty }.map { key + "." + $0.0 }
            } else if !child.namedParameters().isEmpty {
                paths.append(key)
            }
        }
        guard !paths.isEmpty else { throw TensorError("\(type(of: model)) has no parameters outside its head \(headPath)") }
        self.paths = paths
        self.headPath = headPath
    }
}
