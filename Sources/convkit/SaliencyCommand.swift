import ArgumentParser
import ConvKitInterop
import ConvKitVision
import Foundation

/// The attribution methods by their command-line names.
enum SaliencyMethodName: String, ExpressibleByArgument, CaseIterable {
    case vanilla, smoothgrad, integratedGradients = "integrated-gradients", guidedBackprop = "guided-backprop", gradcam
}

extension AttributionObjective: ExpressibleByArgument {}
extension Colormap: ExpressibleByArgument {}

struct Saliency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a prediction: a saliency map (or Grad-CAM) drawn over the input image.")

    @OptionGroup var model: ModelOptions

    @OptionGroup var input: InputOptions

    @Option(help: "vanilla, smoothgrad, integrated-gradients, guided-backprop or gradcam.")
    var method: SaliencyMethodName = .vanilla

    @Option(help: "Class to explain (default: the predicted class).")
    var target: Int?

    @Option(help: "loss (cross-entropy of the target class) or score (its raw logit).")
    var objective: AttributionObjective = .loss

    @Option(help: "For gradcam: the layer path, e.g. layer4.1.conv2 (default: the last convolution).")
    var layer: String?

    @Option(help: "For smoothgrad: noisy samples.")
    var samples = 25

    @Option(help: "For smoothgrad: noise standard deviation as a fraction of the input's range.")
    var sigma: Float = 0.15

    @Option(help: "For smoothgrad: random seed of the noise.")
    var seed: UInt64 = 0

    @Option(help: "For integrated-gradients: points on the path from the baseline (all zeros) to the input.")
    var steps = 50

    @Option(help: "Run the method this many times and report the median time (the first run includes one-time kernel setup).")
    var repeats = 1

    @Option(help: "jet, inferno or gray.")
    var colormap: Colormap = .jet

    @Option(help: "The heatmap over the input, as PNG.")
    var out: String

    @Option(help: "Also write the H x W map (N x H x W for a batch) as .npy.")
    var npyOut: String?

    func run() throws {
        let (input, picture) = try self.input.load(model: model.model)
        let network = try model.load(inputChannels: input.shape[1], inputSize: input.shape[2])
        let attribution = try makeMethod(for: network)
        let logits = try withNoGrad { try network(input) }
        let names = classNames(count: logits.shape[1])
        let predicted = try logits.argmax(axis: 1).integers[0]
        var attributions = input, times: [Double] = []
        for _ in 0..<repeats {
            let started = Date()
            attributions = try attribution.attribute(model: network, input: input, target: target)
            times.append(Date().timeIntervalSince(started))
        }
        let seconds = times.sorted()[times.count / 2]
        let map = try Attribution.saliencyMap(attributions)
        try writePNG(try Heatmap.overlay(try map[0], on: picture, colormap: colormap), to: out)
        if let npyOut {
            try NumPyFile.write(map.shape[0] == 1 ? try map[0] : map, to: URL(fileURLWithPath: npyOut))
        }
        if let integrated = attribution as? IntegratedGradients {
            let difference = try integrated.objectiveDifference(model: network, input: input, target: target)[0]
            let total = try attributions.sliced(axis: 0, start: 0, end: 1).sum().item
            print(String(format: "completeness: attributions sum to %.5f, f(x) - f(baseline) = %.5f (%.3f%% apart)",
                         total, difference, 100 * abs(total - difference) / max(abs(difference), .leastNormalMagnitude)))
        }
        let explained = target ?? predicted
        print("\(method.rawValue) for class \(explained) (\(names[explained])); predicted \(predicted) (\(names[predicted])); "
            + String(format: "%.0f ms%@; wrote %@", seconds * 1000, repeats > 1 ? " (median of \(repeats))" : "", out))
    }

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func makeMethod(for network: Module) throws -> any AttributionMethod {
        switch method {
        case .vanilla: return VanillaSaliency(objective: objective)
        case .smoothgrad: return try SmoothGrad(VanillaSaliency(objective: objective), samples: samples, sigma: sigma, seed: seed)
        case .integratedGradients: return try IntegratedGradients(objective: objective, steps: steps)
        case .guidedBackprop: return GuidedBackprop(objective: objective)
        case .gradcam:
            guard let path = layer ?? network.convolutionPaths.last else {
                throw ValidationError("the model has no convolution for Grad-CAM; pass --layer")
            }
            _ = try network.requiredModule(at: path)
            return GradCAM(layer: path, objective: objective)
        }
    }
}
