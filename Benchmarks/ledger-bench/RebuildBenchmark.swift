import Projections

/// `Ledger.rebuildProjections()` (fold the whole log, rewrite every
/// projection, one transaction) against a raw cursor scan of the events
/// table that reads every byte of every record.
enum RebuildBenchmark {
    static let goalEventsPerSecond = 1_000_000.0

    static func figure(_ ledger: Ledger) throws -> Figure {
        let store = ledger.store
        let (scanned, scanSeconds) = try timed {
            try store.read { txn in
                var count = 0
                var sum: UInt64 = 0
                try store.forEachRecord(in: txn) { _, record in
                    for byte in record { sum &+= UInt64(byte) }
                    count += 1
                    return true
                }
                consume(sum)
                return count
            }
        }
        let (rebuilt, rebuildSeconds) = try timed { try ledger.rebuildProjections() }
        let rate = Double(rebuilt.events) / rebuildSeconds
        let scanRate = Double(scanned) / scanSeconds
        return Figure(
            name: "rebuild",
            subject: Side(label: "rebuildProjections() of \(grouped(Double(rebuilt.events))) events, \(grouped(Double(rebuilt.dossiers))) dossiers",
                          values: [Value("seconds", rebuildSeconds, .seconds, label: "in"), Value("eventsPerSecond", rate, .eventsPerSecond)]),
            baseline: Side(label: "raw cursor scan of the events table, every record byte read",
                           values: [Value("seconds", scanSeconds, .seconds, label: "in"), Value("eventsPerSecond", scanRate, .eventsPerSecond)]),
            comparison: Value("ratio", rate / scanRate, .ratio),
            comparisonLabel: "rebuild / raw scan",
            goal: "≥ 1,000,000 events/s",
            met: rate >= goalEventsPerSecond)
    }
}
