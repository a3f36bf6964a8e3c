import ConvKitOptim
import Testing

@Suite struct GradientClippingTests {
    /// The gradients of optim.py's clipping case, on a parameter of 5 and one of 3 elements.
    func parametersWithGradients() -> [Tensor] {
        let a = Tensor([0.5, -1.0, 2.0, 0.25, -0.75]), b = Tensor([1.5, -0.5, 0.3])
        a.grad = Tensor([3.0, -4.0, 0.5, 1.0, 2.0])
        b.grad = Tensor([-2.0, 1.0, 6.0])
        return [a, b]
    }

    @Test func normClippingMatchesPyTorch() throws {
        let reference = try Reference.load()
        let cases: [(Float, Reference.Clipping)] = [
            (2, reference.clipping), (1, try #require(reference.clipping_by_order["1"])),
            (3, try #require(reference.clipping_by_order["3"])), (.infinity, try #require(reference.clipping_by_order["inf"])),
        ]
        for (order, expected) in cases {
            let parameters = parametersWithGradients()
            let norm = try clipGradNorm(parameters, maxNorm: 2, normType: order)
            expectClose([norm], [expected.norm], relative: 1e-6, "norm of order \(order)")
            expectClose(parameters.flatMap { $0.grad!.scalars }, expected.clipped, relative: 1e-6, "clipped, order \(order)")
        }
    }

    @Test func smallGradientsAndMissingOnesAreLeftAlone() throws {
        let parameters = parametersWithGradients() + [Tensor([1, 2])]
        let norm = try clipGradNorm(parameters, maxNorm: 100)
        #expect(abs(norm - 8.440971) < 1e-5)
        #expect(parameters[0].grad!.scalars == [3.0, -4.0, 0.5, 1.0, 2.0] && parameters[2].grad == nil)
    }

    @Test func valueClippingClampsEachElement() throws {
        let parameters = parametersWithGradients()
        try clipGradValue(parameters, limit: 1.5)
        #expect(parameters[0].grad!.scalars == [1.5, -1.5, 0.5, 1.0, 1.5])
        #expect(parameters[1].grad!.scalars == [-1.5, 1.0, 1.5])
    }

    @Test func invalidLimitsAreRefused() {
        expectError(mentioning: "-1.0") { try clipGradNorm(parametersWithGradients(), maxNorm: -1) }
        expectError(mentioning: "0.0") { try clipGradNorm(parametersWithGradients(), maxNorm: 1, normType: 0) }
        expectError(mentioning: "0.0") { try clipGradValue(parametersWithGradients(), limit: 0) }
    }
}
