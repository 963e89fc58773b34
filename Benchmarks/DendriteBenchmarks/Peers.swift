import Foundation

/// PyTorch's figures from `Benchmarks/pytorch_twin.py` (one JSON object per line), matched to
/// Dendrite's rows by workload name.
struct PeerResults {
    struct Entry: Decodable {
        let workload: String
        let samples_per_second: Double?
        let tokens_per_second: Double?
        let images_per_second: Double?
        let peak_mib: Double?
    }

    let entries: [String: Entry]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var entries: [String: Entry] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            let entry = try JSONDecoder().decode(Entry.self, from: Data(line.utf8))
            entries[entry.workload] = entry
        }
        self.entries = entries
    }

    /// Rows with PyTorch as the baseline and Dendrite ÷ PyTorch as the ratio where a twin exists.
    func compare(_ rows: [Row]) -> [Row] {
        rows.map { row in
            guard let peer = entries[row.workload], let figure = peer.samples_per_second ?? peer.tokens_per_second ?? peer.images_per_second else { return row }
            var compared = Row(suite: row.suite, workload: row.workload, unit: row.unit, value: row.value,
                               medianSeconds: row.medianSeconds, minSeconds: row.minSeconds, maxSeconds: row.maxSeconds,
                               noisy: row.noisy, baseline: "PyTorch", baselineValue: figure, ratio: row.value / figure)
            compared.peakMemoryMiB = row.peakMemoryMiB
            if let peak = peer.peak_mib, let ours = row.peakMemoryMiB {
                print("peak memory, \(row.workload): Dendrite \(Int(ours)) MiB, PyTorch \(Int(peak)) MiB")
            }
            return compared
        }
    }
}
