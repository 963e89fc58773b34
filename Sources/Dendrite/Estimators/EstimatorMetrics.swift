import Foundation

/// scikit-learn's `log_loss`: the mean of `−log p[row, label]` over rows, probabilities `[N, C]`
/// (columns in `classes` order) clipped to `[ε, 1 − ε]` (ε of `Float`) and each row renormalized.
///
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` for mismatched shapes and
///   ``DendriteError/invalidArgument(operation:argument:reason:)`` for a label not in `classes`.
public func logLoss(probabilities: Tensor, labels: Tensor, classes: [Float]) throws -> Double {
    guard probabilities.rank == 2, labels.rank == 1, probabilities.shape[0] == labels.shape[0], probabilities.shape[1] == classes.count,
          labels.shape[0] > 0 else {
        throw DendriteError.shapeMismatch(operation: "logLoss", expected: "probabilities [N, \(classes.count)] and labels [N]",
                                          got: "\(probabilities.shape) and \(labels.shape)")
    }
    let index = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    let (p, width, eps) = (probabilities.scalars, classes.count, Double(Float.ulpOfOne))
    var total = 0.0
    for (row, label) in labels.scalars.enumerated() {
        guard let column = index[label] else {
            throw DendriteError.invalidArgument(operation: "logLoss", argument: "labels", reason: "label \(label) is not one of \(classes)")
        }
        let clipped = (0..<width).map { Swift.min(Swift.max(Double(p[row * width + $0]), eps), 1 - eps) }
        total -= Foundation.log(clipped[column] / clipped.reduce(0, +))
    }
    return total / Double(labels.shape[0])
}

/// The mean of `(ŷ − y)²` over every element (scikit-learn's `mean_squared_error`, uniform over outputs).
public func meanSquaredErrorScore(predicted: Tensor, targets: Tensor) throws -> Double {
    guard predicted.shape == targets.shape, predicted.count > 0 else {
        throw DendriteError.shapeMismatch(operation: "meanSquaredErrorScore", expected: "two tensors of one shape",
                                          got: "\(predicted.shape) and \(targets.shape)")
    }
    return zip(predicted.scalars, targets.scalars).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(predicted.count)
}
