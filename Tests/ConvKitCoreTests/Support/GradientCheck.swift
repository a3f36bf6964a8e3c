import ConvKitCore
import Testing

/// Compares the gradients `backward()` computes for `f` with central finite differences.
///
/// The output is projected onto fixed random weights so that every output element
/// contributes to the checked scalar; the loss is summed in Double to keep the
/// difference quotient above Float32 rounding noise. Inputs must be contiguous
/// float32 leaves; choose them away from kinks (ReLU at 0, ties in max pooling).
func checkGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, absolute: Float = 2e-3, relative: Float = 1e-2,
                    maxElementsPerInput: Int = 64, sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor]) throws -> Tensor) throws {
    for input in inputs { input.requiresGrad = true; input.grad = nil }
    let output = try f(inputs)
    var generator = RandomGenerator(seed: 7)
    let projection = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
    try (output * projection).sum().backward()

    func loss() throws -> Double {
        let values = try withNoGrad { try f(inputs) }.scalars
        return zip(values, projection.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (inputIndex, input) in inputs.enumerated() {
        let analytic = try #require(input.grad, "input \(inputIndex) got no gradient", sourceLocation: sourceLocation).scalars
        #expect(analytic.count == input.count, sourceLocation: sourceLocation)
        let step = max(1, input.count / maxElementsPerInput)
        for element in stride(from: 0, to: input.count, by: step) {
            let original = input.withMutableFloats { $0[element] }
            input.withMutableFloats { $0[element] = original + epsilon }
            let plus = try loss()
            input.withMutableFloats { $0[element] = original - epsilon }
            let minus = try loss()
            input.withMutableFloats { $0[element] = original }
            let numeric = Float((plus - minus) / Double(2 * epsilon))
            #expect(abs(analytic[element] - numeric) <= absolute + relative * abs(numeric),
                    "input \(inputIndex) element \(element): backward \(analytic[element]) vs finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Seeded uniform values in `[low, high)`, for test inputs.
func randomTensor(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, using: &generator)
}
