import Foundation
import XCTest
@testable import Dendrite

/// LinearRegression, Ridge, LogisticRegression and StandardScaler against scikit-learn
/// (Fixtures/make_sklearn_fixtures.py), and every estimator's test score on the bundled data
/// sets (Datasets/*.csv) against scikit-learn's on the same split.
final class LinearModelParityTests: XCTestCase {
    struct Coefficients: Decodable {
        let name: String, coef: [Float], intercept: [Float]
        let x: [Float]?, x_shape: [Int]?, y: [Float]?, y_shape: [Int]?, dataset: String?, C: Float?
    }
    struct Scores: Decodable {
        let name: String, train: [Int], test: [Int]
        let logistic: Double, mlp: Double, linear: Double, ridge: Double
        let mlp_coefs: [[Float]], mlp_intercepts: [[Float]]
    }
    struct File: Decodable { let coefficients: [Coefficients], scores: [Scores] }

    func fixture() throws -> File {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "sklearn_linear", withExtension: "json", subdirectory: "data"))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func dataset(_ name: String) throws -> TensorDataset {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Datasets/\(name).csv").path
        return try CSV.read(path)
    }

    func testCoefficientsMatchScikitLearn() throws {
        for c in try fixture().coefficients {
            if let dataset = c.dataset {
                let data = try Self.dataset(dataset)
                var scaler = StandardScaler()
                let x = try scaler.fitTransform(data.inputs)
                let model = try LogisticRegression(C: try XCTUnwrap(c.C), maxIterations: 2_000, tolerance: 1e-6)
                try model.fit(x, data.targets)
                assertClose(model.coefficients.scalars, c.coef, rtol: 1e-3, atol: 2e-4, c.name)
                assertClose(model.intercept.scalars, c.intercept, rtol: 1e-3, atol: 2e-4, c.name)
                continue
            }
            let x = try Tensor(shape: try XCTUnwrap(c.x_shape), scalars: try XCTUnwrap(c.x))
            let y = try Tensor(shape: try XCTUnwrap(c.y_shape), scalars: try XCTUnwrap(c.y))
            let model: LinearPredictor
            if c.name.hasPrefix("ridge") {
                let ridge = try Ridge(alpha: 2.5)
                try ridge.fit(x, y)
                model = ridge
            } else {
                let linear = LinearRegression()
                try linear.fit(x, y)
                model = linear
            }
            assertClose(model.coefficients.scalars, c.coef, rtol: 1e-4, atol: 1e-4, "\(c.name) coef")
            assertClose(model.intercept.scalars, c.intercept, rtol: 1e-4, atol: 1e-4, "\(c.name) intercept")
            XCTAssertEqual(model.coefficients.shape, y.rank == 1 ? [x.shape[1]] : [y.shape[1], x.shape[1]], c.name)
        }
    }

    /// Each estimator within 0.5 points of scikit-learn's test score on iris, wine, breast cancer
    /// and digits: the same stratified split, inputs standardized on the training part; the MLP
    /// from scikit-learn's initial weights with shuffling off (so both train alike).
    func testRealDataScoresMatchScikitLearn() throws {
        for s in try fixture().scores {
            let data = try Self.dataset(s.name)
            var scaler = StandardScaler()
            try scaler.fit(data.inputs.gatheringRows(s.train))
            let x = try scaler.transform(data.inputs), y = data.targets
            let (xTrain, yTrain, xTest, yTest) = (x.gatheringRows(s.train), y.gatheringRows(s.train), x.gatheringRows(s.test), y.gatheringRows(s.test))
            let logistic = try LogisticRegression()
            try logistic.fit(xTrain, yTrain)
            XCTAssertEqual(try logistic.score(xTest, yTest), s.logistic, accuracy: 0.005, "\(s.name) logistic")

            var settings = MLPHyperparameters()
            settings.shuffle = false
            settings.maxIterations = 50
            settings.warmStart = true
            let mlp = MLPClassifier(settings)
            let units = [x.shape[1], 100, s.mlp_intercepts.last!.count]
            try mlp.setWeights(coefs: try (0..<2).map { try Tensor(shape: [units[$0], units[$0 + 1]], scalars: s.mlp_coefs[$0]) },
                               intercepts: try s.mlp_intercepts.map { try Tensor($0) }, classes: Array(Set(y.scalars)).sorted())
            try mlp.fit(xTrain, yTrain)
            XCTAssertEqual(try mlp.score(xTest, yTest), s.mlp, accuracy: 0.005, "\(s.name) MLP")

            let features = x.shape[1] - 1
            let inputs = try x.slice(alongAxis: 1, 0..<features), target = try x.slice(alongAxis: 1, features..<(features + 1)).reshaped(to: [x.shape[0]])
            let linear = LinearRegression()
            try linear.fit(inputs.gatheringRows(s.train), target.gatheringRows(s.train))
            XCTAssertEqual(try linear.score(inputs.gatheringRows(s.test), target.gatheringRows(s.test)), s.linear, accuracy: 0.005, "\(s.name) linear")
            let ridge = try Ridge(alpha: 1)
            try ridge.fit(inputs.gatheringRows(s.train), target.gatheringRows(s.train))
            XCTAssertEqual(try ridge.score(inputs.gatheringRows(s.test), target.gatheringRows(s.test)), s.ridge, accuracy: 0.005, "\(s.name) ridge")
        }
    }
}
