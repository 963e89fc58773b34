/// scikit-learn's `MLPClassifier` with its parameters, defaults and numbers: a multilayer
/// perceptron trained on log-loss — softmax output for several classes, one logistic output for
/// two, one logistic output per label for multilabel targets.
///
/// ```swift
/// var settings = MLPHyperparameters()
/// settings.hiddenLayerSizes = [100]
/// settings.randomState = 1
/// let classifier = MLPClassifier(settings)
/// try classifier.fit(x, labels)                    // x [N, features], labels [N] (any Float values)
/// let accuracy = try classifier.score(xTest, labelsTest)
/// ```
public final class MLPClassifier: MLPEstimator {
    /// `classes_`: the sorted distinct labels (multilabel: the label columns 0, 1, …).
    public private(set) var classes: [Float] = []
    private var isMultilabel = false

    /// Creates the classifier (scikit-learn's defaults unless given).
    public init(_ hyperparameters: MLPHyperparameters = MLPHyperparameters()) {
        super.init(hyperparameters, name: "MLPClassifier")
    }

    /// Fits on inputs `[N, features]` and labels `[N]` (or a 0/1 indicator matrix `[N, labels]`
    /// for multilabel). With `earlyStopping`, `validation` replaces the stratified
    /// `validationFraction` split (for a split made elsewhere).
    ///
    /// - Throws: ``DendriteError`` naming the estimator for bad shapes, non-finite inputs, fewer
    ///   than two classes or invalid hyperparameters.
    public func fit(_ x: Tensor, _ labels: Tensor, validation: (inputs: Tensor, labels: Tensor)? = nil) throws {
        try checkInputs(x, fitted: false)
        if training.network == nil || !hyperparameters.warmStart { try learnClasses(labels, rows: x.shape[0]) }
        try fitLabels(x, labels, incremental: false, validation: validation)
    }

    /// One epoch over `x` (scikit-learn's `partial_fit`); the first call needs `classes` (every
    /// label that will ever appear).
    public func partialFit(_ x: Tensor, _ labels: Tensor, classes: [Float]? = nil) throws {
        try checkInputs(x, fitted: false)
        if training.network == nil {
            guard let classes else {
                throw DendriteError.invalidArgument(operation: "MLPClassifier.partialFit", argument: "classes",
                                                    reason: "the first call needs every class")
            }
            try learnClasses(try Tensor(classes), rows: nil)
        }
        try fitLabels(x, labels, incremental: true, validation: nil)
    }

    /// Starts from these weights (scikit-learn's `coefs_`/`intercepts_` layout) and `classes`; a
    /// `fit` with `warmStart` then continues from them.
    public func setWeights(coefs: [Tensor], intercepts: [Tensor], classes: [Float]) throws {
        try learnClasses(try Tensor(classes), rows: nil)
        try install(coefs: coefs, intercepts: intercepts, output: output)
    }

    /// Class probabilities `[N, classes]` (binary: `[1 − p, p]`; multilabel: each label's p).
    public func predictProbabilities(_ x: Tensor) throws -> Tensor {
        try checkInputs(x, fitted: true)
        return try probabilities(training.network!, x)
    }

    /// Predicted labels `[N]` (multilabel: the indicator matrix).
    public func predict(_ x: Tensor) throws -> Tensor {
        try checkInputs(x, fitted: true)
        return try labels(training.network!, x)
    }

    /// Mean accuracy (multilabel: the share of rows with every label right).
    public func score(_ x: Tensor, _ labels: Tensor) throws -> Double {
        try checkInputs(x, fitted: true)
        return try accuracy(training.network!, x, labels)
    }

    private func probabilities(_ network: Perceptron, _ x: Tensor) throws -> Tensor {
        let p = try network.predict(x)
        guard classes.count == 2, !isMultilabel else { return p }
        return try Tensor.concat([1 - p, p], alongAxis: 1)
    }

