import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import SystemIO

extension Ledger {
    /// Dossier rows written per commit while rebuilding. Each commit's
    /// pages wait in memory until it commits (about 30 MB at this size),
    /// and each commit waits for its fsync: at 10^7 events, commits of
    /// 8,192 rows made the rebuild 5–10 % slower for the same peak.
    static let rowsPerRebuildCommit = 65536

    /// Rebuilds every projection from the log into the projection set that
    /// is not live, then makes it live in one commit, with its layout
    /// (`projectionFormat`) and checkpoints; the old set is emptied in that
    /// commit. Readers see the old projections until then — never a
    /// half-built set — and a rebuild killed at any moment leaves them live
    /// (the next rebuild starts the other set again).
    ///
    /// The dossiers are folded from one snapshot of the log, a chunk at a
    /// time in key order (`KeyOrderFold`), and their rows written in
    /// commits of `rowsPerRebuildCommit`, so memory grows neither with the
    /// dossiers nor with the rows. The rows are merged in code order on a
    /// second thread, a batch (`RebuiltRows`) ahead of the commits. Events other processes append meanwhile
    /// are folded into the new set in the last commit, before it goes live.
    /// - Parameter chunkSize: dossiers folded together (`Options.foldChunkSize` by default).
    /// - Returns: events folded and dossiers written.
    @discardableResult
    public func rebuildProjections(chunkSize: Int? = nil,
                                   progress: (UInt64) -> Void = { _ in }) throws -> (events: UInt64, dossiers: Int) {
        try rebuildProjections(chunkSize: chunkSize, rowsPerCommit: Self.rowsPerRebuildCommit, rowsPerBatch: RebuiltRows.size, progress: progress)
    }

    /// `rebuildProjections` with its rows written in commits of at least
    /// `rowsPerCommit` rows, merged in batches of `rowsPerBatch` (tests force
    /// them tiny, so that their boundaries fall between any two rows).
    package func rebuildProjections(chunkSize: Int?, rowsPerCommit: Int, rowsPerBatch: Int,
                                    progress: (UInt64) -> Void) throws -> (events: UInt64, dossiers: Int) {
        precondition(rowsPerCommit > 0 && rowsPerBatch > 0)
        // The set to fill: the one not live, emptied.
        let (next, old, liveBytes) = try store.environment.write { txn -> (Int, Int, Int) in
            let live = try liveProjectionSet(in: txn)
            for table in tables.sets[1 - live].all { try txn.removeAll(table) }
            let bytes = try tables.sets[live].all.reduce(0) { $0 + (try txn.statistics($1).bytes) }
            return (1 - live, live, bytes)
        }
        let target = tables.sets[next]
        // Room for the new set beside the old one (the old pages are free only after the last commit).
        try store.environment.reserve(bytes: liveBytes + liveBytes / 4 + (16 << 20))
        let (folded, head) = try store.read { txn in
            let head = try store.head(in: txn).seq
            let folded = try KeyOrderFold.fold(self, in: txn, chunkSize: chunkSize, progress: progress)
            try checkStreamsCoverTheLog(folded.summary, head: head, in: txn)
            return (folded, head)
        }
        // The rows are merged in code order on a second thread, a batch ahead of this one, which writes and commits them.
        let batches = BatchPrefetch<RebuiltRows> {
            var batch = RebuiltRows(capacity: rowsPerBatch)
            while batch.count < rowsPerBatch, try folded.next({ code, row, _ in batch.append(row, code: code) }) != nil {}
            return batch.count == 0 ? nil : batch
        }
        defer { batches.stop() }
        var writer = ProjectionWriter(ledger: self, tables: target, tablesAreEmpty: true)
        var rowsLeft = true
        while rowsLeft {
            try store.environment.reserve(bytes: 64 << 20)
            var attempts = 0
            try store.environment.write { txn in
                // Rows handed out are gone and the writer's KPI sums must count each row once: no second run of this closure.
                attempts += 1
                guard attempts == 1 else { throw LedgerError(.storage, "\(path): the map filled while the rebuild wrote its rows; run the rebuild again") }
                try writer.withRowCursor(in: txn) { writer in
                    var written = 0
                    while written < rowsPerCommit {
                        guard let batch = try batches.next() else {
                            rowsLeft = false
                            return
                        }
                        try batch.forEach { code, row in try writer.appendRow(row, code: code, in: txn) }
                        written += batch.count
                        batches.dispose(batch)
                    }
                }
            }
            // What the commits read of the map (free-page lists, the tables' last pages) stays bounded too.
            try store.environment.releaseMappedPagesOverBudget()
        }
        var attempts = 0
        return try store.environment.write { txn in
            attempts += 1
            guard attempts == 1 else { throw LedgerError(.storage, "\(path): the map filled while the rebuild finished; run the rebuild again") }
            try writer.finish(checkpoint: head, in: txn)
            let now = try store.head(in: txn).seq
            if now > head { try catchUp(target, from: head, to: now, reference: folded.lastReference, in: txn) }
            try txn.put(store.tables.meta, key: Array(Self.projectionSetKey.utf8), value: [UInt8(next)])
            try txn.put(store.tables.meta, key: Array(Self.projectionFormatKey.utf8), value: [Self.projectionFormat])
            for table in tables.sets[old].all { try txn.removeAll(table) }
            return (now, try txn.statistics(target.dossierStates).entries)
        }
    }

