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
        let limit = ResourceLimits.current.maxClasses
        guard (1...limit).contains(numClasses) else {
            throw TensorError("\(name) cannot be built with \(numClasses) classes: give between 1 and \(limit) "
                + "(raise CONVKIT_MAX_CLASSES for more)")
        }
        if forPublishedWeights && name.lowercased() == "googlenet" {
            return try GoogLeNet(numClasses: numClasses, transformInput: true)
        }
        return try builder(numClasses, inputChannels, inputSize)
    }
}

extension ModelRegistry {
    /// `name` built to fit a saved state dict and loaded from it strictly: the class count is
    /// read off the checkpoint's classifier head and, unless `inputChannels` is given, the input
    /// channels off its first convolution (a LeNet trained on MNIST takes one). A `module.`
    /// prefix is removed first.
    /// - Parameters:
    ///   - state: the saved parameters and buffers.
    ///   - inputChannels: the channels to build for, or nil to take the checkpoint's (else `defaultChannels`).
    ///   - inputSize: the side of the square input images.
    ///   - forPublishedWeights: as for ``make(_:numClasses:inputChannels:inputSize:forPublishedWeights:)``.
    /// - Throws: when the head's shape holds no weights or more than ``ResourceLimits/maxClasses`` classes,
    ///   or a ``StateDictMismatch`` when the rest does not fit.
    public static func make(_ name: String, loading state: [String: Tensor], inputChannels: Int? = nil,
                            defaultChannels: Int = 3, inputSize: Int, forPublishedWeights: Bool = false) throws -> Module {
        let state = Module.strippingWrapperPrefix(state)
        let headKey = classifierKey(for: name) + ".weight"
        var classes = 1000
        if let head = state[headKey] {
            guard head.rank == 2, head.shape[1] > 0 else {
                throw TensorError("the checkpoint's classifier \(headKey) has shape \(head.shape), not [classes, features] "
                    + "with weights in it; it does not hold a \(name)")
            }
            classes = head.shape[0]
            let limit = ResourceLimits.current.maxClasses
            guard classes <= limit else {
                throw TensorError("the checkpoint's classifier \(headKey) has \(classes) classes, more than the limit of "
                    + "\(limit); raise CONVKIT_MAX_CLASSES if the file is trusted")
            }
        }
        func build(channels: Int) throws -> Module {
            try Initializer.withoutInitialization {
                try make(name, numClasses: classes, inputChannels: channels, inputSize: inputSize,
                         forPublishedWeights: forPublishedWeights)
            }
        }
        var network = try build(channels: inputChannels ?? defaultChannels)
        // Rebuilt only when the saved first convolution differs in its input channels alone, so
        // its weights, which the file really holds, bound the channel count.
        if inputChannels == nil, let (key, built) = network.namedParameters().first(where: { $0.1.rank == 4 }),
           let saved = state[key], saved.rank == 4, saved.shape[1] != built.shape[1],
           saved.shape[0] == built.shape[0], saved.shape[2...] == built.shape[2...] {
            network = try build(channels: saved.shape[1])
        }
        try network.loadStateDict(state)
        return network
    }
}
