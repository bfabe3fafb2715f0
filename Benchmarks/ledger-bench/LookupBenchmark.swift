import LMDB
import Projections
import ProvinceGenerator

/// `Ledger.dossier(code, in:)` (B-tree lookup plus decoding the state) for
/// random dossiers inside one read transaction, against a raw `get` of the
/// same keys in the `dossierStates` table.
enum LookupBenchmark {
    static func figure(_ ledger: Ledger, codes: [String], samples: Int) throws -> Figure {
        var random = SplitMix64(seed: 42)
        let picks = (0..<samples).map { _ in codes[random.below(codes.count)] }
        let keys = picks.map { Array($0.utf8) }
        var decoded = Latencies(capacity: samples)
        var raw = Latencies(capacity: samples)
        try ledger.store.read { txn in
            let states = try ledger.projections(in: txn).dossierStates
            // Warm-up: map every page the timed passes will touch, so neither pass pays the page faults.
            for key in keys { consume(try txn.get(states, key: key)?.count) }
            for code in picks.prefix(1000) { consume(try ledger.dossier(code, in: txn)) }
            for code in picks {
                let start = monotonicNanoseconds()
                let state = try ledger.dossier(code, in: txn)
                decoded.record(monotonicNanoseconds() - start)
                guard let state else { throw BenchError("dossier \(code) not found") }
                consume(state.version)
            }
            for key in keys {
                let start = monotonicNanoseconds()
                let value = try txn.get(states, key: key)
                raw.record(monotonicNanoseconds() - start)
                consume(value?.count)
            }
        }
        let p99 = decoded.microseconds(atPercentile: 0.99)
        return Figure(
            name: "lookups",
            subject: Side(label: "ledger.dossier(code) over \(grouped(Double(samples))) random codes, one read transaction",
                          values: [Value("p50Microseconds", decoded.microseconds(atPercentile: 0.5), .microseconds, label: "p50"),
                                   Value("p99Microseconds", p99, .microseconds, label: "p99")]),
            baseline: Side(label: "raw txn.get of the same keys in dossierStates",
                           values: [Value("p50Microseconds", raw.microseconds(atPercentile: 0.5), .microseconds, label: "p50"),
                                    Value("p99Microseconds", raw.microseconds(atPercentile: 0.99), .microseconds, label: "p99")]),
            comparison: Value("ratio", decoded.microseconds(atPercentile: 0.5) / raw.microseconds(atPercentile: 0.5), .ratio),
            comparisonLabel: "p50 ledger / raw",
            goal: "p99 ≤ 10 µs",
            met: p99 <= 10)
    }
}
