extension MLPEstimator {
    /// The loss curve (and, with early stopping, the validation scores) as a standalone SVG, in
    /// the style of `History.learningCurvesSVG` (the score in its accuracy panel).
    public func lossCurveSVG(title: String = "Loss curve") -> String {
        var history = History()
        for (index, loss) in lossCurve.enumerated() {
            let score = index < validationScores.count ? ["accuracy": Float(validationScores[index])] : [:]
            history.records.append(EpochRecord(epoch: index + 1, loss: Float(loss), metrics: [:], validationLoss: nil,
                                               validationMetrics: score, learningRate: hyperparameters.learningRateInit,
                                               seconds: 0, samplesPerSecond: 0))
        }
        return history.learningCurvesSVG(title: title)
    }
}
