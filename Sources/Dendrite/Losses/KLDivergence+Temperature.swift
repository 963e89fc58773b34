/// The distillation divergence between a student and a teacher at temperature `T`, one fused op:
/// `T² · (1/N) · Σ_n KL(softmax(teacher_n/T) ‖ softmax(student_n/T))`.
///
/// This is Hinton et al.'s soft-target term and equals PyTorch's
/// `T*T * F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), reduction="batchmean")`. The `T²`
/// keeps its gradient, `∂/∂student = (T/N)·(softmax(student/T) − softmax(teacher/T))`, on the scale of
/// a hard-label cross-entropy as `T` changes. Both log-softmaxes are max-subtracted, so logits of
/// ±1000 stay finite. The teacher is a constant: it receives no gradient.
///
/// - Parameters:
///   - studentLogits: `[N, C]`.
///   - teacherLogits: `[N, C]`.
///   - temperature: `T > 0`; `1` compares the plain softmaxes.
/// - Returns: a scalar (rank 0).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` (`"klDivergence"`) unless both are
///   the same `[N, C]`; ``DendriteError/invalidArgument(operation:argument:reason:)`` for `T ≤ 0` or not finite.
public func klDivergence(studentLogits: Tensor, teacherLogits: Tensor, temperature: Float = 1) throws -> Tensor {
    guard studentLogits.rank == 2, studentLogits.shape == teacherLogits.shape else {
        throw DendriteError.shapeMismatch(operation: "klDivergence", expected: "student and teacher logits of one [N, C] shape",
                                          got: "student \(studentLogits.shape), teacher \(teacherLogits.shape)")
    }
    guard temperature > 0, temperature.isFinite else {
        throw DendriteError.invalidArgument(operation: "klDivergence", argument: "temperature \(temperature)",
                                            reason: "must be positive and finite")
    }
    let (rows, classes) = (studentLogits.shape[0], studentLogits.shape[1])
    let (divergences, gradient) = LossKernels.distillationDivergence(
        student: studentLogits, teacher: teacherLogits, rows: rows, columns: classes, temperature: temperature)
    let scale = temperature * temperature / Float(Swift.max(rows, 1))
    let total = Tensor(Float(divergences.reduce(0.0) { $0 + Double($1) }) * scale)
    return total.recorded("klDivergence", [studentLogits]) { g in [gradient * (g.scalars[0] * scale)] }
}
