@testable import ConvKitCore
import Testing

@Suite struct ConvolutionTests {
    static let fixtureCases: [(String, stride: (Int, Int), padding: Int, dilation: Int, groups: Int)] = [
        ("conv2d_basic", (1, 1), 1, 1, 1),
        ("conv2d_stride_gt_kernel", (3, 3), 0, 1, 1),
        ("conv2d_groups", (1, 1), 1, 1, 2),
        ("conv2d_depthwise", (2, 2), 1, 1, 7),
    ]

    @Test(arguments: 0..<4)
    func forwardAndGradientsMatchPyTorch(caseIndex: Int) throws {
        let (name, stride, padding, dilation, groups) = Self.fixtureCases[caseIndex]
        let input = try fixture(name, "input").requiringGrad()
        let weight = try fixture(name, "weight").requiringGrad()
        let bias = try fixture(name, "bias").requiringGrad()
        let output = try conv2d(input, weight: weight, bias: bias, stride: stride, padding: .symmetric(padding, padding),
                                dilation: (dilation, dilation), groups: groups)
        expectClose(output, try fixture(name, "output"), name)
        try output.backward(try fixture(name, "grad_output"))
        expectClose(try #require(input.grad), try fixture(name, "grad_input"), "\(name) grad input")
        expectClose(try #require(weight.grad), try fixture(name, "grad_weight"), "\(name) grad weight")
        expectClose(try #require(bias.grad), try fixture(name, "grad_bias"), "\(name) grad bias")
    }

    @Test func dilatedNonSquareWithoutBiasMatchesPyTorch() throws {
        let name = "conv2d_dilated_nonsquare"
        let input = try fixture(name, "input").requiringGrad(), weight = try fixture(name, "weight").requiringGrad()
        let output = try conv2d(input, weight: weight, stride: (2, 1), padding: .symmetric(2, 1), dilation: (2, 2))
        expectClose(output, try fixture(name, "output"))
        try output.backward(try fixture(name, "grad_output"))
        expectClose(try #require(input.grad), try fixture(name, "grad_input"))
        expectClose(try #require(weight.grad), try fixture(name, "grad_weight"))
    }

    @Test func asymmetricSamePaddingMatchesPadThenConvolve() throws {
        let name = "conv2d_asymmetric"
        let output = try conv2d(try fixture(name, "input"), weight: try fixture(name, "weight"), stride: (2, 2),
                                padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1))
        expectClose(output, try fixture(name, "output"))
    }

    /// The oneDNN path, in both activation layouts, against the plain-loop oracle, over awkward geometries.
    @Test(arguments: [
        [1, 3, 9, 7, 5, 3, 2, 1, 1, 2, 1, 1, 1, 1],  // N C H W O kH kW sH sW pT pL pB pR groups... (dilation 1)
        [2, 5, 8, 8, 7, 2, 2, 3, 3, 0, 0, 0, 0, 1],
        [2, 6, 7, 9, 4, 3, 1, 1, 2, 1, 0, 2, 1, 2],
        [1, 8, 6, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 8],
        [3, 16, 5, 5, 32, 1, 1, 2, 2, 0, 0, 0, 0, 1],
    ])
    func fastPathMatchesReference(p: [Int]) throws {
        let g = ConvolutionGeometry(batch: p[0], inChannels: p[1], height: p[2], width: p[3], outChannels: p[4],
                                    kernelHeight: p[5], kernelWidth: p[6], strideHeight: p[7], strideWidth: p[8],
                                    padTop: p[9], padLeft: p[10], padBottom: p[11], padRight: p[12],
                                    dilationHeight: 1, dilationWidth: 1, groups: p[13])
        let input = randomTensor(g.inputShape, seed: 1), weight = randomTensor(g.weightShape, seed: 2)
        let bias = randomTensor([g.outChannels], seed: 3), gradOutput = randomTensor(g.outputShape, seed: 4)
        let expected = ReferenceConvolution.forward(g, input: input.scalars, weight: weight.scalars, bias: bias.scalars)
        let expectedInput = ReferenceConvolution.backwardData(g, gradOutput: gradOutput.scalars, weight: weight.scalars)
        let expectedWeight = ReferenceConvolution.backwardWeights(g, input: input.scalars, gradOutput: gradOutput.scalars)
        for layout in ConvolutionLayout.allCases {
            let output = Tensor(uninitializedShape: g.outputShape)
            try DNNLConvolution.forward(g, input: input.floatPointer, weight: weight.floatPointer, bias: bias.floatPointer,
                                        output: output.floatPointer, fusedReLU: false, training: true, layout: layout)
            expectClose(output, Tensor(expected, shape: g.outputShape), "forward \(g) \(layout)")

            let gradInput = Tensor(uninitializedShape: g.inputShape)
            try DNNLConvolution.backwardData(g, gradOutput: gradOutput.floatPointer, weight: weight.floatPointer,
                                             gradInput: gradInput.floatPointer, layout: layout)
            expectClose(gradInput, Tensor(expectedInput, shape: g.inputShape), "backward data \(g) \(layout)")

            let gradWeight = Tensor(uninitializedShape: g.weightShape)
            try DNNLConvolution.backwardWeights(g, input: input.floatPointer, gradOutput: gradOutput.floatPointer,
                                                gradWeight: gradWeight.floatPointer, gradBias: nil, layout: layout)
            expectClose(gradWeight, Tensor(expectedWeight, shape: g.weightShape), "backward weights \(g) \(layout)")
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        try checkGradients([randomTensor([2, 3, 6, 5], seed: 5), randomTensor([4, 3, 3, 2], seed: 6),
                            randomTensor([4], seed: 7)]) {
            try conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: .symmetric(1, 0))
        }
    }

    @Test func fusedReLUEqualsConvolutionThenClamp() throws {
        let input = randomTensor([2, 3, 8, 8], seed: 8), weight = randomTensor([5, 3, 3, 3], seed: 9)
        let bias = randomTensor([5], seed: 10)
        let fused = try conv2dReLU(input, weight: weight, bias: bias, padding: .symmetric(1, 1))
        let plain = try conv2d(input, weight: weight, bias: bias, padding: .symmetric(1, 1))
        expectClose(fused, Tensor(plain.scalars.map { max($0, 0) }, shape: plain.shape))
        #expect(throws: TensorError.self) {
            try conv2dReLU(input.requiringGrad(), weight: weight, bias: bias)
        }
    }

    @Test func invalidArgumentsNameTheShapes() {
        let input = Tensor.zeros([1, 4, 5, 5])
        #expect(throws: TensorError("conv2d: weight expects 3 input channels, input has 4 (input [1, 4, 5, 5], weight [2, 3, 3, 3])")) {
            try conv2d(input, weight: Tensor.zeros([2, 3, 3, 3]))
        }
        #expect(throws: TensorError("conv2d: groups 3 must divide the input channels 4 and output channels 6 (input [1, 4, 5, 5], weight [6, 1, 3, 3])")) {
            try conv2d(input, weight: Tensor.zeros([6, 1, 3, 3]), groups: 3)
        }
        #expect(throws: TensorError("conv2d: padding must not be negative, got Padding2D(top: -1, left: -1, bottom: -1, right: -1) (input [1, 4, 5, 5], weight [2, 4, 3, 3])")) {
            try conv2d(input, weight: Tensor.zeros([2, 4, 3, 3]), padding: .symmetric(-1, -1))
        }
        #expect(throws: TensorError("conv2d: kernel 7x7 (with dilation) is larger than the padded input 5x5 (input [1, 4, 5, 5], weight [2, 4, 7, 7])")) {
            try conv2d(input, weight: Tensor.zeros([2, 4, 7, 7]))
        }
        #expect(throws: TensorError.self) { try conv2d(Tensor.zeros([4, 5, 5]), weight: Tensor.zeros([2, 4, 3, 3])) }
    }
}

