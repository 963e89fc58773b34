import XCTest
@testable import Dendrite

/// The course's exercise sheet (seed 002): parameters and output shapes of three MLPs and two
/// CNNs, answered by `summary(input:)`.
final class CourseExerciseTests: XCTestCase {
    var generator = RandomGenerator(seed: 0)

    /// Asserts the parameterized rows (type, weights, biases, output shape) and the total.
    func assertRows(_ summary: ModelSummary, _ expected: [(String, Int, Int, [Int])], total: Int,
                    file: StaticString = #filePath, line: UInt = #line) {
        let rows = summary.layers.filter { $0.parameters > 0 || ["MaxPool2D", "Flatten"].contains($0.type) }
        XCTAssertEqual(rows.count, expected.count, "\(summary)", file: file, line: line)
        for (row, (type, weights, biases, shape)) in zip(rows, expected) {
            XCTAssertEqual(row.type, type, file: file, line: line)
            XCTAssertEqual(row.weights, weights, "\(row.path) \(row.type) weights", file: file, line: line)
            XCTAssertEqual(row.biases, biases, "\(row.path) \(row.type) biases", file: file, line: line)
            XCTAssertEqual(row.parameters, weights + biases, file: file, line: line)
            XCTAssertEqual(row.outputShape, shape, "\(row.path) \(row.type) output", file: file, line: line)
        }
        XCTAssertEqual(summary.totalParameters, total, file: file, line: line)
        XCTAssertEqual(summary.trainableParameters, total, file: file, line: line)
    }

    func testExercise1_MLP_128_64_1() throws {
        let model = try Sequential {
            try Linear(128, 64, generator: &generator); ReLU()
            try Linear(64, 1, generator: &generator); Sigmoid()
        }
        assertRows(try model.summary(input: [128]), [("Linear", 8192, 64, [64]), ("Linear", 64, 1, [1])], total: 8321)
    }

    func testExercise2_MLP_256_128_64_10() throws {
        let model = try Sequential {
            try Linear(256, 128, generator: &generator); ReLU()
            try Linear(128, 64, generator: &generator); ReLU()
            try Linear(64, 10, generator: &generator); Softmax()
        }
        assertRows(try model.summary(input: [256]),
                   [("Linear", 32768, 128, [128]), ("Linear", 8192, 64, [64]), ("Linear", 640, 10, [10])], total: 41802)
    }

    func testExercise3_MLP_512_256_128_64_10() throws {
        let model = try Sequential {
            try Linear(512, 256, generator: &generator); ReLU()
            try Linear(256, 128, generator: &generator); ReLU()
            try Linear(128, 64, generator: &generator); ReLU()
            try Linear(64, 10, generator: &generator)
        }
        let summary = try model.summary(input: [512])
        assertRows(summary, [("Linear", 131072, 256, [256]), ("Linear", 32768, 128, [128]),
                             ("Linear", 8192, 64, [64]), ("Linear", 640, 10, [10])], total: 173130)
        XCTAssertEqual(summary.layers.map(\.parameters).filter { $0 > 0 }, [131328, 32896, 8256, 650])
    }

    func testExercise4_CNN_conv8_pool_dense10() throws {
        let model = try Sequential {
            try! Conv2D(3, 8, kernelSize: 5, stride: 1, padding: 2, generator: &generator); ReLU()
            MaxPool2D(kernelSize: 2)
            Flatten()
            try Linear(2048, 10, generator: &generator)
        }
        assertRows(try model.summary(input: [3, 32, 32]),
                   [("Conv2D", 600, 8, [8, 32, 32]), ("MaxPool2D", 0, 0, [8, 16, 16]), ("Flatten", 0, 0, [2048]),
                    ("Linear", 20480, 10, [10])], total: 21098)
    }

    func testExercise5_CNN_two_convs_two_denses() throws {
        let model = try Sequential {
            try! Conv2D(3, 16, kernelSize: 3, padding: 1, generator: &generator); ReLU()
            MaxPool2D(kernelSize: 2)
            try! Conv2D(16, 32, kernelSize: 3, padding: 1, generator: &generator); ReLU()
            MaxPool2D(kernelSize: 2)
            Flatten()
            try Linear(2048, 128, generator: &generator); ReLU()
            try Linear(128, 10, generator: &generator)
        }
        let summary = try model.summary(input: [3, 32, 32])
        assertRows(summary, [("Conv2D", 432, 16, [16, 32, 32]), ("MaxPool2D", 0, 0, [16, 16, 16]),
                             ("Conv2D", 4608, 32, [32, 16, 16]), ("MaxPool2D", 0, 0, [32, 8, 8]), ("Flatten", 0, 0, [2048]),
                             ("Linear", 262144, 128, [128]), ("Linear", 1280, 10, [10])], total: 268650)
        // The text table and the Codable form carry the same numbers.
        XCTAssertTrue(summary.description.contains("Total parameters: 268,650"), summary.description)
        let decoded = try JSONDecoder().decode(ModelSummary.self, from: try JSONEncoder().encode(summary))
        XCTAssertEqual(decoded, summary)
    }

    func testStackThatCannotFitNamesTheLayerAndBothShapes() throws {
        let model = try Sequential {
            try! Conv2D(3, 8, kernelSize: 5, padding: 2, generator: &generator)
            MaxPool2D(kernelSize: 2)
            Flatten()
            try Linear(100, 10, generator: &generator)
        }
        XCTAssertThrowsError(try model.summary(input: [3, 32, 32])) { error in
            XCTAssertEqual(error as? DendriteError,
                           .shapeMismatch(operation: "layer 3 Linear(100, 10)", expected: "input [..., 100]", got: "[2048]"))
        }
        XCTAssertThrowsError(try model(Tensor.zeros([1, 3, 32, 32]))) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "Linear(100, 10)")
        }
    }

    func testFrozenParametersCountAsNonTrainable() throws {
        let model = try Sequential {
            try Linear(4, 3, generator: &generator)
            try Linear(3, 2, generator: &generator)
        }
        XCTAssertEqual(model.freeze(matching: "0."), 2)
        let summary = try model.summary(input: [4])
        XCTAssertEqual(summary.nonTrainableParameters, 15)
        XCTAssertEqual(summary.trainableParameters, 8)
    }
}
