import Dendrite

/// A model's results on a labelled data set: loss, accuracy, per-class accuracy, confusion matrix.
struct Evaluation: Codable {
    var count: Int
    var loss: Float
    var accuracy: Float
    var perClassAccuracy: [Float]
    /// `confusionMatrix[true][predicted]`.
    var confusionMatrix: [[Int]]

    static func run(model: any UnaryLayer, data: TensorDataset, classCount: Int) throws -> Evaluation {
        let metrics = try model.evaluate(data, loss: .crossEntropy, metrics: [.accuracy])
        let predictions = try model.predict(data.inputs).argmax(alongAxis: 1)
        let labels = data.targets.scalars.map { Int($0) }
        let matrix = try Dendrite.confusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        let perClass = matrix.enumerated().map { index, row -> Float in
            let total = row.reduce(0, +)
            return total == 0 ? .nan : Float(row[index]) / Float(total)
        }
        return Evaluation(count: data.count, loss: metrics["loss"] ?? .nan, accuracy: metrics["accuracy"] ?? .nan,
                          perClassAccuracy: perClass, confusionMatrix: matrix)
    }
}
