/// scikit-learn's `StandardScaler`: each feature shifted by its mean and divided by its
/// (biased) standard deviation, a feature without variance divided by 1.
public struct StandardScaler {
    /// `mean_` `[features]` (zeros without centering).
    public private(set) var mean = Tensor(0)
    /// `scale_` `[features]` (ones without scaling).
    public private(set) var scale = Tensor(0)
    /// `with_mean`, `with_std`.
    public let withMean: Bool, withStandardDeviation: Bool
    private var fitted = false

    /// Creates an unfitted scaler.
    public init(withMean: Bool = true, withStandardDeviation: Bool = true) {
        self.withMean = withMean
        self.withStandardDeviation = withStandardDeviation
    }

    /// Learns the means and scales of `x` `[N, features]`.
    public mutating func fit(_ x: Tensor) throws {
        guard x.rank == 2, x.shape[0] >= 1, ReductionKernels.allFinite(x) else {
            throw DendriteError.shapeMismatch(operation: "StandardScaler", expected: "finite inputs [N ≥ 1, features]", got: "\(x.shape)")
        }
        let features = x.shape[1]
        let columnMean = try x.mean(alongAxes: [0])
        mean = withMean ? columnMean : Tensor.filled([features], 0)
        let deviation = try (x - columnMean).squared().mean(alongAxes: [0]).sqrt()
        scale = withStandardDeviation ? Tensor(deviation.scalars.map { $0 > 0 ? $0 : 1 }) : Tensor.filled([features], 1)
        fitted = true
    }

    /// `(x − mean) / scale`.
    public func transform(_ x: Tensor) throws -> Tensor {
        try checked(x)
        return try (x - mean) / scale
    }

    /// `fit` then `transform`.
    public mutating func fitTransform(_ x: Tensor) throws -> Tensor {
        try fit(x)
        return try transform(x)
    }

    /// `x·scale + mean`.
    public func inverseTransform(_ x: Tensor) throws -> Tensor {
        try checked(x)
        return try x * scale + mean
    }

    private func checked(_ x: Tensor) throws {
        guard fitted else { throw DendriteError.invalidArgument(operation: "StandardScaler", argument: "scaler", reason: "is not fitted yet") }
        guard x.rank == 2, x.shape[1] == mean.count else {
            throw DendriteError.shapeMismatch(operation: "StandardScaler", expected: "inputs [N, \(mean.count)]", got: "\(x.shape)")
        }
    }
}
