#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Chooses each convolution's activation layout by measurement: the first time a
/// geometry runs a pass, both layouts are timed on scratch buffers and the faster is
/// remembered for the rest of the process. Neither layout wins everywhere (see
/// ``ConvolutionLayout``), and a measured choice also holds on other CPUs.
package enum ConvolutionTuning {
    package enum Pass: String, Sendable { case forwardTraining, forwardInference, backwardData, backwardWeights }

    private struct Key: Hashable { let geometry: ConvolutionGeometry; let pass: Pass }
    private static let choices = Mutex<[Key: ConvolutionLayout]>([:])

    /// The layout measured fastest for this geometry and pass (measuring on first use).
    package static func fastestLayout(_ g: ConvolutionGeometry, _ pass: Pass) throws -> ConvolutionLayout {
        let key = Key(geometry: g, pass: pass)
        if let known = choices.withLock({ $0[key] }) { return known }
        // Small problems run in microseconds either way; timing them would cost more than it saves.
        guard g.multiplyAdds >= 2_000_000 else { return remember(.plain, for: key) }
        var best = (layout: ConvolutionLayout.plain, seconds: Double.infinity)
        for layout in ConvolutionLayout.allCases {
            let seconds = try time(g, pass, layout)
            if seconds < best.seconds { best = (layout, seconds) }
        }
        if getenv("CONVKIT_VERBOSE_TUNING") != nil { print("tuned \(g) \(pass): \(best.layout)") }
        return remember(best.layout, for: key)
    }

    /// The first choice stored wins: two threads measuring the same geometry at once may
    /// disagree, and a layout that changed after first use would change results in the last bits.
    private static func remember(_ layout: ConvolutionLayout, for key: Key) -> ConvolutionLayout {
        choices.withLock { choices in
            if let earlier = choices[key] { return earlier }
            choices[key] = layout
            return layout
        }
    }

    /// Best of five runs after two warm-ups (the first also JIT-compiles the kernel).
    private static func time(_ g: ConvolutionGeometry, _ pass: Pass, _ layout: ConvolutionLayout) throws -> Double {
        let input = TensorStorage(byteCount: g.inputShape.reduce(1, *) * 4, zeroed: true)
        let weight = TensorStorage(byteCount: g.weightShape.reduce(1, *) * 4, zeroed: true)
        let output = TensorStorage(byteCount: g.outputShape.reduce(1, *) * 4, zeroed: true)
        let (x, w, y) = (input.base.assumingMemoryBound(to: Float.self), weight.base.assumingMemoryBound(to: Float.self),
                         output.base.assumingMemoryBound(to: Float.self))
        var fastest = Double.infinity
        for run in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            switch pass {
            case .forwardTraining, .forwardInference:
                try DNNLConvolution.forward(g, input: x, weight: w, bias: nil, output: y, fusedReLU: false,
                                            training: pass == .forwardTraining, layout: layout)
            case .backwardData:
                try DNNLConvolution.backwardData(g, gradOutput: y, weight: w, gradInput: x, layout: layout)
            case .backwardWeights:
                try DNNLConvolution.backwardWeights(g, input: x, gradOutput: y, gradWeight: w, gradBias: nil,
                                                    layout: layout)
            }
            if run > 1 { fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start)) }
        }
        return fastest
    }
}
