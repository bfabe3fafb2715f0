import Audit
import LedgerStore
import LedgerContract
import Projections

/// `audit delays` as of 30 days before the last event: a replay (the live
/// states of the dossiers the instant leaves as they are, the dossiers in
/// flight then folded from their streams), every hold priced in working
/// time against its step budget and ranked by step — against a raw cursor
/// scan of the events table.
enum AuditDelaysBenchmark {
    static let goalEventsPerSecond = 1_000_000.0

    static func figure(_ ledger: Ledger) throws -> Figure {
        let store = ledger.store
        let (scan, scanSeconds) = try timed {
            try store.read { txn in
                var count = 0
                var last: Int64 = 0
                try store.forEachRecord(in: txn) { seq, record in
                    last = max(last, try RecordView(record, seq: seq).at.seconds)
                    count += 1
                    return true
                }
                return (count, last)
            }
        }
        let past = PastInstant.happenedBy(scan.1 - 30 * 86_400)
        let ((folded, groups), seconds) = try timed {
            try ledger.read { snapshot in
                var ranking = DelayGroup.Ranking(by: .step)
                try snapshot.dossierSource(as: past).forEachHold(asOf: past.instant) { ranking.add($0) }
                return (UInt64(scan.0), ranking.ranked())
            }
        }
        consume(UInt64(groups.count))
        let rate = Double(folded) / seconds
        let scanRate = Double(scan.0) / scanSeconds
        return Figure(
            name: "auditDelays",
            subject: Side(label: "audit delays --as-of (30 days before the last event) --by step: replay of a \(grouped(Double(folded)))-event log, holds priced and ranked (\(groups.count) steps)",
                          values: [Value("seconds", seconds, .seconds, label: "in"), Value("eventsPerSecond", rate, .eventsPerSecond)]),
            baseline: Side(label: "raw cursor scan of the events table, each record's header read",
                           values: [Value("seconds", scanSeconds, .seconds, label: "in"), Value("eventsPerSecond", scanRate, .eventsPerSecond)]),
            comparison: Value("ratio", rate / scanRate, .ratio),
            comparisonLabel: "audit delays / raw scan",
            goal: "≥ 1,000,000 events/s",
            met: rate >= goalEventsPerSecond)
    }
}
