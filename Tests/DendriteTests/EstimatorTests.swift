import Foundation
import XCTest
@testable import Dendrite

/// The estimators' contracts beyond the scikit-learn numbers: label handling, multilabel,
/// partial fitting, warnings, early stopping, splits, scaling, typed errors, and the MLP loss's
/// gradients against central differences.
final class EstimatorTests: XCTestCase {
    var generator = RandomGenerator(seed: 9)

    /// Two blobs labelled 3 and 7 (arbitrary label values).
    func blobs(_ n: Int) throws -> (Tensor, Tensor) {
        let labels = (0..<n).map { $0 % 2 == 0 ? Float(3) : 7 }
        let x = try Tensor.normal([n, 4], generator: &generator) + (try Tensor(shape: [n, 1], scalars: labels.map { $0 == 3 ? -2 : 2 }))
        return (x, try Tensor(labels))
    }

    func testBinaryLabelsProbabilitiesAndScore() throws {
        let (x, y) = try blobs(80)
        var settings = MLPHyperparameters()
        settings.hiddenLayerSizes = [8]
        settings.randomState = 1
        settings.maxIterations = 300
        let classifier = MLPClassifier(settings)
        try classifier.fit(x, y)
        XCTAssertEqual(classifier.classes, [3, 7])
        XCTAssertEqual(classifier.outputActivation, "logistic")
        XCTAssertEqual(classifier.coefs.map(\.shape), [[4, 8], [8, 1]])
        let p = try classifier.predictProbabilities(x)
        XCTAssertEqual(p.shape, [80, 2])
        for row in 0..<80 { XCTAssertEqual(p.scalars[2 * row] + p.scalars[2 * row + 1], 1, accuracy: 1e-5) }
        XCTAssertTrue(try classifier.predict(x).scalars.allSatisfy { $0 == 3 || $0 == 7 })
        XCTAssertGreaterThan(try classifier.score(x, y), 0.95)
        XCTAssertEqual(classifier.lossCurve.count, classifier.iterationCount)
        XCTAssertEqual(classifier.samplesSeen, 80 * classifier.iterationCount)
    }

