import DossierRules
import LedgerStore
import LedgerContract
import Projections
import ProvinceGenerator

/// One dossier's timeline as an auditor asks for it: its stream's records
/// folded (`Ledger.foldedDossier`) and checked (`violations(reference:asOf:)`),
/// against reading the same stream's records without decoding them.
enum AuditBenchmark {
    static func figure(_ ledger: Ledger, codes: [String], samples: Int) throws -> Figure {
        let store = ledger.store
        var random = SplitMix64(seed: 7)
        let picks = (0..<samples).map { _ in codes[random.below(codes.count)] }
        var timeline = Latencies(capacity: samples)
        var decodeOnly = Latencies(capacity: samples)
        var raw = Latencies(capacity: samples)
        var eventsRead = 0
        try store.read { txn in
            let reference = try ledger.reference(in: txn)
            let head = try store.head(in: txn).seq
            // "Now" for the audit: the instant of the last event in the log.
            guard let last = try store.event(seq: head, in: txn) else { throw BenchError("the log is empty") }
            let asOf = last.event.at.seconds
            // Warm-up: map every page the timed passes will touch, so no pass pays the page faults.
            for code in picks { consume(try store.events(ofDossier: code, in: txn).count) }
            for code in picks {
                let start = monotonicNanoseconds()
                var events = 0
                guard let state = try ledger.foldedDossier(code, reference: reference, in: txn, afterEach: { _, _ in events += 1 }) else {
                    throw BenchError("dossier \(code) has no events")
                }
                let violations = state.violations(reference: reference, asOf: asOf)
                timeline.record(monotonicNanoseconds() - start)
                consume(violations.count)
                eventsRead += events
            }
            for code in picks {
                let start = monotonicNanoseconds()
                let events = try store.events(ofDossier: code, in: txn)
                decodeOnly.record(monotonicNanoseconds() - start)
                consume(events.count)
            }
            for code in picks {
                let start = monotonicNanoseconds()
                var touched = 0
                for seq in try store.seqs(ofDossier: code, in: txn) {
                    guard let record = try txn.get(store.tables.events, key: Key.u64(seq)) else {
                        throw BenchError("dossier \(code): seq \(seq) missing")
                    }
                    touched &+= Int(record[0]) &+ record.count
                }
                raw.record(monotonicNanoseconds() - start)
                consume(touched)
            }
        }
        let p50 = timeline.microseconds(atPercentile: 0.5)
        return Figure(
            name: "audit",
            subject: Side(label: "the stream's records folded + violations(asOf:) over \(grouped(Double(samples))) random dossiers (\(String(format: "%.1f", Double(eventsRead) / Double(samples))) events each)",
                          values: [Value("p50Microseconds", p50, .microseconds, label: "p50"),
                                   Value("p99Microseconds", timeline.microseconds(atPercentile: 0.99), .microseconds, label: "p99")]),
            baseline: Side(label: "raw stream read: stream index range + txn.get of each record, not decoded",
                           values: [Value("p50Microseconds", raw.microseconds(atPercentile: 0.5), .microseconds, label: "p50"),
                                    Value("p99Microseconds", raw.microseconds(atPercentile: 0.99), .microseconds, label: "p99")]),
            comparison: Value("ratio", p50 / raw.microseconds(atPercentile: 0.5), .ratio),
            comparisonLabel: "p50 timeline / raw stream read",
            goal: "none set",
            met: nil,
            details: [Value("decodedStreamP50Microseconds", decodeOnly.microseconds(atPercentile: 0.5), .microseconds),
                      Value("decodedStreamP99Microseconds", decodeOnly.microseconds(atPercentile: 0.99), .microseconds)])
    }
}
