#if canImport(Glibc)
import Glibc
#endif
import ConvKitCore
import Testing

@Suite struct ElementwiseTests {
    static var unaryCases: [(String, (Tensor) throws -> Tensor)] { [
        ("exp", { $0.exp() }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() }), ("abs", { $0.abs() }),
        ("pow", { $0.pow(2.5) }), ("clamp", { $0.clamped(min: -1, max: 2) }),
        ("relu", { $0.relu() }), ("relu6", { ($0 * 3).relu6() }), ("leaky_relu", { $0.leakyReLU(negativeSlope: 0.1) }),
        ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() }), ("gelu", { $0.gelu() }),
        ("gelu_tanh", { $0.gelu(approximateWithTanh: true) }),
    ] }

    @Test(arguments: 0..<13)
    func unaryOpsMatchPyTorch(index: Int) throws {
        let (name, op) = Self.unaryCases[index]
        try expectMatchesFixture(name, relative: 2e-4) { try op($0[0]) }
    }

    @Test(arguments: 0..<13)
    func unaryGradientsMatchFiniteDifferences(index: Int) throws {
        let op = Self.unaryCases[index].1
        // Positive inputs away from every kink (0 for abs/relu, 6 for relu6, -1 and 2 for clamp).
        let input = randomTensor([3, 5], seed: UInt64(index), low: 0.1, high: 1.8)
        try checkGradients([input]) { try op($0[0]) }
    }

    @Test func tensorPowerBroadcastsWithGradients() throws {
        try checkGradients([randomTensor([2, 3], seed: 1, low: 0.5, high: 2), randomTensor([3], seed: 2)]) {
            try pow($0[0], $0[1])
        }
    }

    @Test func largeTensorsUseBothCoresAndAgree() throws {
        let x = randomTensor([300_000], seed: 3, low: -4, high: 4)
        let y = x.sigmoid().scalars
        for index in stride(from: 0, to: 300_000, by: 997) {
            #expect(abs(y[index] - 1 / (1 + expf(-x.scalars[index]))) < 1e-6)
        }
    }
}
