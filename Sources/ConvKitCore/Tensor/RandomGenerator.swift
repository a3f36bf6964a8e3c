import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable generator (xoshiro256**), so that a seed reproduces a run.
///
/// Pass one `inout` where reproducibility matters; the global instance behind
/// ``manualSeed(_:)`` serves default initialization and dropout, like `torch.manual_seed`.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// The second value of the last Box-Muller pair, returned by the next `nextNormal()`.
    private var spareNormal: Float?

    public init(seed: UInt64) {
        // SplitMix64 spreads any seed, including 0, over the four state words.
        var mixer = seed
        func next() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = (state.3 << 45) | (state.3 >> 19)
        return result
    }

    /// Uniform in `[0, 1)` with 24 random bits, the full precision of a Float mantissa.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by the Box-Muller transform.
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1: Float
        repeat { u1 = nextFloat() } while u1 <= Float.leastNormalMagnitude
        let u2 = nextFloat()
        let radius = (-2 * logf(u1)).squareRoot()
        let angle = 2 * Float.pi * u2
        spareNormal = radius * sinf(angle)
        return radius * cosf(angle)
    }

    /// Uniform integer in `0..<upperBound`.
    public mutating func nextInt(below upperBound: Int) -> Int {
        Int.random(in: 0..<upperBound, using: &self)
    }

    private static let global = Mutex(RandomGenerator(seed: 0x5EED))

    /// Runs `body` with exclusive access to the global generator.
    public static func withGlobal<R, E: Error>(_ body: (inout RandomGenerator) throws(E) -> R) throws(E) -> R {
        try global.withLock { (generator) throws(E) -> R in try body(&generator) }
    }

    /// Reseeds the global generator, as `torch.manual_seed`.
    public static func manualSeed(_ seed: UInt64) {
        global.withLock { $0 = RandomGenerator(seed: seed) }
    }
}
