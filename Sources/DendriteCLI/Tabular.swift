import ArgumentParser
import Dendrite
import Foundation

/// `dendrite tabular`: fits a scikit-learn–style estimator on a CSV file, reports its test score,
/// saves it and predicts on another file.
struct Tabular: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit MLPClassifier, MLPRegressor, LogisticRegression, LinearRegression or Ridge on a CSV file.",
        discussion: """
        Parameters use scikit-learn's names: --param hidden_layer_sizes=64,32 --param alpha=0.001 \
        --param solver=lbfgs (MLPs: every MLPClassifier/MLPRegressor parameter; logistic: C, max_iter, tol, \
        fit_intercept; ridge: alpha, fit_intercept; linear: fit_intercept). The run folder (--out) gets \
        model.safetensors, model.json, loss_curve.svg (stochastic MLP solvers) and predictions.csv (--predict).
        """
    )

    /// The estimators `--estimator` names.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case mlpClassifier = "mlp-classifier", mlpRegressor = "mlp-regressor", logistic, linear, ridge
        var isClassifier: Bool { self == .mlpClassifier || self == .logistic }
    }

    @Option(help: "Training CSV (a header row naming the columns, numeric fields).") var csv: String
    @Option(help: "The target column: its header name or 0-based index.") var target: String
    @Option(help: "mlp-classifier, mlp-regressor, logistic, linear or ridge.") var estimator: Kind
    @Option(name: .customLong("param"), help: "name=value in scikit-learn's names (repeatable).") var parameters: [String] = []
    @Option(help: "Test CSV (default: a split of --csv).") var test: String?
    @Option(name: .customLong("test-fraction"), help: "Held-out share of --csv without --test (stratified for classifiers).")
    var testFraction = 0.25
    @Flag(help: "Standardize the features (StandardScaler fitted on the training rows).") var standardize = false
    @Option(help: "Seed of the train/test split.") var seed: UInt64 = 0
    @Option(help: "Run folder.") var out = "runs/tabular"
    @Option(help: "CSV to predict (with or without the target column); writes predictions.csv.") var predict: String?
    @Option(help: "A sensitive feature column (header name): per-group accuracy, positive rate, TPR and FPR, and their gaps.")
    var sensitive: String?
    @Flag(help: "With --sensitive: also fit on training rows reweighed so that group and label are independent, and compare.")
    var reweigh = false

    func run() throws {
        do { try execute() } catch let error as DendriteError { throw ValidationError(error.description) }
    }

    private func labelColumn() -> CSV.LabelColumn { Int(target).map(CSV.LabelColumn.index) ?? .named(target) }

    private func execute() throws {
        let data = try CSV.read(csv, label: labelColumn())
        var (trainX, trainY) = (data.inputs, data.targets)
        var testX: Tensor, testY: Tensor
        if let test {
            let held = try CSV.read(test, label: labelColumn())
            (testX, testY) = (held.inputs, held.targets)
        } else {
            var generator = RandomGenerator(seed: seed)
            let split = try trainTestSplit(count: data.count, testFraction: testFraction,
                                           stratifyBy: estimator.isClassifier ? data.targets.scalars : nil, generator: &generator)
            (trainX, trainY) = (data.inputs.gatheringRows(split.train), data.targets.gatheringRows(split.train))
            (testX, testY) = (data.inputs.gatheringRows(split.test), data.targets.gatheringRows(split.test))
        }
        guard testX.shape.last == trainX.shape.last else {
            throw ValidationError("\(test ?? csv): \(testX.shape.last ?? 0) features, the training data has \(trainX.shape.last ?? 0)")
        }
        guard !reweigh || sensitive != nil else { throw ValidationError("--reweigh needs --sensitive COLUMN") }
        let groupIndex = try sensitive.map { try featureIndex(of: $0) }
        func groups(_ x: Tensor) -> [Float] {
            guard let groupIndex else { return [] }
            let width = x.shape.last ?? 1, values = x.scalars
            return (0..<(x.shape.first ?? 0)).map { values[$0 * width + groupIndex] }
        }
        let (trainGroups, testGroups) = (groups(trainX), groups(testX))
        var scaler: StandardScaler?
        if standardize {
            var fitted = StandardScaler()
            trainX = try fitted.fitTransform(trainX)
            testX = try fitted.transform(testX)
            scaler = fitted
        }
        var model = try TabularModel(estimator, parameters: try TabularParameters(parameters))
        let start = ContinuousClock.now
        try model.fit(trainX, trainY, progress: ProgressBar())
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let score = try model.score(testX, testY)
        print("\(estimator.rawValue) on \(csv): \(trainX.shape[0]) training rows, \(trainX.shape[1]) features, fitted in "
              + "\(String(format: "%.3f", seconds)) s\(model.iterations.map { " (\($0) iterations)" } ?? "")")
        print("test \(estimator.isClassifier ? "accuracy" : "R²"): \(String(format: "%.4f", score)) on \(testX.shape[0]) rows")
        if let sensitive, let groupIndex {
            guard estimator.isClassifier else { throw ValidationError("--sensitive needs a classifier (mlp-classifier or logistic)") }
            try reportFairness(column: sensitive, index: groupIndex, model: model, train: (trainX, trainY, trainGroups),
                               test: (testX, testY, testGroups), reweigh: reweigh)
        }

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var tensors = model.tensors
        if let scaler { tensors += [("scaler.mean", scaler.mean), ("scaler.scale", scaler.scale)] }
        try SafeTensors.write(tensors, metadata: ["estimator": estimator.rawValue], to: "\(out)/model.safetensors")
        let description: [String: Any] = ["estimator": estimator.rawValue, "parameters": parameters, "features": trainX.shape[1],
                                          "target": target, "standardized": standardize, "classes": model.classes.map(Double.init),
                                          "test_score": score, "training_csv": csv]
        try writeAtomically(try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys]),
                            to: "\(out)/model.json")
        var written = ["model.safetensors", "model.json"]
        if let svg = model.lossCurveSVG(title: "\(estimator.rawValue) · \(csv)") {
            try writeAtomically(Data(svg.utf8), to: "\(out)/loss_curve.svg")
            written.append("loss_curve.svg")
        }
        if let predict {
            let withTarget = try? CSV.read(predict, label: labelColumn())
            let rows = try withTarget?.inputs ?? CSV.read(predict, label: .none).inputs
            guard rows.shape.last == trainX.shape[1] else {
                throw ValidationError("\(predict): \(rows.shape.last ?? 0) features, the model takes \(trainX.shape[1])")
            }
            let predictions = try model.predict(try scaler?.transform(rows) ?? rows)
            let width = predictions.count / Swift.max(rows.shape[0], 1)
            var text = (width == 1 ? "prediction" : (0..<width).map { "prediction_\($0)" }.joined(separator: ",")) + "\n"
            for row in 0..<rows.shape[0] {
                text += (0..<width).map { "\(predictions.scalars[row * width + $0])" }.joined(separator: ",") + "\n"
            }
            try writeAtomically(Data(text.utf8), to: "\(out)/predictions.csv")
            written.append("predictions.csv")
        }
        print("saved \(out)/" + written.joined(separator: ", "))
    }
}
