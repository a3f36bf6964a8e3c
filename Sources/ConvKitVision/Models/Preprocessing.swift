import Foundation

/// The input pipeline a model's weights were trained with, as torchvision's
/// `weights.transforms()`: resize the shorter side, center-crop, scale to [0, 1], then
/// normalize per channel.
public struct Preprocessing: Sendable {
    public let resizeTo: Int
    public let cropTo: Int
    public let mean: [Float]
    public let std: [Float]

    public init(resizeTo: Int = 256, cropTo: Int = 224, mean: [Float], std: [Float]) {
        (self.resizeTo, self.cropTo, self.mean, self.std) = (resizeTo, cropTo, mean, std)
    }

    /// torchvision's ImageNet statistics.
    public static let imageNet = Preprocessing(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// TensorFlow-Lite's `(x - 127) / 128` on 0-255 inputs, which EfficientNet-Lite was trained with.
    public static let tensorFlowLite = Preprocessing(mean: [0.498, 0.498, 0.498], std: [0.502, 0.502, 0.502])

    /// `[1, 3, crop, crop]` float32, ready for the model.
    public func callAsFunction(_ image: Image) throws -> Tensor { try normalized(try cropped(image)) }

    /// The RGB picture the model sees: resized and center-cropped, before normalization.
    public func cropped(_ image: Image) throws -> Image {
        try image.rgb().resized(shorterSide: resizeTo).centerCropped(width: cropTo, height: cropTo)
    }

    /// `[1, C, H, W]`: the image scaled to [0, 1] and normalized per channel.
    public func normalized(_ image: Image) throws -> Tensor {
        let shape = [1, mean.count, 1, 1]
        return try (image.tensor().unsqueezed(at: 0) - Tensor(mean, shape: shape)) / Tensor(std, shape: shape)
    }
}

/// The 1000 ImageNet-1k class names in index order (torchvision's list).
public enum ImageNetClasses {
    public static let names: [String] = {
        guard let url = Bundle.module.url(forResource: "Resources/imagenet_classes", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }()
}

extension ModelRegistry {
    /// The module path of each architecture's final classifier layer.
    public static func classifierKey(for name: String) -> String {
        let name = name.lowercased()
        if name.hasPrefix("resnet") || name == "googlenet" { return "fc" }
        if name.hasPrefix("efficientnet") { return "_fc" }
        if name.hasPrefix("lenet") { return "classifier.4" }
        return "classifier.6"  // AlexNet and VGG
    }

    /// The side of the square images a model is built for by default: 28 for LeNet (MNIST),
    /// the preprocessing crop for the ImageNet models.
    public static func defaultInputSize(for name: String) -> Int {
        name.lowercased().hasPrefix("lenet") ? 28 : preprocessing(for: name).cropTo
    }

    /// The preprocessing each zoo model's ImageNet weights expect.
    public static func preprocessing(for name: String) -> Preprocessing {
        name.lowercased().hasPrefix("efficientnet_lite") ? .tensorFlowLite : .imageNet
    }
}
