#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Weight initializers with PyTorch's definitions (`torch.nn.init`). Each fills a
/// tensor in place from the given generator, or the global one by default.
public enum Initializer {
    public enum FanMode: Sendable { case fanIn, fanOut }

    /// Whether layers fill their parameters when built; see ``withoutInitialization(_:)``.
    @TaskLocal public static var isEnabled = true

    /// Builds modules with zero-filled parameters instead of random ones, for when a
    /// checkpoint will overwrite them anyway (PyTorch's `skip_init`): VGG-16 has
    /// 138 million parameters to draw otherwise.
    public static func withoutInitialization<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false, operation: body)
    }

    /// Fan-in and fan-out as PyTorch computes them: `[out, in, k...]` gives
    /// `in * prod(k)` and `out * prod(k)`.
    public static func fans(of shape: [Int]) throws -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else {
            throw TensorError("fan-in/fan-out need a tensor with at least 2 dimensions, got \(shape)")
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`).
    public static func gain(forReLU leakySlope: Float? = nil) -> Float {
        guard let slope = leakySlope else { return Float(2).squareRoot() }
        return (2 / (1 + slope * slope)).squareRoot()
    }

    /// He initialization for ReLU networks: N(0, gain / sqrt(fan)); `leakySlope` selects
    /// leaky ReLU's gain (PyTorch's `a`).
    public static func kaimingNormal(_ tensor: Tensor, leakySlope: Float = 0, mode: FanMode = .fanIn,
                                     generator: inout RandomGenerator) throws {
        let std = gain(forReLU: leakySlope) / Float(try fan(tensor, mode)).squareRoot()
        fill(tensor) { _ in std * generator.nextNormal() }
    }

    /// He initialization, uniform: U(-b, b) with b = gain * sqrt(3 / fan).
    public static func kaimingUniform(_ tensor: Tensor, leakySlope: Float = 0, mode: FanMode = .fanIn,
                                      generator: inout RandomGenerator) throws {
        let bound = gain(forReLU: leakySlope) * (3 / Float(try fan(tensor, mode))).squareRoot()
        uniform(tensor, bound: bound, generator: &generator)
    }

    /// Glorot initialization: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ tensor: Tensor, gain: Float = 1, generator: inout RandomGenerator) throws {
        let (fanIn, fanOut) = try fans(of: tensor.shape)
        uniform(tensor, bound: gain * (6 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
    }

    /// Glorot initialization: N(0, gain * sqrt(2 / (fanIn + fanOut))).
    public static func xavierNormal(_ tensor: Tensor, gain: Float = 1, generator: inout RandomGenerator) throws {
        let (fanIn, fanOut) = try fans(of: tensor.shape)
        let std = gain * (2 / Float(fanIn + fanOut)).squareRoot()
        fill(tensor) { _ in std * generator.nextNormal() }
    }

    /// N(mean, std), truncated to [low, high] by redrawing, as `trunc_normal_`.
    public static func truncatedNormal(_ tensor: Tensor, mean: Float = 0, std: Float = 1, low: Float = -2,
                                       high: Float = 2, generator: inout RandomGenerator) {
        fill(tensor) { _ in
            var value: Float
            repeat { value = mean + std * generator.nextNormal() } while value < low || value > high
            return value
        }
    }

    /// U(-bound, bound).
    public static func uniform(_ tensor: Tensor, bound: Float, generator: inout RandomGenerator) {
        fill(tensor) { _ in (2 * generator.nextFloat() - 1) * bound }
    }

    public static func constant(_ tensor: Tensor, _ value: Float) {
        fill(tensor) { _ in value }
    }

    /// PyTorch's default for `Conv2d` and `Linear`: weights kaiming-uniform with
    /// a = sqrt(5) (so U(-1/sqrt(fanIn), 1/sqrt(fanIn))) and the bias from the same range.
    static func pytorchDefault(weight: Tensor, bias: Tensor?) throws {
        guard isEnabled else { return }
        // gain(a = sqrt(5)) * sqrt(3 / fanIn) simplifies to 1 / sqrt(fanIn).
        let bound = 1 / Float(try fans(of: weight.shape).fanIn).squareRoot()
        RandomGenerator.withGlobal { generator in
            uniform(weight, bound: bound, generator: &generator)
            if let bias { uniform(bias, bound: bound, generator: &generator) }
        }
    }

    private static func fan(_ tensor: Tensor, _ mode: FanMode) throws -> Int {
        let (fanIn, fanOut) = try fans(of: tensor.shape)
        return mode == .fanIn ? fanIn : fanOut
    }

    private static func fill(_ tensor: Tensor, _ value: (Int) -> Float) {
        tensor.withMutableFloats { buffer in
            for index in buffer.indices { buffer[index] = value(index) }
        }
    }
}
