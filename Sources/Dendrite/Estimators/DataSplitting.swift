/// The row indices of a train/test split (scikit-learn's `train_test_split`): `⌈testFraction·n⌉`
/// test rows drawn at random; with `stratifyBy` (one label per row) each label's share of the
/// test rows is its share of the data (largest remainders get the rounding), so both parts keep
/// the class proportions.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a fraction outside
///   (0, 1), labels of the wrong count, or a split that leaves either part empty.
public func trainTestSplit(count: Int, testFraction: Double = 0.25, stratifyBy labels: [Float]? = nil,
                           generator: inout RandomGenerator) throws -> (train: [Int], test: [Int]) {
    guard testFraction > 0, testFraction < 1 else {
        throw DendriteError.invalidArgument(operation: "trainTestSplit", argument: "testFraction \(testFraction)", reason: "must be in (0, 1)")
    }
    let testCount = Int((Double(count) * testFraction - 1e-9).rounded(.up))
    guard testCount >= 1, testCount < count else {
        throw DendriteError.invalidArgument(operation: "trainTestSplit", argument: "count \(count)",
                                            reason: "a test fraction of \(testFraction) leaves an empty part")
    }
    var test: [Int] = []
    if let labels {
        guard labels.count == count else {
            throw DendriteError.invalidArgument(operation: "trainTestSplit", argument: "stratifyBy",
                                                reason: "has \(labels.count) labels for \(count) rows")
        }
        var groups: [Float: [Int]] = [:]
        for (row, label) in labels.enumerated() { groups[label, default: []].append(row) }
        let keys = groups.keys.sorted()
        // Each class's exact share, floored, then the left-over rows to the largest remainders.
        let exact = keys.map { Double(groups[$0]!.count) * Double(testCount) / Double(count) }
        var shares = exact.map { Int($0) }
        let byRemainder = keys.indices.sorted { (exact[$0] - Double(shares[$0]), $1) > (exact[$1] - Double(shares[$1]), $0) }
        for index in byRemainder.prefix(testCount - shares.reduce(0, +)) { shares[index] += 1 }
        for (index, key) in keys.enumerated() {
            var rows = groups[key]!
            generator.shuffle(&rows)
            test += rows.prefix(shares[index])
        }
    } else {
        var rows = Array(0..<count)
        generator.shuffle(&rows)
        test = Array(rows.prefix(testCount))
    }
    let chosen = Set(test)
    return ((0..<count).filter { !chosen.contains($0) }, test.sorted())
}
