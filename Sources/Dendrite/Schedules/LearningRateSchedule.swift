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

/// Throws the typed error for a schedule argument that is out of range.
private func requireArgument(_ condition: Bool, _ schedule: String, _ argument: String, _ reason: String) throws {
    guard condition else { throw DendriteError.invalidArgument(operation: schedule, argument: argument, reason: reason) }
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
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `stepSize < 1`
    ///   or `gamma` is negative or not finite.
    public init(stepSize: Int, gamma: Float = 0.1) throws {
        try requireArgument(stepSize >= 1, "StepDecay", "stepSize \(stepSize)", "must be at least 1")
        try requireArgument(gamma.isFinite && gamma >= 0, "StepDecay", "gamma \(gamma)", "must be finite and ≥ 0")
        self.stepSize = stepSize
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
    /// Creates the schedule (milestones in any order; a repeated one counts twice, as PyTorch's).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative
    ///   milestone or a `gamma` that is negative or not finite.
    public init(milestones: [Int], gamma: Float = 0.1) throws {
        if let negative = milestones.first(where: { $0 < 0 }) {
            try requireArgument(false, "MultiStepDecay", "milestone \(negative)", "must be ≥ 0")
        }
        try requireArgument(gamma.isFinite && gamma >= 0, "MultiStepDecay", "gamma \(gamma)", "must be finite and ≥ 0")
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
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` unless `gamma` is
    ///   finite and positive.
    public init(gamma: Float) throws {
        try requireArgument(gamma.isFinite && gamma > 0, "ExponentialDecay", "gamma \(gamma)", "must be finite and > 0")
        self.gamma = gamma
    }
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
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `total < 1` or
    ///   `minimum` is negative or not finite.
    public init(total: Int, minimum: Float = 0) throws {
        try requireArgument(total >= 1, "CosineDecay", "total \(total)", "must be at least 1")
        try requireArgument(minimum.isFinite && minimum >= 0, "CosineDecay", "minimum \(minimum)", "must be finite and ≥ 0")
        self.total = total
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
    /// The cosine part, over `total − warmup`.
    private let decay: CosineDecay
    /// Creates the schedule.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `warmup < 0`,
    ///   `total ≤ warmup`, or `minimum` is negative or not finite.
    public init(warmup: Int, total: Int, minimum: Float = 0) throws {
        try requireArgument(warmup >= 0, "WarmupCosineDecay", "warmup \(warmup)", "must be ≥ 0")
        try requireArgument(total > warmup, "WarmupCosineDecay", "total \(total)", "must exceed the warm-up (\(warmup))")
        try requireArgument(minimum.isFinite && minimum >= 0, "WarmupCosineDecay", "minimum \(minimum)", "must be finite and ≥ 0")
        self.warmup = warmup
        self.total = total
        self.minimum = minimum
        decay = try CosineDecay(total: total - warmup, minimum: minimum)
    }
    public func learningRate(at index: Int, initial: Float) -> Float {
        if index < warmup { return initial * Float(index + 1) / Float(warmup) }
        return decay.learningRate(at: index - warmup, initial: initial)
    }
}
