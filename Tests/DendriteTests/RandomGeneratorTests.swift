import XCTest
@testable import Dendrite

final class RandomGeneratorTests: XCTestCase {
    /// The first values for seed 42 are fixed forever: they are the contract with saved experiments.
    func testFixedSeedGivesFixedFirstValues() {
        var generator = RandomGenerator(seed: 42)
        XCTAssertEqual((0..<3).map { _ in generator.next() }, [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009] as [UInt64])
        var uniform = RandomGenerator(seed: 42)
        XCTAssertEqual((0..<3).map { _ in uniform.nextUniform() }, [0.083862960, 0.378980219, 0.680043399] as [Float])
        var normal = RandomGenerator(seed: 42)
        XCTAssertEqual((0..<3).map { _ in normal.nextNormal() }, [-1.61322379, 1.53448737, 0.781692028] as [Float])
    }

    func testSameSeedSameTensorsDifferentSeedDifferent() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
        XCTAssertEqual(Tensor.normal([100], generator: &a), Tensor.normal([100], generator: &b))
        XCTAssertNotEqual(Tensor.uniform([100], generator: &a), Tensor.uniform([100], generator: &c))
    }

    func testDistributionsHaveTheirMoments() {
        var generator = RandomGenerator(seed: 3)
        let u = Tensor.uniform([100_000], low: -2, high: 4, generator: &generator)
        XCTAssertEqual(u.mean().scalar!, 1, accuracy: 0.03)
        XCTAssertGreaterThanOrEqual(u.min().scalar!, -2)
        XCTAssertLessThan(u.max().scalar!, 4)
        let n = Tensor.normal([100_000], mean: 5, standardDeviation: 2, generator: &generator)
        XCTAssertEqual(n.mean().scalar!, 5, accuracy: 0.03)
        XCTAssertEqual(n.variance().scalar!.squareRoot(), 2, accuracy: 0.03)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<30_000 { counts[generator.nextInt(below: 3)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
    }
}
