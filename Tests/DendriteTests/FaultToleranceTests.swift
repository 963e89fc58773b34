import XCTest
@testable import Dendrite

/// Fault injection hits exactly the values and bits asked (counted), reproducibly; bounded ReLUs
/// leave a healthy model's outputs alone and contain a flipped exponent bit.
final class FaultToleranceTests: XCTestCase {
    func testBitFlipsHitExactlyTheBitsAsked() throws {
        var generator = RandomGenerator(seed: 1)
        let values = Tensor.normal([400], generator: &generator).scalars
        let (flipped, hit) = try FaultInjection.corrupt(values, rate: 0.25, fault: .bitFlips(positions: [30, 3]), generator: &generator)
        XCTAssertEqual(hit.count, 100)
        XCTAssertEqual(Set(hit).count, 100, "distinct values")
        let changes = zip(values, flipped).map { $0.bitPattern ^ $1.bitPattern }
        XCTAssertEqual(changes.filter { $0 != 0 }.count, 100)
        XCTAssertTrue(changes.allSatisfy { $0 == 0 || $0 == (UInt32(1) << 30 | UInt32(1) << 3) }, "bits 30 and 3, nothing else")
        for index in hit { XCTAssertNotEqual(changes[index], 0) }

        let (random, randomHit) = try FaultInjection.corrupt(values, rate: 0.1, fault: .randomBitFlips(count: 2), generator: &generator)
        XCTAssertEqual(randomHit.count, 40)
        XCTAssertEqual(zip(values, random).map { ($0.bitPattern ^ $1.bitPattern).nonzeroBitCount }.reduce(0, +), 80, "two bits each")
        let (stuck, stuckHit) = try FaultInjection.corrupt(values, rate: 0.05, fault: .stuckAtZero, generator: &generator)
        XCTAssertEqual(stuckHit.map { stuck[$0] }, Array(repeating: 0, count: 20))

        var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9)
        XCTAssertEqual(try FaultInjection.corrupt(values, rate: 0.3, fault: .gaussianNoise(standardDeviation: 0.1), generator: &first).values,
                       try FaultInjection.corrupt(values, rate: 0.3, fault: .gaussianNoise(standardDeviation: 0.1), generator: &second).values,
                       "the same seed, the same faults")
        XCTAssertThrowsError(try FaultInjection.corrupt(values, rate: 1.5, fault: .stuckAtZero, generator: &generator))
        XCTAssertThrowsError(try FaultInjection.corrupt(values, rate: 0.1, fault: .bitFlips(positions: [32]), generator: &generator))
    }

    func testWeightAndActivationFaultsCountTheirHits() throws {
        var generator = RandomGenerator(seed: 2)
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        let before = model.parameters.flatMap(\.value.scalars)
        let hits = try FaultInjection.injectIntoWeights(of: model, rate: 1e-3, fault: .bitFlips(positions: [31]), generator: &generator)
        XCTAssertEqual(hits, Int((1e-3 * Double(before.count)).rounded()))
        let after = model.parameters.flatMap(\.value.scalars)
        XCTAssertEqual(zip(before, after).filter { $0 != $1 }.count, hits, "sign flips: each a different value")
        let faulty = try FaultyActivations(ReLU(), rate: 0.5, fault: .stuckAtZero, seed: 3)
        _ = try faulty(Tensor.normal([4, 10], generator: &generator))
        _ = try faulty(Tensor.normal([4, 10], generator: &generator))
        XCTAssertEqual(faulty.hits, 40, "half of 40 outputs, twice")
    }

    /// Faulty models produce NaN: accuracy must count those rows as wrong (a NaN compares false
    /// with everything, so a naive rank would call them right).
    func testNaNOutputsAreNeverAccurate() throws {
        let outputs = try Tensor(shape: [3, 3], scalars: [.nan, .nan, .nan, 0.1, .nan, 0.5, 0.2, 0.9, 0.1])
        let targets = Tensor([0, 2, 1])
        XCTAssertEqual(try StandardMetric.accuracy.correctCount(outputs: outputs, targets: targets), 1, "only the finite row")
    }

    func testBoundedReLUsContainAFlippedExponent() throws {
        var generator = RandomGenerator(seed: 4)
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        model.eval()
        let images = Tensor.uniform([16, 1, 28, 28], generator: &generator)
        let healthy = try noGrad { try model(images) }
        let bounded = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        try bounded.load(stateDict: Dictionary(uniqueKeysWithValues: model.stateDict()))
        bounded.eval()
        XCTAssertEqual(try bounded.boundActivations(profiledOn: [images]), 1)
        let bound = try XCTUnwrap(bounded.layers[2] as? BoundedReLU)
        XCTAssertGreaterThan(bound.upperBound, 0)
        XCTAssertEqual(try noGrad { try bounded(images) }.scalars, healthy.scalars, "inside the profiled range nothing changes")
        // Bit 30 turns weights of magnitude below 2 into ~1e38: the plain model's logits explode.
        // (Faults in the first layer, before the ReLU; a flip in the output layer's weights is
        // past every activation the bound could catch.)
        for target in [model, bounded] {
            var faults = RandomGenerator(seed: 5)
            try FaultInjection.injectIntoWeights(of: target.layers[1] as! Module, rate: 1e-3, fault: .bitFlips(positions: [30]), generator: &faults)
        }
        let broken = try noGrad { try model(images) }.scalars, contained = try noGrad { try bounded(images) }.scalars
        XCTAssertTrue(broken.contains { !$0.isFinite || Swift.abs($0) > 1e6 })
        XCTAssertTrue(contained.allSatisfy { $0.isFinite && Swift.abs($0) < 1e6 }, "\(contained.map(Swift.abs).max() ?? 0)")
    }
}