    /// Folds the events after `head` up to `now` (appended while a rebuild
    /// folded its snapshot) into the projection tables `set`, as an append
    /// folds them into the live ones; `reference` is the reference data as
    /// of `head`.
    private func catchUp(_ set: ProjectionTables, from head: UInt64, to now: UInt64, reference: ReferenceData, in txn: Transaction) throws {
        var reference = reference
        var fold = try dossierFold(in: txn)
        var writer = ProjectionWriter(ledger: self, tables: set)
        try store.forEachRecord(from: head + 1, to: now, in: txn) { seq, raw in
            do {
                let view = try RecordView(raw, seq: seq)
                guard view.isDossierEvent else {
                    try apply(seq: seq, to: &reference, in: txn)
                    return true
                }
                let code = try store.dossierCode(number: view.dossierNumber, in: txn)
                var state = try dossier(code, from: set, in: txn) ?? DossierState(code: code)
                try fold.apply(view, to: &state, reference: reference) { code in
                    try store.records(ofDossier: code, in: txn).filter { $0.seq <= seq }
                }
                try writer.write(state, reference: reference, in: txn)
            } catch let e as RecordDecodingError {
                throw LedgerError(.corrupt, "\(path): seq \(seq): stored bytes do not decode: \(e.reason)")
            }
            return true
        }
        try writer.finish(checkpoint: now, in: txn)
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
    /// and compares them with the live ones as it goes, each rebuilt row
    /// with the live row of its code.
    /// Returns the differences found (empty when they agree), at most `limit`.
    public func projectionDifferences(limit: Int = 20, chunkSize: Int? = nil) throws -> [String] {
        try projectionDifferences(limit: limit, chunkSize: chunkSize, foldThreads: KeyOrderFold.foldThreads())
    }

    /// `projectionDifferences(limit:chunkSize:)` folding each chunk on `foldThreads` threads (`KeyOrderFold.forEachRowInFoldOrder`).
    func projectionDifferences(limit: Int = 20, chunkSize: Int? = nil, foldThreads: Int) throws -> [String] {
        try store.read { txn in
            var differences: [String] = []
            func note(_ s: String) { if differences.count < limit { differences.append(s) } }
            let head = try store.head(in: txn).seq
            for name in Self.projectionNames {
                let cp = try checkpoint(name, in: txn)
                if cp != head { note("projection \(name): checkpoint \(cp) but the log's head is \(head)") }
            }
            // Agency-days: bounded by agencies × days, not by dossiers.
            var expectedKPI = KPIDayDeltas()
            let live = try projections(in: txn)
            // Each rebuilt row is looked up in the live tables as its chunk is folded (no spill, no merge), through
            // cursors and in the chunk's code order, so most lookups land on the page of the one before; the live
            // rows with no rebuilt one are found by counting, and the index entries by a walk when they miss.
            var indexedDossiers = 0
            let summary = try txn.withCursor(live.dossierStates) { liveRows in try txn.withCursor(live.openDossiers) { openIndex in
                try KeyOrderFold.forEachRowInFoldOrder(self, in: txn, chunkSize: chunkSize, foldThreads: foldThreads) { code, row in
                    // Rows are compared as bytes; a difference is explained from the states.
                    let rebuilt = try DossierRow.split(row)
                    let isOpen = try DossierState.stage(ofEncoded: rebuilt.state).isOpen
                    let (stored, isIndexed) = try code.withUTF8Bytes { key in
                        (try liveRows.find(key)?.value, try openIndex.find(key) != nil)
                    }
                    if let stored {
                        if !Key.sameBytes(stored, row) { note(explainDifference(code: code, live: stored, rebuilt: row)) }
                    } else {
                        note("dossier \(code): missing from the live dossier states")
                    }
                    if isIndexed {
                        indexedDossiers += 1
                        if !isOpen { note("dossier \(code): in the index of open dossiers but not open") }
                    } else if isOpen {
                        note("dossier \(code): open but missing from the index of open dossiers")
                    }
                    try DossierRow.forEachContribution(rebuilt.contributions) { expectedKPI.add($0) }
                }
            } }
            if try txn.statistics(live.openDossiers).entries != indexedDossiers {
                // Entries naming no dossier of the log (every dossier there was rebuilt, and looked up above).
                try txn.withCursor(live.openDossiers) { openIndex in
                    var entry = try openIndex.first()
                    while let e = entry {
                        if try txn.get(store.tables.dossiers, key: e.key) == nil {
                            note("dossier \(String(decoding: e.key, as: UTF8.self)): in the index of open dossiers but not open")
                        }
                        entry = try openIndex.next()
                    }
                }
            }
            do { try checkStreamsCoverTheLog(summary, head: head, in: txn) } catch let e as LedgerError { note(e.message) }
            let liveCount = try txn.statistics(live.dossierStates).entries
            if liveCount != summary.dossiers { note("dossier states: \(liveCount) live, \(summary.dossiers) rebuilt") }
            var seen = [Bool](repeating: false, count: expectedKPI.count)
            try txn.withCursor(live.kpiDays) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    guard let key = KPIKey(e.key), let counters = try? KPICounters(decoding: e.value) else {
                        note("KPI counters: an entry does not decode"); entry = try cursor.next(); continue
                    }
                    let slot = expectedKPI.slot(of: key)
                    if let slot { seen[slot] = true }
                    let expected = slot.map { expectedKPI.counters(ofSlot: $0) } ?? KPICounters()
                    if counters.values != expected.values {
                        note("KPI \(key.agency) day \(key.day): live \(counters.values) but rebuilt \(expected.values)")
                    }
                    entry = try cursor.next()
                }
            }
            for slot in seen.indices where !seen[slot] && expectedKPI.changes(slot: slot) {
                let key = expectedKPI.key(ofSlot: slot)
                note("KPI \(key.agency) day \(key.day): missing from the live counters")
            }
            return differences
        }
    }

    /// What differs between a dossier's live row and the row a rebuild made of it.
    private func explainDifference(code: String, live: UnsafeRawBufferPointer, rebuilt: UnsafeRawBufferPointer) -> String {
        let stored: DossierState
        do { stored = try DossierRow.state(live, code: code) } catch {
            return "dossier \(code): the live row does not decode: \(error.reason)"
        }
        guard let state = try? DossierRow.state(rebuilt, code: code) else { return "dossier \(code): a rebuilt row does not decode" }
        if stored != state {
            return "dossier \(code): live state differs from a rebuild (live: \(stored.stage.name), v\(stored.version); rebuilt: \(state.stage.name), v\(state.version))"
        }
        return "dossier \(code): live KPI contributions differ from a rebuild"
    }
}

/// A batch of rebuilt dossier rows in code order, as the fold hands them
/// out: each row's bytes and its dossier's code, held in two buffers.
struct RebuiltRows: Sendable {
    /// Rows a batch holds: a few MB, so the batch waiting and the one being
    /// written cost little memory beside a commit's pages.
    static let size = 8192

    private var codes: [String] = []
    private var bytes: [UInt8] = []
    /// Where each row ends in `bytes`.
    private var ends: [Int] = []

    init(capacity: Int) {
        codes.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
    }

    var count: Int { codes.count }

    mutating func append(_ row: UnsafeRawBufferPointer, code: String) {
        codes.append(code)
        bytes.append(contentsOf: row)
        ends.append(bytes.count)
    }

    /// Calls `body` with each row's code and bytes, in order.
    func forEach(_ body: (_ code: String, _ row: UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for (code, end) in zip(codes, ends) {
                try body(code, UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }
}
