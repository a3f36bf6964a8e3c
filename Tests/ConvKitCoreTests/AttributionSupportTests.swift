import ConvKitCore
import Testing

/// The two autograd hooks attribution methods rely on.
@Suite struct AttributionSupportTests {
    @Test func guidedRectifiersPassOnlyPositiveGradientsWhereTheInputWasPositive() throws {
        for (rectify, expected) in [({ (x: Tensor) in x.relu() }, [Float](arrayLiteral: 0, 0, 2, 3, 4)),
                                    ({ (x: Tensor) in x.relu6() }, [0, 0, 2, 3, 0])] {
            let x = Tensor([-1, 2, 3, 0.5, 7]).requiringGrad()
            let y = rectify(x)
            try GradMode.$rectifierGradient.withValue(.guided) { try y.backward(Tensor([1, -1, 2, 3, 4])) }
            #expect(x.grad?.scalars == expected)
            x.grad = nil
            try rectify(x).backward(Tensor([1, -1, 2, 3, 4]))
            #expect(x.grad?.scalars.prefix(4) == [0, -1, 2, 3], "the exact rule outside the scope")
        }
        // Other activations ignore the switch.
        let x = Tensor([-1, 2]).requiringGrad()
        let y = x.leakyReLU(negativeSlope: 0.5)
        try GradMode.$rectifierGradient.withValue(.guided) { try y.backward(Tensor([-2, -2])) }
        #expect(x.grad?.scalars == [-1, -2])
    }

    @Test func intermediateResultsKeepTheirGradientOnRequest() throws {
        let x = Tensor([1, 2, 3]).requiringGrad()
        let hidden = x * 2
        hidden.retainsGrad = true
        let other = x * 3
        try (hidden * hidden + other).sum().backward()
        #expect(hidden.grad?.scalars == [4, 8, 12])
        #expect(other.grad == nil)
        #expect(x.grad?.scalars == [11, 19, 27])
    }
}
