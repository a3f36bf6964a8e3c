import ConvKitCore
import ConvKitInterop
import Foundation
import Testing

/// Reference arrays written by `tools/fixtures/make_op_fixtures.py` with PyTorch:
/// `Fixtures/<case>/<array>.npy`.
func fixture(_ testCase: String, _ array: String) throws -> Tensor {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(testCase)/\(array)", withExtension: "npy") else {
        throw TensorError("missing fixture \(testCase)/\(array).npy; run tools/fixtures/make_op_fixtures.py")
    }
    return try NumPyFile.read(url)
}

/// Asserts two tensors have the same shape and agree within `absolute + relative * |expected|`.
func expectClose(_ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-5, relative: Float = 1e-4,
                 _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) vs \(expected.shape) \(comment)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    var worst = 0, worstExcess: Float = 0
    for index in a.indices {
        let nanMismatch = a[index].isNaN != e[index].isNaN
        let excess = nanMismatch ? Float.infinity : abs(a[index] - e[index]) - (absolute + relative * abs(e[index]))
        if excess > worstExcess { worst = index; worstExcess = excess }
    }
    #expect(worstExcess <= 0,
            "element \(worst): \(a.isEmpty ? 0 : a[worst]) vs expected \(e.isEmpty ? 0 : e[worst]) \(comment)",
            sourceLocation: sourceLocation)
}

/// Runs `op` on a fixture case's inputs (`input0`, `input1`, ...), compares the output
/// with PyTorch's, back-propagates PyTorch's upstream gradient and compares every
/// input gradient too.
func expectMatchesFixture(_ testCase: String, inputs inputCount: Int = 1, absolute: Float = 1e-5, relative: Float = 1e-4,
                          sourceLocation: SourceLocation = #_sourceLocation, _ op: ([Tensor]) throws -> Tensor) throws {
    let inputs = try (0..<inputCount).map { try fixture(testCase, "input\($0)").requiringGrad() }
    let output = try op(inputs)
    expectClose(output, try fixture(testCase, "output"), absolute: absolute, relative: relative, "\(testCase) output",
                sourceLocation: sourceLocation)
    try output.backward(try fixture(testCase, "grad_output"))
    for (index, input) in inputs.enumerated() {
        let gradient = try #require(input.grad, "\(testCase): input \(index) got no gradient", sourceLocation: sourceLocation)
        expectClose(gradient, try fixture(testCase, "grad_input\(index)"), absolute: absolute, relative: relative,
                    "\(testCase) gradient of input \(index)", sourceLocation: sourceLocation)
    }
}
