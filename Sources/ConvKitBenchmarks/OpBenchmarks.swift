import ConvKitCore

/// The operations `convkit bench ops` times: GEMMs and the three ResNet-shaped
/// convolution layers the issue names, each forward, backward-data and backward-weights.
public struct OpBenchmark: Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case sgemm, convForward = "conv_fwd", convBackwardData = "conv_bwd_data",
                                                  convBackwardWeights = "conv_bwd_weights" }

    public let name: String
    public let kind: Kind
    /// For sgemm: m = n = k = `size`. For convolutions: N, C, H, W, O, k, stride, padding.
    public let parameters: [Int]

    public var flops: Double {
        switch kind {
        case .sgemm: return 2 * pow3(parameters[0])
        default:
            let g = geometry
            return 2 * Double(g.multiplyAdds)
        }
    }

    var geometry: ConvolutionGeometry {
        let p = parameters
        return ConvolutionGeometry(batch: p[0], inChannels: p[1], height: p[2], width: p[3], outChannels: p[4],
                                   kernelHeight: p[5], kernelWidth: p[5], strideHeight: p[6], strideWidth: p[6],
                                   padTop: p[7], padLeft: p[7], padBottom: p[7], padRight: p[7],
                                   dilationHeight: 1, dilationWidth: 1, groups: 1)
    }

    public static let standard: [OpBenchmark] = {
        let layers: [(String, [Int])] = [
            ("64->64 56x56 3x3", [16, 64, 56, 56, 64, 3, 1, 1]),
            ("3->64 224x224 7x7 s2", [16, 3, 224, 224, 64, 7, 2, 3]),
            ("256->512 28x28 1x1 s2", [16, 256, 28, 28, 512, 1, 2, 0]),
        ]
        var all = [OpBenchmark(name: "sgemm 1024^3", kind: .sgemm, parameters: [1024]),
                   OpBenchmark(name: "sgemm 2048^3", kind: .sgemm, parameters: [2048])]
        for kind in [Kind.convForward, .convBackwardData, .convBackwardWeights] {
            all += layers.map { OpBenchmark(name: "\(kind.rawValue) \($0.0)", kind: kind, parameters: $0.1) }
        }
        return all
    }()

    /// Median seconds of one run of this operation with ConvKit's kernels.
    public func measure(repeats: Int) throws -> Double {
        var generator = RandomGenerator(seed: 1)
        switch kind {
        case .sgemm:
            let size = parameters[0]
            let a = Tensor.uniform([size, size], using: &generator), b = Tensor.uniform([size, size], using: &generator)
            return try medianSeconds(repeats: repeats) { _ = try matmul(a, b) }
        case .convForward, .convBackwardData, .convBackwardWeights:
            let g = geometry
            let input = Tensor.uniform(g.inputShape, using: &generator)
            let weight = Tensor.uniform(g.weightShape, using: &generator)
            let gradOutput = Tensor.uniform(g.outputShape, using: &generator)
            let scratch = Tensor(uninitializedShape: kind == .convBackwardWeights ? g.weightShape
                : kind == .convBackwardData ? g.inputShape : g.outputShape)
            return try medianSeconds(repeats: repeats) {
                switch kind {
                case .convForward:
                    try DNNLConvolution.forward(g, input: input.floatPointer, weight: weight.floatPointer, bias: nil,
                                                output: scratch.floatPointer, fusedReLU: false, training: false)
                case .convBackwardData:
                    try DNNLConvolution.backwardData(g, gradOutput: gradOutput.floatPointer, weight: weight.floatPointer,
                                                     gradInput: scratch.floatPointer)
                default:
                    try DNNLConvolution.backwardWeights(g, input: input.floatPointer, gradOutput: gradOutput.floatPointer,
                                                        gradWeight: scratch.floatPointer, gradBias: nil)
                }
            }
        }
    }
}

private func pow3(_ x: Int) -> Double { Double(x) * Double(x) * Double(x) }
