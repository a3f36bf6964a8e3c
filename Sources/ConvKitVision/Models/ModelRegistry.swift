/// Builds zoo models by name, as `torchvision.models.get_model`.
public enum ModelRegistry {
    /// How to build a model for a given number of classes and input geometry.
    public typealias Builder = @Sendable (_ numClasses: Int, _ inputChannels: Int, _ inputSize: Int) throws -> Module

    public static let builders: [String: Builder] = {
        var builders: [String: Builder] = [
            "lenet5": { try LeNet5(numClasses: $0, inputChannels: $1, inputSize: $2) },
            "lenet5_original": { try LeNet5(numClasses: $0, inputChannels: $1, inputSize: $2, variant: .original) },
            "alexnet": { classes, _, _ in try AlexNet(numClasses: classes) },
            "efficientnet_lite0": { classes, _, _ in try EfficientNetLite0(numClasses: classes) },
            "googlenet": { classes, _, _ in try GoogLeNet(numClasses: classes) },
        ]
        for depth in VGG.Depth.allCases {
            builders["\(depth)"] = { classes, _, _ in try VGG(depth, numClasses: classes) }
            builders["\(depth)_bn"] = { classes, _, _ in try VGG(depth, batchNorm: true, numClasses: classes) }
        }
        for depth in ResNet.Depth.allCases {
            builders["\(depth)"] = { classes, channels, _ in try ResNet(depth, numClasses: classes, inputChannels: channels) }
        }
        return builders
    }()

    public static var names: [String] { builders.keys.sorted() }

    /// The registry's spelling of `name` (names are case-insensitive), or an error listing the known models.
    public static func canonicalName(_ name: String) throws -> String {
        guard builders[name.lowercased()] != nil else { throw unknownModel(name) }
        return name.lowercased()
    }

    private static func unknownModel(_ name: String) -> TensorError {
        TensorError("unknown model '\(name)'; known models: \(names.joined(separator: ", "))")
    }

    /// `forPublishedWeights` applies the options torchvision sets when it loads a published checkpoint:
    /// GoogLeNet's weights were trained on (x - 0.5) / 0.5 input, so it gets `transformInput`.
    public static func make(_ name: String, numClasses: Int, inputChannels: Int = 3, inputSize: Int = 224,
                            forPublishedWeights: Bool = false) throws -> Module {
        guard let builder = builders[name.lowercased()] else { throw unknownModel(name) }
        if forPublishedWeights && name.lowercased() == "googlenet" {
            return try GoogLeNet(numClasses: numClasses, transformInput: true)
        }
        return try builder(numClasses, inputChannels, inputSize)
    }
}
