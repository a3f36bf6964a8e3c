#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning-rate schedule: a plain function from a group's base rate and the step
/// (or epoch) count to the rate to use, with the values of PyTorch's schedulers.
public struct LearningRateSchedule: Sendable {
    public let rate: @Sendable (_ base: Float, _ step: Int) -> Float

    public init(_ rate: @escaping @Sendable (_ base: Float, _ step: Int) -> Float) { self.rate = rate }

    public func callAsFunction(base: Float, step: Int) -> Float { rate(base, max(step, 0)) }

    /// Sets every group's rate for `step`, from the base rates the groups started with.
    public func apply(to optimizer: any ParameterOptimizer, baseRates: [Float], step: Int) {
        for index in optimizer.groups.indices { optimizer.groups[index].learningRate = self(base: baseRates[index], step: step) }
    }

    public static let constant = LearningRateSchedule { base, _ in base }

    /// Multiplies by `gamma` every `stepSize` steps (`StepLR`).
    public static func step(size stepSize: Int, gamma: Float = 0.1) throws -> LearningRateSchedule {
        guard stepSize > 0 else { throw TensorError("step schedule: step size must be positive, got \(stepSize)") }
        return LearningRateSchedule { base, step in base * powf(gamma, Float(step / stepSize)) }
    }

    /// Multiplies by `gamma` at each milestone (`MultiStepLR`).
    public static func multiStep(milestones: [Int], gamma: Float = 0.1) -> LearningRateSchedule {
        LearningRateSchedule { base, step in base * powf(gamma, Float(milestones.filter { $0 <= step }.count)) }
    }

    /// Multiplies by `gamma` every step (`ExponentialLR`).
    public static func exponential(gamma: Float) -> LearningRateSchedule {
        LearningRateSchedule { base, step in base * powf(gamma, Float(step)) }
    }

    /// Half a cosine from the base rate down to `minimum` over `period` steps (`CosineAnnealingLR`).
    public static func cosine(period: Int, minimum: Float = 0) throws -> LearningRateSchedule {
        guard period > 0 else { throw TensorError("cosine schedule: period must be positive, got \(period)") }
        return LearningRateSchedule { base, step in cosineBlend(from: base, to: minimum, fraction: Double(step) / Double(period)) }
    }

    /// Cosine annealing restarted after `firstPeriod` steps, each period `periodMultiplier`
    /// times longer (`CosineAnnealingWarmRestarts`).
    public static func cosineWithRestarts(firstPeriod: Int, periodMultiplier: Int = 1,
                                          minimum: Float = 0) throws -> LearningRateSchedule {
        guard firstPeriod > 0, periodMultiplier >= 1 else {
            throw TensorError("cosine restarts: first period must be positive and the multiplier at least 1, got "
                + "\(firstPeriod) and \(periodMultiplier)")
        }
        return LearningRateSchedule { base, step in
            // A constant period is a remainder; growing periods are few (logarithmic in the step).
            var (position, period) = (periodMultiplier == 1 ? step % firstPeriod : step, firstPeriod)
            while position >= period {
                position -= period
                period *= periodMultiplier
            }
            return cosineBlend(from: base, to: minimum, fraction: Double(position) / Double(period))
        }
    }

    /// Smith's one-cycle policy (`OneCycleLR`, cosine, two phases): from base/`divFactor` up
    /// to the base rate (the peak) over `warmFraction` of `totalSteps`, then down to
    /// base/(`divFactor` * `finalDivFactor`).
    public static func oneCycle(totalSteps: Int, warmFraction: Float = 0.3, divFactor: Float = 25,
                                finalDivFactor: Float = 1e4) throws -> LearningRateSchedule {
        guard totalSteps > 1, (0..<1).contains(warmFraction), divFactor > 0, finalDivFactor > 0 else {
            throw TensorError("one-cycle: needs more than one step, a warm fraction in [0, 1) and positive divisors; got "
                + "\(totalSteps) steps, fraction \(warmFraction), divisors \(divFactor) and \(finalDivFactor)")
        }
        return LearningRateSchedule { peak, step in
            let initial = peak / divFactor, final = initial / finalDivFactor
            let warmEnd = Double(warmFraction) * Double(totalSteps) - 1, end = Double(totalSteps - 1), t = Double(step)
            // Both phases give the peak at `warmEnd`; a strict comparison never divides by a zero-length warm-up.
            return t < warmEnd ? cosineBlend(from: initial, to: peak, fraction: t / warmEnd)
                : cosineBlend(from: peak, to: final, fraction: (t - warmEnd) / (end - warmEnd))
        }
    }

    /// This schedule after `steps` of linear warm-up from `startFactor` of the base rate
    /// (PyTorch's `SequentialLR` of `LinearLR` then this schedule).
    public func withLinearWarmup(steps: Int, startFactor: Float = 0.1) -> LearningRateSchedule {
        let after = self
        return LearningRateSchedule { base, step in
            step < steps ? base * (startFactor + (1 - startFactor) * Float(step) / Float(steps))
                : after(base: base, step: step - steps)
        }
    }
}

/// Half a cosine from `start` (at fraction 0) to `end` (at fraction 1), in double
/// precision as PyTorch computes it: near the end the rate is a small difference of
/// larger terms.
private func cosineBlend(from start: Float, to end: Float, fraction: Double) -> Float {
    Float(Double(end) + (Double(start) - Double(end)) * (1 + cos(Double.pi * fraction)) / 2)
}

/// Lowers the learning rate when a metric stops improving (`ReduceLROnPlateau`): after
/// `patience` epochs without an improvement beyond `threshold` (relative), rates are
/// multiplied by `factor`, then nothing changes for `cooldown` epochs.
public final class ReduceOnPlateau {
    public enum Mode: Sendable { case minimize, maximize }

    public let mode: Mode
    public let factor, threshold, minimumRate: Float
    public let patience, cooldown: Int
    private var best: Float?
    private var badEpochs = 0
    private var cooldownLeft = 0

    public init(mode: Mode = .minimize, factor: Float = 0.1, patience: Int = 10, threshold: Float = 1e-4,
                cooldown: Int = 0, minimumRate: Float = 0) throws {
        guard factor < 1, factor > 0, patience >= 0, threshold >= 0, cooldown >= 0, minimumRate >= 0 else {
            throw TensorError("reduce-on-plateau: factor must be in (0, 1) and patience, threshold, cooldown and minimum "
                + "rate non-negative; got factor \(factor), patience \(patience), threshold \(threshold), cooldown "
                + "\(cooldown), minimum \(minimumRate)")
        }
        (self.mode, self.factor, self.patience, self.threshold, self.cooldown, self.minimumRate) =
            (mode, factor, patience, threshold, cooldown, minimumRate)
    }

    /// Records this epoch's metric and returns the (possibly reduced) rates.
    public func step(metric: Float, rates: [Float]) -> [Float] {
        let improved = best.map { mode == .minimize ? metric < $0 * (1 - threshold) : metric > $0 * (1 + threshold) } ?? true
        if improved {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return rates }
        badEpochs = 0
        cooldownLeft = cooldown
        return rates.map { max($0 * factor, minimumRate) }
    }
}
