import ConvKitInterop
import ConvKitVision
import Foundation
import Testing

/// Attributions on resnet18 with formula weights, against tools/fixtures/attribution.py.
@Suite struct AttributionTests {
    let model: Module
    let input: Tensor
    let target = 7

    init() throws {
        model = try modelWithFormulaWeights("resnet18")
        input = try Self.fixture("input")
    }

    static func fixture(_ name: String) throws -> Tensor { try NumPyFile.read(zooFixture("attribution/\(name).npy")) }

    /// Largest difference relative to the largest reference magnitude.
    func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
        #expect(actual.count == expected.count)
        let scale = expected.scalars.map(abs).max() ?? 1
        return zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
    }

    @Test func vanillaLossSaliencyMatchesPyTorch() throws {
        let method = VanillaSaliency(objective: .loss)
        let gradient = try method.attribute(model: model, input: input, target: nil)
        // The loss is differentiated as the log-probability: the gradient is minus PyTorch's loss gradient.
        let error = relativeError(gradient, -(try Self.fixture("vanilla_loss_grad")))
        #expect(error < 1e-4, "input gradient: \(error)")
        let map = try Attribution.saliencyMap(gradient)
        #expect(map.shape == [1, 64, 64])
        let mapError = relativeError(map, try Self.fixture("vanilla_loss_map"))
        #expect(mapError < 1e-4, "saliency map: \(mapError)")
    }

    @Test func vanillaScoreSaliencyMatchesPyTorch() throws {
        let gradient = try VanillaSaliency(objective: .score).attribute(model: model, input: input, target: target)
        let error = relativeError(gradient, try Self.fixture("vanilla_score_grad"))
        #expect(error < 1e-4, "\(error)")
    }

    @Test func gradCAMMatchesPyTorch() throws {
        let cam = try GradCAM(layer: "layer3.1.conv2", objective: .score).attribute(model: model, input: input, target: target)
        #expect(cam.shape == [1, 1, 64, 64])
        let error = relativeError(cam, try Self.fixture("gradcam_layer3"))
        #expect(error < 1e-4, "\(error)")
    }

    @Test func guidedBackpropMatchesPyTorch() throws {
        let gradient = try GuidedBackprop(objective: .score).attribute(model: model, input: input, target: target)
        let error = relativeError(gradient, try Self.fixture("guided_grad"))
        #expect(error < 1e-4, "\(error)")
        // The switch is scoped to the call: a plain gradient afterwards is the exact one again.
        let plain = try VanillaSaliency(objective: .score).attribute(model: model, input: input, target: target)
        #expect(relativeError(plain, try Self.fixture("vanilla_score_grad")) < 1e-4)
    }

    @Test(arguments: AttributionObjective.allCases)
    func integratedGradientsAreComplete(objective: AttributionObjective) throws {
        let method = try IntegratedGradients(objective: objective, steps: 32, batchSize: 16)
        let attributions = try method.attribute(model: model, input: input, target: target)
        #expect(attributions.shape == input.shape)
        let difference = try method.objectiveDifference(model: model, input: input, target: target)[0]
        let total = attributions.sum().item
        #expect(abs(total - difference) < 0.01 * abs(difference), "sum \(total) vs f(x) - f(baseline) \(difference)")
    }

    @Test func smoothGradIsSeededAndReducesToVanillaWithoutNoise() throws {
        let first = try SmoothGrad(samples: 2, sigma: 0.2, seed: 3).attribute(model: model, input: input, target: target)
        let again = try SmoothGrad(samples: 2, sigma: 0.2, seed: 3).attribute(model: model, input: input, target: target)
        #expect(first.scalars == again.scalars)
        let other = try SmoothGrad(samples: 2, sigma: 0.2, seed: 4).attribute(model: model, input: input, target: target)
        #expect(first.scalars != other.scalars)
        let noiseless = try SmoothGrad(VanillaSaliency(objective: .score), samples: 1, sigma: 0)
            .attribute(model: model, input: input, target: target)
        #expect(relativeError(noiseless, try Self.fixture("vanilla_score_grad")) < 1e-4)
    }

    @Test func attributionLeavesParametersUntouched() throws {
        _ = try GradCAM(layer: "layer4.1.conv2").attribute(model: model, input: input, target: nil)
        let parameters = model.namedParameters().map(\.1)
        #expect(parameters.allSatisfy { $0.requiresGrad && $0.grad == nil })
    }

    @Test func badTargetsAndLayersAreExplained() throws {
        #expect(throws: TensorError.self) { try VanillaSaliency().attribute(model: model, input: input, target: 1000) }
        do {
            _ = try GradCAM(layer: "layer9.conv").attribute(model: model, input: input, target: nil)
            Issue.record("an unknown layer was accepted")
        } catch {
            #expect("\(error)".contains("no layer 'layer9.conv'") && "\(error)".contains("layer4.1.conv2"))
        }
    }
}
