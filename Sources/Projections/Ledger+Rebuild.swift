import DossierRules
import LMDB
import LedgerStore
import LedgerContract

extension Ledger {
    /// Drops every projection and rebuilds it from the log, in one write
    /// transaction (readers see the old projections until it commits; a
    /// rebuild killed before its commit leaves them as they were), and
    /// records the projections' layout (`projectionFormat`). The dossiers are
    /// folded a chunk at a time in key order (`KeyOrderFold`), so memory does
    /// not grow with their number.
    /// - Parameter chunkSize: dossiers folded together (`Options.foldChunkSize` by default).
    /// - Returns: events folded and dossiers written.
    @discardableResult
    public func rebuildProjections(chunkSize: Int? = nil,
                                   progress: (UInt64) -> Void = { _ in }) throws -> (events: UInt64, dossiers: Int) {
        // The new tables are written before the old pages are free again (at
        // commit): room for a copy of them.
        let projectionBytes = try store.read { txn in
            try [tables.dossierStates, tables.kpiDays, tables.openDossiers].reduce(0) { $0 + (try txn.statistics($1).bytes) }
        }
        try store.environment.reserve(bytes: projectionBytes + projectionBytes / 4 + (16 << 20))
        return try store.environment.write { txn in
            let head = try store.head(in: txn).seq
            try txn.removeAll(tables.dossierStates)
            try txn.removeAll(tables.kpiDays)
            try txn.removeAll(tables.openDossiers)
            var writer = ProjectionWriter(ledger: self, tablesAreEmpty: true)
            let summary = try writer.appendingRows(in: txn) { writer in
                try KeyOrderFold.forEachDossier(self, in: txn, chunkSize: chunkSize, progress: progress) { state, reference in
                    try writer.write(state, reference: reference, in: txn)
                }
            }
            try checkStreamsCoverTheLog(summary, head: head, in: txn)
            try writer.finish(checkpoint: head, in: txn)
            try txn.put(store.tables.meta, key: Array(Self.projectionFormatKey.utf8), value: [Self.projectionFormat])
            return (head, summary.dossiers)
        }
    }

    /// Every event of the log is either in a dossier's stream or in the
    /// index of reference events, and every dossier numbered has a row in the dossier table.
    private func checkStreamsCoverTheLog(_ summary: KeyOrderFold.Summary, head: UInt64, in txn: Transaction) throws {
        let named = try store.dossierCount(in: txn)
        guard named == summary.streams else {
            throw LedgerError(.corrupt, "\(path): the dossier table names \(named) dossiers but the dossier-number table \(summary.streams)")
        }
        let references = UInt64(try txn.statistics(store.tables.references).entries)
        guard summary.dossierEvents + references == head else {
            throw LedgerError(.corrupt, "\(path): the log holds \(head) events but the dossiers' streams name \(summary.dossierEvents) and the index of reference events \(references)")
        }
    }

    /// Rebuilds the projections in memory, a chunk of dossiers at a time,
    /// and compares them with the live ones as it goes (both in key order).
    /// Returns the differences found (empty when they agree), at most `limit`.
    public func projectionDifferences(limit: Int = 20, chunkSize: Int? = nil) throws -> [String] {
        try store.read { txn in
            var differences: [String] = []
            func note(_ s: String) { if differences.count < limit { differences.append(s) } }
            let head = try store.head(in: txn).seq
            for name in Self.projectionNames {
                let cp = try checkpoint(name, in: txn)
                if cp != head { note("projection \(name): checkpoint \(cp) but the log's head is \(head)") }
            }
            // Agency-days: bounded by agencies × days, not by dossiers.
            var expectedKPI: [KPIKey: KPICounters] = [:]
            let summary = try txn.withCursor(tables.openDossiers) { openIndex in
                var indexed = try openIndex.first()
                /// Walks the index of open dossiers up to `code` (nil: to its end), noting entries that are not open dossiers.
                func indexEntries(before code: String?) throws -> Bool {
                    while let e = indexed {
                        let key = String(decoding: e.key, as: UTF8.self)
                        if let code, !Key.precedes(key, code) { return key == code }
                        note("dossier \(key): in the index of open dossiers but not open")
                        indexed = try openIndex.next()
                    }
                    return false
                }
                let summary = try KeyOrderFold.forEachDossier(self, in: txn, chunkSize: chunkSize) { state, reference in
                    let code = state.code
                    if let live = try dossier(code, in: txn) {
                        if live != state { note("dossier \(code): live state differs from a rebuild (live: \(live.stage.name), v\(live.version); rebuilt: \(state.stage.name), v\(state.version))") }
                    } else {
                        note("dossier \(code): missing from the live dossier states")
                    }
                    let isIndexed = try indexEntries(before: code)
                    if isIndexed {
                        if !state.stage.isOpen { note("dossier \(code): in the index of open dossiers but not open") }
                        indexed = try openIndex.next()
                    } else if state.stage.isOpen {
                        note("dossier \(code): open but missing from the index of open dossiers")
                    }
                    expectedKPI.add(state, reference: reference)
                }
                _ = try indexEntries(before: nil)
                return summary
            }
            do { try checkStreamsCoverTheLog(summary, head: head, in: txn) } catch let e as LedgerError { note(e.message) }
            let liveCount = try txn.statistics(tables.dossierStates).entries
            if liveCount != summary.dossiers { note("dossier states: \(liveCount) live, \(summary.dossiers) rebuilt") }
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