    func testMultilabelTargetsGiveIndicatorPredictions() throws {
        let x = Tensor.normal([60, 3], generator: &generator)
        let y = try Tensor(shape: [60, 2], scalars: x.scalars.enumerated().compactMap { index, value in
            index % 3 == 2 ? nil : (value > 0 ? 1 : 0)
        })
        var settings = MLPHyperparameters()
        settings.randomState = 2
        settings.maxIterations = 400
        let classifier = MLPClassifier(settings)
        try classifier.fit(x, y)
        XCTAssertEqual(classifier.classes, [0, 1])
        let predicted = try classifier.predict(x)
        XCTAssertEqual(predicted.shape, [60, 2])
        XCTAssertTrue(predicted.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertGreaterThan(try classifier.score(x, y), 0.8, "subset accuracy")
    }

    func testPartialFitRunsOneEpochPerCallAndNeedsTheClasses() throws {
        let (x, y) = try blobs(40)
        let classifier = MLPClassifier()
        XCTAssertThrowsError(try classifier.partialFit(x, y), "the first call needs classes")
        try classifier.partialFit(x, y, classes: [3, 7])
        try classifier.partialFit(x, y)
        XCTAssertEqual(classifier.iterationCount, 2)
        XCTAssertEqual(classifier.lossCurve.count, 2)
        XCTAssertThrowsError(try classifier.partialFit(x, try Tensor([Float](repeating: 5, count: 40))), "a label outside the classes")
    }

    func testTheMaximumIterationsWarningAndEarlyStopping() throws {
        let (x, y) = try blobs(100)
        var settings = MLPHyperparameters()
        settings.maxIterations = 3
        settings.randomState = 3
        let classifier = MLPClassifier(settings)
        try classifier.fit(x, y)
        XCTAssertEqual(classifier.warnings, ["Stochastic Optimizer: Maximum iterations (3) reached and the optimization hasn't converged yet."])
        settings.maxIterations = 500
        settings.earlyStopping = true
        settings.iterationsWithoutChange = 2
        let stopping = MLPClassifier(settings)
        try stopping.fit(x, y)
        XCTAssertLessThan(stopping.iterationCount, 500, "stops on the held-out score")
        XCTAssertEqual(stopping.validationScores.count, stopping.iterationCount)
        XCTAssertEqual(stopping.bestValidationScore, stopping.validationScores.max())
        XCTAssertNil(stopping.bestLoss)
        XCTAssertTrue(stopping.warnings.isEmpty)
    }

    func testRegressorOutputsAndScore() throws {
        let x = Tensor.normal([120, 3], generator: &generator)
        let y = try x.matmul(try Tensor(shape: [3, 2], scalars: [1, -2, 0.5, 1, -1, 0.25]))
        var settings = MLPHyperparameters()
        settings.solver = .lbfgs
        settings.randomState = 4
        settings.hiddenLayerSizes = [16]
        let regressor = MLPRegressor(settings)
        try regressor.fit(x, y)
        XCTAssertEqual(try regressor.predict(x).shape, [120, 2])
        XCTAssertGreaterThan(try regressor.score(x, y), 0.99)
        XCTAssertTrue(regressor.lossCurve.isEmpty, "lbfgs keeps no loss curve (as scikit-learn)")
        let single = MLPRegressor(settings)
        try single.fit(x, try y.slice(alongAxis: 1, 0..<1).reshaped(to: [120]))
        XCTAssertEqual(try single.predict(x).shape, [120])
    }

    func testBadInputsAreTypedErrorsNamingTheEstimator() throws {
        let (x, y) = try blobs(20)
        func expect(_ label: String, _ name: String, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), label) { XCTAssertTrue("\($0)".contains(name), "\(label): \($0)") }
        }
        expect("unfitted", "MLPClassifier") { _ = try MLPClassifier().predict(x) }
        expect("one class", "MLPClassifier") { try MLPClassifier().fit(x, try Tensor([Float](repeating: 1, count: 20))) }
        expect("row mismatch", "MLPClassifier") { try MLPClassifier().fit(x, try y.slice(0..<10)) }
        var settings = MLPHyperparameters()
        settings.alpha = -1
        expect("negative alpha", "alpha") { try MLPClassifier(settings).fit(x, y) }
        settings = MLPHyperparameters()
        settings.hiddenLayerSizes = [0]
        expect("empty layer", "hiddenLayerSizes") { try MLPRegressor(settings).fit(x, y) }
        var nan = x.scalars
        nan[5] = .nan
        expect("NaN", "MLPRegressor") { try MLPRegressor().fit(try Tensor(shape: x.shape, scalars: nan), y) }
        let fitted = MLPClassifier()
        try fitted.partialFit(x, y, classes: [3, 7])
        expect("feature count", "MLPClassifier") { _ = try fitted.predict(Tensor.normal([2, 5], generator: &generator)) }
        expect("logistic C", "LogisticRegression") { _ = try LogisticRegression(C: 0) }
        expect("ridge alpha", "Ridge") { _ = try Ridge(alpha: -1) }
        expect("unfitted linear", "LinearRegression") { _ = try LinearRegression().predict(x) }
        expect("split", "trainTestSplit") { _ = try trainTestSplit(count: 1, testFraction: 0.5, generator: &generator) }
    }

    func testStratifiedSplitKeepsTheProportionsAndCoversEveryRow() throws {
        let labels = (0..<100).map { Float($0 < 70 ? 0 : ($0 < 90 ? 1 : 2)) }
        let split = try trainTestSplit(count: 100, testFraction: 0.2, stratifyBy: labels, generator: &generator)
        XCTAssertEqual(split.test.count, 20)
        XCTAssertEqual(Set(split.train).union(split.test), Set(0..<100))
        XCTAssertTrue(Set(split.train).isDisjoint(with: split.test))
        let counts = [0, 1, 2].map { label in split.test.filter { labels[$0] == Float(label) }.count }
        XCTAssertEqual(counts, [14, 4, 2])
    }

    func testStandardScalerRoundTripsAndLeavesConstantFeaturesUnscaled() throws {
        let x = try Tensor(shape: [4, 2], scalars: [1, 5, 2, 5, 3, 5, 4, 5])
        var scaler = StandardScaler()
        let scaled = try scaler.fitTransform(x)
        XCTAssertEqual(scaler.scale.scalars[1], 1, "a constant feature is divided by 1")
        assertClose(try scaled.mean(alongAxes: [0]), Tensor.filled([2], 0), "centered")
        assertClose(try scaler.inverseTransform(scaled), x, "round trip")
        XCTAssertThrowsError(try StandardScaler().transform(x), "unfitted")
    }

    /// The loss's gradients against central differences (softmax with tanh units, and a
    /// one-output regressor with logistic units), in scikit-learn's layout.
    func testPerceptronGradientsMatchCentralDifferences() throws {
        for (output, activation, outputs) in [(Perceptron.Output.softmax, MLPActivation.tanh, 3),
                                               (.identity, .logistic, 1), (.logistic, .relu, 1)] {
            var network = Perceptron(layerUnits: [3, 4, outputs], activation: activation, output: output, generator: &generator)
            let x = Tensor.normal([5, 3], generator: &generator)
            let y: Tensor = output == .softmax
                ? try Tensor(shape: [5, 3], scalars: (0..<15).map { Float(($0 / 3) % 3 == $0 % 3 ? 1 : 0) })   // row r: class r mod 3
                : (output == .logistic ? try Tensor(shape: [5, 1], scalars: [1, 0, 1, 1, 0]) : Tensor.normal([5, 1], generator: &generator))
            let analytic = try network.lossAndGradients(x, y, alpha: 0.3)
            for layer in 0..<2 {
                for index in 0..<network.coefs[layer].count {
                    var values = network.coefs[layer].scalars
                    let h: Float = 1e-2
                    values[index] += h
                    network.coefs[layer] = try Tensor(shape: network.coefs[layer].shape, scalars: values)
                    let up = try network.lossAndGradients(x, y, alpha: 0.3).loss
                    values[index] -= 2 * h
                    network.coefs[layer] = try Tensor(shape: network.coefs[layer].shape, scalars: values)
                    let down = try network.lossAndGradients(x, y, alpha: 0.3).loss
                    values[index] += h
                    network.coefs[layer] = try Tensor(shape: network.coefs[layer].shape, scalars: values)
                    let numeric = (up - down) / Double(2 * h)
                    XCTAssertEqual(Double(analytic.coefs[layer].scalars[index]), numeric, accuracy: 2e-3 + 2e-2 * Swift.abs(numeric),
                                   "\(output) layer \(layer) weight \(index)")
                }
            }
        }
    }

    func testMetricsFollowScikitLearn() throws {
        let p = try Tensor(shape: [3, 2], scalars: [0.9, 0.1, 0.2, 0.8, 0, 1])
        let labels = try Tensor([3, 7, 3])
        // −(log 0.9 + log 0.8 + log ε) / 3, ε = 2⁻²³ (a probability of 0 clipped).
        let expected = -(Foundation.log(0.9) + Foundation.log(0.8) + Foundation.log(Double(Float.ulpOfOne))) / 3
        XCTAssertEqual(try logLoss(probabilities: p, labels: labels, classes: [3, 7]), expected, accuracy: 1e-5)
        XCTAssertThrowsError(try logLoss(probabilities: p, labels: try Tensor([3, 7, 5]), classes: [3, 7]))
        XCTAssertEqual(try meanSquaredErrorScore(predicted: try Tensor([1, 2, 3]), targets: try Tensor([1, 4, 0])), 13.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(try accuracyScore(predicted: try Tensor([1, 2, 3]), labels: try Tensor([1, 2, 0])), 2.0 / 3, accuracy: 1e-12)
    }
}