@Suite struct MatMulTests {
    @Test func broadcastBatchedMatmulMatchesPyTorch() throws {
        let a = try fixture("matmul_broadcast", "a").requiringGrad(), b = try fixture("matmul_broadcast", "b").requiringGrad()
        let output = try matmul(a, b)
        expectClose(output, try fixture("matmul_broadcast", "output"))
        try output.backward(try fixture("matmul_broadcast", "grad_output"))
        expectClose(try #require(a.grad), try fixture("matmul_broadcast", "grad_a"))
        expectClose(try #require(b.grad), try fixture("matmul_broadcast", "grad_b"))
    }

    @Test func linearMatchesPyTorchAndFiniteDifferences() throws {
        let output = try linear(try fixture("linear", "input"), weight: try fixture("linear", "weight"),
                                bias: try fixture("linear", "bias"))
        expectClose(output, try fixture("linear", "output"))
        try checkGradients([randomTensor([2, 3, 4], seed: 1), randomTensor([5, 4], seed: 2), randomTensor([5], seed: 3)]) {
            try linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func transposedAndStridedOperandsNeedNoCopyAndAgree() throws {
        let a = randomTensor([6, 4], seed: 4), b = randomTensor([5, 4], seed: 5)
        let viaView = try matmul(a, b.transposed())
        let viaCopy = try matmul(a, b.transposed().contiguous())
        expectClose(viaView, viaCopy)
        var expected = [Float](repeating: 0, count: 30)
        for i in 0..<6 { for j in 0..<5 { for k in 0..<4 { expected[i * 5 + j] += a.scalars[i * 4 + k] * b.scalars[j * 4 + k] } } }
        expectClose(viaView, Tensor(expected, shape: [6, 5]))
    }

    @Test func mismatchedShapesAreNamed() {
        #expect(throws: TensorError("matmul: shapes [2, 3] and [4, 5] do not fit (3 columns vs 4 rows)")) {
            try matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        #expect(throws: TensorError.self) { try linear(Tensor.zeros([2, 3]), weight: Tensor.zeros([4, 5])) }
    }
}
