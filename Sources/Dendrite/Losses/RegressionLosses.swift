/// Mean squared error `mean((prediction − target)²)` (PyTorch's `MSELoss`).
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try checkSameShape(prediction, target, "meanSquaredError")
    return reduction.apply(try (prediction - target).squared())
}

/// The course's sum of squared errors `E = Σ(y − o)²`, or `½Σ(y − o)²` when `halved` (the form
/// whose derivative is `o − y`, used in the worked backpropagation example).
public func sumSquaredError(_ prediction: Tensor, _ target: Tensor, halved: Bool = false) throws -> Tensor {
    try checkSameShape(prediction, target, "sumSquaredError")
    let total = try (target - prediction).squared().sum()
    return halved ? total * 0.5 : total
}

/// Mean absolute error `mean(|prediction − target|)` (PyTorch's `L1Loss`).
public func l1Loss(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try checkSameShape(prediction, target, "l1Loss")
    return reduction.apply(try (prediction - target).abs())
}

/// Huber loss (PyTorch's `HuberLoss`): `½d²` where `|d| ≤ δ`, `δ·(|d| − ½δ)` elsewhere, `d = prediction − target`.
public func huberLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 1, reduction: LossReduction = .mean) throws -> Tensor {
    try checkSameShape(prediction, target, "huberLoss")
    guard delta > 0 else {
        throw DendriteError.invalidArgument(operation: "huberLoss", argument: "delta \(delta)", reason: "must be positive")
    }
    let difference = try prediction - target
    let magnitude = difference.abs()
    // min(|d|, δ) keeps the quadratic part; the rest is linear.
    let quadratic = magnitude.clamped(max: delta)
    let linear = try magnitude - quadratic
    return reduction.apply(try quadratic.squared() * 0.5 + linear * delta)
}

func checkSameShape(_ prediction: Tensor, _ target: Tensor, _ operation: String) throws {
    guard prediction.shape == target.shape else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "target of the prediction's shape \(prediction.shape)",
                                          got: "\(target.shape)")
    }
}
