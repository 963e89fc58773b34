import XCTest
import Dendrite

final class BackendTests: XCTestCase {
    func testThreadCountRoundTripsThroughOpenBLAS() {
        let original = Dendrite.threadCount
        defer { Dendrite.threadCount = original }
        Dendrite.threadCount = 1
        XCTAssertEqual(Dendrite.threadCount, 1)
        Dendrite.threadCount = 0
        XCTAssertEqual(Dendrite.threadCount, 1, "values below 1 clamp to 1")
    }

    func testBackendDescriptionNamesOpenBLASCoreAndThreads() {
        let description = Dendrite.backendDescription
        XCTAssertTrue(description.contains("OpenBLAS"), description)
        XCTAssertTrue(description.contains("core "), description)
        XCTAssertTrue(description.contains("thread"), description)
    }
}
