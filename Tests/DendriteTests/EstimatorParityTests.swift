import Foundation
import XCTest
@testable import Dendrite

/// MLPClassifier and MLPRegressor against scikit-learn (Fixtures/make_sklearn_fixtures.py):
/// from the weights scikit-learn drew, with shuffling off, the same loss after every epoch, the
/// same stopping epoch, the same final weights and predictions.
final class EstimatorParityTests: XCTestCase {
    struct Case: Decodable {
        let name: String, estimator: String
        let settings: [String: Setting]
        let x: [Float], x_shape: [Int], y: [Float], y_shape: [Int]
        let initial_coefs: [[Float]], initial_intercepts: [[Float]], units: [Int]
        let loss_curve: [Double], loss: Double, n_iter: Int
        let coefs: [[Float]], intercepts: [[Float]], predictions: [Float], validation_scores: [Double]
        let probabilities: [Float]?
        let train_rows: [Int]?, validation_rows: [Int]?
    }

    /// A JSON setting: a number, a string, a Boolean or a list of sizes.
    enum Setting: Decodable {
        case number(Double), text(String), flag(Bool), sizes([Int])
        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let flag = try? value.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? value.decode(Double.self) { self = .number(number) }
            else if let sizes = try? value.decode([Int].self) { self = .sizes(sizes) }
            else { self = .text(try value.decode(String.self)) }
        }
    }

    func cases() throws -> [Case] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "sklearn_mlp", withExtension: "json", subdirectory: "data"))
        struct File: Decodable { let cases: [Case] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }

    func hyperparameters(_ settings: [String: Setting]) throws -> MLPHyperparameters {
        var h = MLPHyperparameters()
        h.shuffle = false
        h.randomState = 0
        h.warmStart = true   // from the weights scikit-learn drew
        for (key, value) in settings {
            switch (key, value) {
            case ("hidden_layer_sizes", .sizes(let sizes)): h.hiddenLayerSizes = sizes
            case ("max_iter", .number(let n)): h.maxIterations = Int(n)
            case ("batch_size", .number(let n)): h.batchSize = .fixed(Int(n))
            case ("solver", .text(let s)): h.solver = try XCTUnwrap(MLPSolver(rawValue: s))
            case ("activation", .text(let s)): h.activation = try XCTUnwrap(MLPActivation(rawValue: s))
            case ("learning_rate", .text(let s)): h.learningRate = try XCTUnwrap(MLPLearningRateSchedule(rawValue: s))
            case ("learning_rate_init", .number(let n)): h.learningRateInit = Float(n)
            case ("nesterovs_momentum", .flag(let b)): h.nesterovsMomentum = b
            case ("tol", .number(let n)): h.tolerance = Float(n)
            case ("n_iter_no_change", .number(let n)): h.iterationsWithoutChange = Int(n)
            case ("alpha", .number(let n)): h.alpha = Float(n)
            case ("early_stopping", .flag(let b)): h.earlyStopping = b
            default: XCTFail("setting \(key) is not mapped")
            }
        }
        return h
    }

    func weights(_ flat: [[Float]], units: [Int]) throws -> (coefs: [Tensor], intercepts: [Tensor]) {
        let layers = units.count - 1
        let coefs = try (0..<layers).map { try Tensor(shape: [units[$0], units[$0 + 1]], scalars: flat[$0]) }
        return (coefs, [])
    }

    func run(_ c: Case) throws -> MLPEstimator {
        let x = try Tensor(shape: c.x_shape, scalars: c.x), y = try Tensor(shape: c.y_shape, scalars: c.y)
        let layers = c.units.count - 1
        let coefs = try (0..<layers).map { try Tensor(shape: [c.units[$0], c.units[$0 + 1]], scalars: c.initial_coefs[$0]) }
        let intercepts = try (0..<layers).map { try Tensor(c.initial_intercepts[$0]) }
        let h = try hyperparameters(c.settings)
        var (trainX, trainY) = (x, y)
        var held: (Tensor, Tensor)?
        if let train = c.train_rows, let validation = c.validation_rows {
            (trainX, trainY) = (x.gatheringRows(train), y.gatheringRows(train))
            held = (x.gatheringRows(validation), y.gatheringRows(validation))
        }
        if c.estimator == "MLPClassifier" {
            let classifier = MLPClassifier(h)
            try classifier.setWeights(coefs: coefs, intercepts: intercepts, classes: Array(Set(c.y)).sorted())
            try classifier.fit(trainX, trainY, validation: held.map { (inputs: $0.0, labels: $0.1) })
            XCTAssertEqual(try classifier.predict(x).scalars, c.predictions, "\(c.name): predictions")
            if let probabilities = c.probabilities {
                assertClose(try classifier.predictProbabilities(x).scalars, probabilities, rtol: 1e-3, atol: 1e-4, "\(c.name): probabilities")
            }
            return classifier
        }
        let regressor = MLPRegressor(h)
        try regressor.setWeights(coefs: coefs, intercepts: intercepts)
        try regressor.fit(trainX, trainY, validation: held.map { (inputs: $0.0, targets: $0.1) })
        assertClose(try regressor.predict(x).scalars, c.predictions, rtol: 1e-3, atol: 1e-4, "\(c.name): predictions")
        return regressor
    }

    func testStochasticSolversFollowScikitLearnEpochByEpoch() throws {
        for c in try cases() where !c.name.hasPrefix("lbfgs") {
            let estimator = try run(c)
            XCTAssertEqual(estimator.iterationCount, c.n_iter, "\(c.name): epochs (early stopping stops at the same one)")
            XCTAssertEqual(estimator.lossCurve.count, c.loss_curve.count, c.name)
            for (epoch, (ours, theirs)) in zip(estimator.lossCurve, c.loss_curve).enumerated() {
                XCTAssertEqual(ours, theirs, accuracy: 1e-4 * Swift.abs(theirs), "\(c.name): loss after epoch \(epoch + 1)")
            }
            XCTAssertEqual(estimator.validationScores, c.validation_scores, "\(c.name): validation scores")
            for (layer, (ours, theirs)) in zip(estimator.coefs, c.coefs).enumerated() {
                assertClose(ours.scalars, theirs, rtol: 1e-3, atol: 1e-4, "\(c.name): final weights of layer \(layer)")
            }
        }
    }

    func testLBFGSReachesScikitLearnsLossAndPredictions() throws {
        for c in try cases() where c.name.hasPrefix("lbfgs") {
            let estimator = try run(c)
            XCTAssertEqual(try XCTUnwrap(estimator.loss), c.loss, accuracy: 1e-4 * Swift.abs(c.loss) + 1e-5, "\(c.name): final loss")
        }
    }
}
