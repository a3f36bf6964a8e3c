import ConvKitOptim
import Foundation
import Testing

/// Values written by tools/fixtures/optim.py with torch.optim.
struct Reference: Decodable {
    let optimizers: [String: [[Float]]]
    let schedules: [String: [Float]]
    let plateau_metrics: [Float]
    let clipping: Clipping
    let clipping_by_order: [String: Clipping]

    struct Clipping: Decodable { let norm: Float; let clipped: [Float] }

    static func load() throws -> Reference {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/optim_reference", withExtension: "json"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }
}

/// Relative tolerance; `floor` is the magnitude below which it acts as an absolute one
/// (parameter values of order one pass through zero, where float32 rounding of the
/// larger terms dominates).
func expectClose(_ actual: [Float], _ expected: [Float], relative: Float, floor: Float = 0, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values vs \(expected.count)", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > relative * max(abs(e), floor) {
        Issue.record("\(what) [\(index)]: \(a) vs PyTorch \(e)", sourceLocation: sourceLocation)
        return
    }
}

/// Expects `body` to throw a ``TensorError`` whose message contains every one of `fragments`.
func expectError(mentioning fragments: String..., sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch let error as TensorError {
        for fragment in fragments where !error.message.contains(fragment) {
            Issue.record("error '\(error.message)' does not mention '\(fragment)'", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// The quadratic of optim.py: sum(w (a - ta)^2) + 3 sum((b - tb)^2), the second term
/// (and so b's gradient) only from step `bFromStep` on; returns a and b after each step.
func quadraticTrajectory<State>(bFromStep: Int = 0,
                                _ make: ([Tensor], Tensor, Tensor) throws -> Optimizer<State>) throws -> [[Float]] {
    let a = Tensor([0.5, -1.0, 2.0, 0.25, -0.75]).requiringGrad(), b = Tensor([1.5, -0.5, 0.3]).requiringGrad()
    let optimizer = try make([a, b], a, b)
    var history: [[Float]] = []
    for step in 0..<5 {
        optimizer.zeroGrad()
        var loss = try ((a - Tensor([0.1, 0.2, -0.3, 0.4, 0.0])).squared() * Tensor([1, 2, 3, 4, 5])).sum()
        if step >= bFromStep { loss = try loss + (b - Tensor([-1.0, 0.5, 2.0])).squared().sum() * 3 }
        try loss.backward()
        try optimizer.step()
        history.append(a.scalars + b.scalars)
    }
    return history
}