    private func labels(_ network: Perceptron, _ x: Tensor) throws -> Tensor {
        let p = try probabilities(network, x)
        if isMultilabel { return p.greater(0.5) }
        return try Tensor(try p.argmax(alongAxis: 1).map { classes[$0] })
    }

    private func accuracy(_ network: Perceptron, _ x: Tensor, _ labels: Tensor) throws -> Double {
        let predicted = try self.labels(network, x)
        guard predicted.shape == labels.shape else {
            throw DendriteError.shapeMismatch(operation: "MLPClassifier.score", expected: "labels \(predicted.shape)", got: "\(labels.shape)")
        }
        let rows = labels.shape[0], width = labels.count / Swift.max(rows, 1)
        let (p, y) = (predicted.scalars, labels.scalars)
        let right = (0..<rows).filter { row in (0..<width).allSatisfy { p[row * width + $0] == y[row * width + $0] } }.count
        return Double(right) / Double(rows)
    }

    private var output: Perceptron.Output { isMultilabel || classes.count == 2 ? .logistic : .softmax }

    private func learnClasses(_ labels: Tensor, rows: Int?) throws {
        if labels.rank == 2 {
            isMultilabel = true
            classes = (0..<labels.shape[1]).map(Float.init)
            guard labels.scalars.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw DendriteError.invalidArgument(operation: name, argument: "labels", reason: "a 2-D target must be a 0/1 indicator matrix")
            }
            return
        }
        isMultilabel = false
        classes = Array(Set(labels.scalars)).sorted()
        guard classes.count >= 2 else {
            throw DendriteError.invalidArgument(operation: name, argument: "labels", reason: "needs at least 2 classes, got \(classes)")
        }
    }

    /// One-hot (several classes), one 0/1 column (two) or the indicator matrix itself.
    private func encode(_ labels: Tensor, rows: Int) throws -> Tensor {
        guard labels.shape.first == rows, labels.rank == (isMultilabel ? 2 : 1) else {
            throw DendriteError.shapeMismatch(operation: name, expected: isMultilabel ? "labels [\(rows), \(classes.count)]" : "labels [\(rows)]",
                                              got: "\(labels.shape)")
        }
        if isMultilabel { return labels }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var encoded = [Float](repeating: 0, count: rows * (classes.count == 2 ? 1 : classes.count))
        for (row, label) in labels.scalars.enumerated() {
            guard let column = index[label] else {
                throw DendriteError.invalidArgument(operation: name, argument: "labels", reason: "label \(label) is not one of the classes \(classes)")
            }
            if classes.count == 2 { encoded[row] = Float(column) } else { encoded[row * classes.count + column] = 1 }
        }
        return try Tensor(shape: [rows, classes.count == 2 ? 1 : classes.count], scalars: encoded)
    }

    private func fitLabels(_ x: Tensor, _ labels: Tensor, incremental: Bool, validation: (inputs: Tensor, labels: Tensor)?) throws {
        var (trainX, trainLabels) = (x, labels)
        var held = validation
        if hyperparameters.earlyStopping && held == nil {
            let split = try trainTestSplit(count: x.shape[0], testFraction: hyperparameters.validationFraction,
                                           stratifyBy: isMultilabel ? nil : labels.scalars, generator: &generator)
            (trainX, trainLabels) = (x.gatheringRows(split.train), labels.gatheringRows(split.train))
            held = (x.gatheringRows(split.test), labels.gatheringRows(split.test))
            guard split.test.count >= 2 else {
                throw DendriteError.invalidArgument(operation: name, argument: "validationFraction",
                                                    reason: "the validation set is too small; increase it or the data")
            }
        }
        let targets = try encode(trainLabels, rows: trainX.shape[0])
        let score: ((Perceptron) throws -> Double)? = hyperparameters.earlyStopping ? { [unowned self] network in
            try self.accuracy(network, held!.inputs, held!.labels)
        } : nil
        try fitEncoded(trainX, targets, output: output, incremental: incremental, validation: score, validationInputs: held?.inputs)
    }
}
