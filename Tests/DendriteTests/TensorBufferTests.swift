import Dispatch
import XCTest
@testable import Dendrite

/// Tensor buffers of 64 KiB and more are reused through per-size free lists (buffers.c).
final class TensorBufferTests: XCTestCase {
    func testReleasedBuffersAreReusedAndZeroFilledWhenAskedFor() {
        let count = 300_000   // 1.2 MB
        var first: UnsafeMutablePointer<Float>?
        do {
            let storage = TensorStorage(count: count)
            first = storage.base
            storage.base.update(repeating: 7, count: count)
        }
        let again = TensorStorage(count: count)
        XCTAssertEqual(again.base, first, "the released buffer of the same size is handed out again")
        XCTAssertTrue(again.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 } }, "count: init clears a reused buffer")
        let statistics = TensorStorage.bufferStatistics
        XCTAssertLessThanOrEqual(statistics.cached, 2 * statistics.peakLive, "the cache never exceeds twice the peak in use")
        XCTAssertGreaterThanOrEqual(statistics.live, count * 4)
    }

    /// Acquire and release from several threads at once, many sizes: no buffer is handed to two
    /// owners (each thread's pattern survives), and the bytes in use return to where they were.
    func testConcurrentUseKeepsBuffersApartAndAccountsForEveryByte() {
        let before = TensorStorage.bufferStatistics.live
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        failures.initialize(repeating: 0, count: 8)
        defer { failures.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var generator = RandomGenerator(seed: UInt64(thread))
            var held: [(storage: TensorStorage, value: Float)] = []
            for round in 0..<150 {
                let count = 16_384 + generator.nextInt(below: 6) * 40_000 + thread
                let storage = TensorStorage(uninitializedCount: count), value = Float(thread * 1000 + round)
                storage.base.update(repeating: value, count: count)
                held.append((storage, value))
                if held.count > 4 {
                    let (oldest, expected) = held.removeFirst()
                    if !oldest.withUnsafeBufferPointer({ $0.allSatisfy { $0 == expected } }) { failures[thread] += 1 }
                }
            }
            for (storage, value) in held where !storage.withUnsafeBufferPointer({ $0.allSatisfy { $0 == value } }) {
                failures[thread] += 1
            }
        }
        XCTAssertEqual((0..<8).map { failures[$0] }, Array(repeating: 0, count: 8), "buffers overwritten by another owner")
        XCTAssertEqual(TensorStorage.bufferStatistics.live, before)
        let statistics = TensorStorage.bufferStatistics
        XCTAssertLessThanOrEqual(statistics.cached, 2 * statistics.peakLive)
    }
}
