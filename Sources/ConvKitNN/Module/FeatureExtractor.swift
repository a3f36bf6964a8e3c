/// Runs a model and returns the tensors seen at several named layers at once, like
/// torchvision's `create_feature_extractor`, but with forward hooks instead of tracing,
/// so the model's own `forward` runs unchanged.
///
/// The forward pass stops as soon as every requested layer has been seen, and runs in a
/// no-grad scope: extracting features records no graph and computes nothing backward.
///
/// ```swift
/// let extractor = try FeatureExtractor(model, layers: ["layer3", "layer4"])
/// let features = try extractor(images)  // ["layer3": [N, 256, 14, 14], "layer4": [N, 512, 7, 7]]
/// ```
public struct FeatureExtractor {
    /// Which side of a layer to capture: its output, or its input (a classifier head's
    /// input is the penultimate embedding).
    public enum Capture: Sendable {
        case output, input
    }

    public let model: Module
    public let layers: [String]
    public let capture: Capture

    /// - Throws: if a path names no module; the error lists the valid paths.
    public init(_ model: Module, layers: [String], capture: Capture = .output) throws {
        guard !layers.isEmpty else { throw TensorError("FeatureExtractor needs at least one layer path") }
        for layer in layers { _ = try model.requiredModule(at: layer) }
        self.model = model
        self.layers = layers
        self.capture = capture
    }

    /// The captured tensor of each requested layer (its first call, for layers used more than once).
    public func callAsFunction(_ input: Tensor) throws -> [String: Tensor] {
        let wanted = Set(layers)
        var captured: [String: Tensor] = [:]
        var tokens: [ForwardHookToken] = []
        defer { tokens.forEach { $0.remove() } }
        for path in wanted {
            guard let module = model.module(at: path) else { continue }
            tokens.append(module.addForwardHook { [capture] _, layerInput, layerOutput in
                guard captured[path] == nil else { return }
                captured[path] = capture == .output ? layerOutput : layerInput
                if captured.count == wanted.count { throw StopForward() }
            })
        }
        do {
            _ = try withNoGrad { try model(input) }
        } catch is StopForward {
            // Every layer was captured; the rest of the network was not needed.
        }
        guard captured.count == wanted.count else {
            let missing = layers.filter { captured[$0] == nil }
            throw TensorError("layers \(missing.joined(separator: ", ")) were not called by the model's forward pass")
        }
        return captured
    }
}

/// Thrown from a hook to end a forward pass once the wanted features are in hand.
private struct StopForward: Error {}
