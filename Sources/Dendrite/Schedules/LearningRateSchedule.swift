#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A learning rate as a function of the epoch (or step) index and the initial rate.
public protocol LearningRateSchedule {
    /// The learning rate at 0-based `index` (epoch or step) for initial rate `initial`.
    func learningRate(at index: Int, initial: Float) -> Float
}

/// The initial rate throughout.
public struct ConstantSchedule: LearningRateSchedule {
    /// Creates the schedule.
    public init() {}
    public func learningRate(at index: Int, initial: Float) -> Float { initial }
}

/// `η₀ · γ^⌊index / stepSize⌋` (PyTorch's `StepLR`).
public struct StepDecay: LearningRateSchedule {
    /// Epochs between decays.
    public let stepSize: Int
    /// Factor per decay.
    public let gamma: Float
    /// Creates the schedule.
    public init(stepSize: Int, gamma: Float = 0.1) {
        self.stepSize = Swift.max(stepSize, 1)
        self.gamma = gamma
    }
    public func learningRate(at index: Int, initial: Float) -> Float {
        initial * Float(Double(gamma).power(index / stepSize))
    }
}

/// `η₀ · γ^(number of milestones ≤ index)` (PyTorch's `MultiStepLR`).
public struct MultiStepDecay: LearningRateSchedule {
    /// Epochs at which the rate is multiplied by `gamma`.
    public let milestones: [Int]
    /// Factor per milestone.
    public let gamma: Float
    /// Creates the schedule.
    public init(milestones: [Int], gamma: Float = 0.1) {
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }
    public func learningRate(at index: Int, initial: Float) -> Float {
        initial * Float(Double(gamma).power(milestones.filter { $0 <= index }.count))
    }
}

/// `η₀ · γ^index` (PyTorch's `ExponentialLR`).
public struct ExponentialDecay: LearningRateSchedule {
    /// Factor per epoch.
    public let gamma: Float
    /// Creates the schedule.
    public init(gamma: Float) { self.gamma = gamma }
    public func learningRate(at index: Int, initial: Float) -> Float { initial * Float(Double(gamma).power(index)) }
}

/// The course's cosine decay: `η_min + (η₀ − η_min) · ½(1 + cos(π · index / total))`, equal to
/// PyTorch's `CosineAnnealingLR` with `T_max = total` (held at `η_min` after `total`).
public struct CosineDecay: LearningRateSchedule {
    /// Epochs (or steps) to decay over.
    public let total: Int
    /// The final rate η_min.
    public let minimum: Float
    /// Creates the schedule.
    public init(total: Int, minimum: Float = 0) {
        self.total = Swift.max(total, 1)
        self.minimum = minimum
    }
    public func learningRate(at index: Int, initial: Float) -> Float {
        let progress = Double(Swift.min(index, total)) / Double(total)
        return minimum + (initial - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// Linear warm-up to η₀ over `warmup` indices (`η₀·(index + 1)/warmup`), then cosine decay to
/// `minimum` over the remaining `total − warmup`.
public struct WarmupCosineDecay: LearningRateSchedule {
    /// Warm-up length.
    public let warmup: Int
    /// Total length including warm-up.
    public let total: Int
    /// Final rate.
    public let minimum: Float
    /// Creates the schedule.
    public init(warmup: Int, total: Int, minimum: Float = 0) {
        self.warmup = Swift.max(warmup, 0)
        self.total = Swift.max(total, warmup + 1)
        self.minimum = minimum
    }
    public func learningRate(at index: Int, initial: Float) -> Float {
        if index < warmup { return initial * Float(index + 1) / Float(warmup) }
        return CosineDecay(total: total - warmup, minimum: minimum).learningRate(at: index - warmup, initial: initial)
    }
}
