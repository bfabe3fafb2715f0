import LMDB
import Projections

/// Bytes on disk per event (every table: log, indexes, strings and
/// projections) against the NDJSON bytes per event of the same input.
enum StorageBenchmark {
    static func figure(_ ledger: Ledger, input: Input) throws -> Figure {
        let events = Double(input.events)
        let inUse = try ledger.store.bytesInUse()
        let perEvent = Double(inUse) / events
        let ndjsonPerEvent = Double(input.bytes) / events
        let ratio = perEvent / ndjsonPerEvent
        // Where the bytes go: pages of each table, per event.
        let s = ledger.store.tables
        let details = try ledger.store.read { txn in
            let p = try ledger.projections(in: txn)
            let tables: [(String, Database)] = [
                ("events", s.events), ("ids", s.ids), ("streams", s.streams), ("dossiers", s.dossiers),
                ("dossierCodes", s.dossierCodes), ("strings", s.strings),
                ("references", s.references), ("meta", s.meta),
                ("dossierStates", p.dossierStates), ("kpiDays", p.kpiDays), ("openDossiers", p.openDossiers),
                ("checkpoints", ledger.tables.checkpoints),
            ]
            return try tables.map { name, db in Value(name, Double(try txn.statistics(db).bytes) / events, .bytesPerEvent) }
        }.filter { $0.number >= 0.05 }
        return Figure(
            name: "storage",
            subject: Side(label: "ledger bytes in use (all tables) per event",
                          values: [Value("bytesInUse", Double(inUse), .bytes, label: "total"), Value("bytesPerEvent", perEvent, .bytesPerEvent)]),
            baseline: Side(label: "NDJSON input bytes per event",
                           values: [Value("ndjsonBytes", Double(input.bytes), .bytes, label: "total"), Value("bytesPerEvent", ndjsonPerEvent, .bytesPerEvent)]),
            comparison: Value("ratio", ratio, .ratio),
            comparisonLabel: "ledger / NDJSON",
            goal: "≤ 1.0×",
            met: ratio <= 1.0,
            details: details)
    }
}
