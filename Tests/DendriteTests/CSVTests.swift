import Foundation
import XCTest
@testable import Dendrite

final class CSVTests: XCTestCase {
    func testParsesHeaderLabelColumnsAndRoundTrips() throws {
        let text = "a,b,label\n1,2,0\n3.5,-4,1\n\n"
        let dataset = try CSV.parse(text, source: "mem.csv")
        XCTAssertEqual(dataset.inputs.shape, [2, 2])
        XCTAssertEqual(dataset.inputs.scalars, [1, 2, 3.5, -4])
        XCTAssertEqual(dataset.targets.scalars, [0, 1])
        let named = try CSV.parse(text, source: "mem.csv", label: .named("a"))
        XCTAssertEqual(named.targets.scalars, [1, 3.5])
        XCTAssertEqual(named.inputs.scalars, [2, 0, -4, 1])
        let noHeader = try CSV.parse("7;1\n8;0", source: "semi.csv", label: .first, separator: ";")
        XCTAssertEqual(noHeader.targets.scalars, [7, 8])
        // Written to disk and read back.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try CSV.read(url.path).inputs, dataset.inputs)
    }

    func testRejectsRaggedAndNonNumericRowsNamingTheLine() {
        XCTAssertThrowsError(try CSV.parse("x,y\n1,2\n3\n", source: "ragged.csv")) { error in
            XCTAssertEqual(error as? DendriteError, .invalidFile(path: "ragged.csv", offset: nil, reason: "line 3: has 1 fields, expected 2"))
        }
        XCTAssertThrowsError(try CSV.parse("1,2\n3,abc\n", source: "text.csv")) { error in
            XCTAssertEqual(error as? DendriteError,
                           .invalidFile(path: "text.csv", offset: nil, reason: "line 2: column 2 \"abc\" is not a finite number"))
        }
        XCTAssertThrowsError(try CSV.parse("1,nan\n", source: "nan.csv", hasHeader: false))
        XCTAssertThrowsError(try CSV.parse("", source: "empty.csv"))
        XCTAssertThrowsError(try CSV.parse("a,b\n1,2", source: "h.csv", label: .named("z")))
        XCTAssertThrowsError(try CSV.read("/nonexistent.csv"))
    }

    func testNormalizationAndOneHot() throws {
        let dataset = try TensorDataset(inputs: Tensor(rows: [[0, 10], [2, 10], [4, 10]]), targets: Tensor([2, 0, 1]))
        let (scaled, mean, deviation) = try dataset.standardized()
        XCTAssertEqual(mean.scalars, [2, 10])
        assertClose(try scaled.inputs.mean(alongAxes: 0), Tensor([0, 0]), atol: 1e-6)
        XCTAssertEqual(deviation.scalars[0], (8.0 / 3.0).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(try dataset.targets.oneHot(classCount: 3).scalars, [0, 0, 1, 1, 0, 0, 0, 1, 0])
        XCTAssertThrowsError(try Tensor([3]).oneHot(classCount: 3))
    }
}
