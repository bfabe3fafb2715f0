import DossierRules
import LMDB
import LedgerStore

/// A fold of the log from seq 1, in memory: every dossier's state and the
/// reference data, as the live projections would hold them after the same
/// events. Used by `rebuild`, by `verify` and by replays as of a past instant.
///
/// - Complexity: O(n) in the events folded, plus a re-read of a dossier's
///   stream for each `event.voided`; memory O(dossiers).
public struct ProjectionFold {
    public private(set) var reference: ReferenceData
    /// Each dossier's state with the reference data in force at its last event.
    public private(set) var dossiers: [String: (state: DossierState, reference: ReferenceData)] = [:]
    public private(set) var lastSeq: UInt64 = 0

    /// - Parameter reference: the reference data before the first event (`Ledger.emptyReference`).
    public init(reference: ReferenceData) { self.reference = reference }

    /// Applies the next event of the log. `streamUpTo` gives a dossier's
    /// events up to the current one (for refolding after a void).
    public mutating func apply(_ e: RecordedEvent, streamUpTo: (String) throws -> [RecordedEvent]) throws {
        lastSeq = e.seq
        guard let code = e.event.dossier else {
            do { try reference.apply(e.event, seq: e.seq) } catch {
                throw LedgerError(.corrupt, "seq \(e.seq): stored reference event no longer applies: \(error.rule)")
            }
            return
        }
        if e.event.type == .eventVoided {
            dossiers[code] = (DossierState.fold(code: code, events: try streamUpTo(code), reference: reference), reference)
        } else {
            // Mutated in place: copying a state out and back costs more than folding the event.
            let reference = self.reference
            var index = dossiers.index(forKey: code)
            if index == nil {
                dossiers[code] = (DossierState(code: code), reference)
                index = dossiers.index(forKey: code)
            }
            dossiers.values[index!].state.apply(e, reference: reference)
            dossiers.values[index!].reference = reference
        }
    }

    /// Folds the whole log (or up to `to`), keeping only events `include` accepts.
    public static func fold(_ ledger: Ledger, to: UInt64 = .max, in txn: Transaction,
                            include: (RecordedEvent) -> Bool = { _ in true },
                            progress: (UInt64) -> Void = { _ in }) throws -> ProjectionFold {
        var fold = ProjectionFold(reference: ledger.emptyReference)
        fold.dossiers.reserveCapacity(try ledger.store.dossierCount(in: txn))
        let store = ledger.store
        try store.forEachEvent(to: to, in: txn) { e in
            guard include(e) else { return true }
            try fold.apply(e) { code in
                // Re-read the dossier's stream, keeping what `include` keeps and stopping at this event.
                try store.events(ofDossier: code, in: txn).filter { $0.seq <= e.seq && include($0) }
            }
            if e.seq & 0xFFFF == 0 { progress(e.seq) }
            return true
        }
        return fold
    }
}

extension Ledger {
    /// Drops every projection and rebuilds it from the log, in one write
    /// transaction (readers see the old projections until it commits).
    /// - Returns: events folded and dossiers written.
    @discardableResult
    public func rebuildProjections(progress: (UInt64) -> Void = { _ in }) throws -> (events: UInt64, dossiers: Int) {
        try store.environment.write { txn in
            let fold = try ProjectionFold.fold(self, in: txn, progress: progress)
            try txn.removeAll(tables.dossierStates)
            try txn.removeAll(tables.kpiContributions)
            try txn.removeAll(tables.kpiDays)
            var writer = ProjectionWriter(ledger: self)
            for code in fold.dossiers.keys.sorted() {
                let entry = fold.dossiers[code]!
                try writer.write(entry.state, reference: entry.reference, in: txn)
            }
            try writer.finish(checkpoint: fold.lastSeq, in: txn)
            return (fold.lastSeq, fold.dossiers.count)
        }
    }

    /// Rebuilds the projections in memory and compares them with the live
    /// ones. Returns the differences found (empty when they agree).
    public func projectionDifferences(limit: Int = 20) throws -> [String] {
        try store.read { txn in
            var differences: [String] = []
            func note(_ s: String) { if differences.count < limit { differences.append(s) } }
            let fold = try ProjectionFold.fold(self, in: txn)
            let head = try store.head(in: txn).seq
            for name in Self.projectionNames {
                let cp = try checkpoint(name, in: txn)
                if cp != head { note("projection \(name): checkpoint \(cp) but the log's head is \(head)") }
            }
            let expectedKPI = fold.kpiDays
            for (code, entry) in fold.dossiers {
                guard let live = try dossier(code, in: txn) else { note("dossier \(code): missing from the live dossier states"); continue }
                if live != entry.state { note("dossier \(code): live state differs from a rebuild (live: \(live.stage.name), v\(live.version); rebuilt: \(entry.state.stage.name), v\(entry.state.version))") }
            }
            let liveCount = try txn.statistics(tables.dossierStates).entries
            if liveCount != fold.dossiers.count { note("dossier states: \(liveCount) live, \(fold.dossiers.count) rebuilt") }
            var seen = Set<KPIKey>()
            try txn.withCursor(tables.kpiDays) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    guard let key = KPIKey(e.key), let counters = try? KPICounters(decoding: e.value) else {
                        note("KPI counters: an entry does not decode"); entry = try cursor.next(); continue
                    }
                    seen.insert(key)
                    let expected = expectedKPI[key] ?? KPICounters()
                    if counters.values != expected.values {
                        note("KPI \(key.agency) day \(key.day): live \(counters.values) but rebuilt \(expected.values)")
                    }
                    entry = try cursor.next()
                }
            }
            for (key, expected) in expectedKPI where !seen.contains(key) && expected.values.contains(where: { $0 != 0 }) {
                note("KPI \(key.agency) day \(key.day): missing from the live counters")
            }
            return differences
        }
    }
}
