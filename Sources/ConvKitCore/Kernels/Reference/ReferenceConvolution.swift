/// Plain-loop convolution, written for clarity: the oracle the oneDNN path is tested
/// against. Buffers are NCHW / OIHW, contiguous.
enum ReferenceConvolution {
    /// Calls `body(n, o, oy, ox, c, ky, kx, inputIndex)` for every multiply-add whose input
    /// position lies inside the (unpadded) input; the three passes share this walk.
    private static func forEachTap(_ g: ConvolutionGeometry, _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        let inPerGroup = g.inChannels / g.groups, outPerGroup = g.outChannels / g.groups
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let group = o / outPerGroup
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        for c in 0..<inPerGroup {
                            let channel = group * inPerGroup + c
                            for ky in 0..<g.kernelHeight {
                                let y = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                                guard y >= 0, y < g.height else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let x = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                                    guard x >= 0, x < g.width else { continue }
                                    body(n, o, oy, ox, c, ky, kx, ((n * g.inChannels + channel) * g.height + y) * g.width + x)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func outputIndex(_ g: ConvolutionGeometry, _ n: Int, _ o: Int, _ oy: Int, _ ox: Int) -> Int {
        ((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
    }

    private static func weightIndex(_ g: ConvolutionGeometry, _ o: Int, _ c: Int, _ ky: Int, _ kx: Int) -> Int {
        ((o * (g.inChannels / g.groups) + c) * g.kernelHeight + ky) * g.kernelWidth + kx
    }

    static func forward(_ g: ConvolutionGeometry, input: [Float], weight: [Float], bias: [Float]?) -> [Float] {
        var output = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        forEachTap(g) { n, o, oy, ox, c, ky, kx, inputIndex in
            output[outputIndex(g, n, o, oy, ox)] += input[inputIndex] * weight[weightIndex(g, o, c, ky, kx)]
        }
        if let bias {
            let plane = g.outHeight * g.outWidth
            for index in output.indices { output[index] += bias[(index / plane) % g.outChannels] }
        }
        return output
    }

    static func backwardData(_ g: ConvolutionGeometry, gradOutput: [Float], weight: [Float]) -> [Float] {
        var gradInput = [Float](repeating: 0, count: g.inputShape.reduce(1, *))
        forEachTap(g) { n, o, oy, ox, c, ky, kx, inputIndex in
            gradInput[inputIndex] += gradOutput[outputIndex(g, n, o, oy, ox)] * weight[weightIndex(g, o, c, ky, kx)]
        }
        return gradInput
    }

    static func backwardWeights(_ g: ConvolutionGeometry, input: [Float], gradOutput: [Float]) -> [Float] {
        var gradWeight = [Float](repeating: 0, count: g.weightShape.reduce(1, *))
        forEachTap(g) { n, o, oy, ox, c, ky, kx, inputIndex in
            gradWeight[weightIndex(g, o, c, ky, kx)] += gradOutput[outputIndex(g, n, o, oy, ox)] * input[inputIndex]
        }
        return gradWeight
    }
}
