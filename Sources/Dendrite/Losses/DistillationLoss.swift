/// Knowledge distillation (Hinton et al.): `α · T² · KL(softmax(teacher/T) ‖ softmax(student/T))
/// + (1 − α) · crossEntropy(student, labels)`. The teacher's logits receive no gradient.
public struct DistillationLoss: Sendable {
    /// Softening temperature T (> 0).
    public let temperature: Float
    /// Weight α of the distillation term, in `[0, 1]`.
    public let alpha: Float

    /// Creates the loss.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for T ≤ 0 or α outside [0, 1].
    public init(temperature: Float, alpha: Float) throws {
        guard temperature > 0, (0...1).contains(alpha) else {
            throw DendriteError.invalidArgument(operation: "DistillationLoss", argument: "temperature \(temperature), alpha \(alpha)",
                                                reason: "needs temperature > 0 and alpha in [0, 1]")
        }
        self.temperature = temperature
        self.alpha = alpha
    }

    /// The loss for student logits `[N, C]`, teacher logits `[N, C]` and class indices `[N]`.
    public func callAsFunction(studentLogits: Tensor, teacherLogits: Tensor, labels: Tensor) throws -> Tensor {
        let soft = try klDivergence(studentLogits: studentLogits, teacherLogits: teacherLogits, temperature: temperature)
        let hard = try crossEntropy(logits: studentLogits, labels: labels)
        return try soft * alpha + hard * (1 - alpha)
    }
}
