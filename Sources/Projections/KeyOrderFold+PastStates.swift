import DossierRules
import Foundation
import LMDB
import LedgerContract
import LedgerStore
import Synchronization
import SystemIO

extension KeyOrderFold {
    /// Every dossier as a replay keeping only the events `include` keeps
    /// folds it, in code order, with the reference data in force at its last
    /// kept event: what `forEachDossier(include:)` gives, read from the live
    /// projection wherever the replay changes nothing.
    ///
    /// For each live dossier state, by its event times (`DossierState.EventTimes`):
    /// - `include` keeps all of its events, and its last event comes before
    ///   every reference event `include` leaves out: the replay folds it to
    ///   its live state, which is handed out as it is;
    /// - `include` keeps none of its events: it is left out;
    /// - otherwise (a dossier in flight at the replay's instant, or after a
    ///   reference event the replay leaves out) it is folded from its own
    ///   stream, each kept event with the kept reference data before it.
    ///
    /// `include` must keep an event whenever it keeps one with times no
    /// earlier on both counts, as comparisons with an instant do. Events
    /// after seq `through` are left out too (the feeds that follow the log
    /// ask for the states at their position).
    ///
    /// Threads and transactions: with two cores, the live states are read
    /// and decoded (and the streams folded) on a second thread, in a read
    /// transaction of its own on `txn`'s snapshot
    /// (`Environment.readAlongside`), a batch of dossiers ahead of `body`
    /// (`dossiersPerBatch`, 1,024 by default), which runs on the calling
    /// thread, in order; `include` is called from that thread, so it must
    /// be a pure function of its arguments. When the second thread cannot read that snapshot (`txn`
    /// is a write transaction, or a commit or a map grown by another process
    /// came between), the calling thread reads everything in `txn`. The
    /// states lent to `body` are valid until it returns.
    /// Memory: three batches of states (one being reported, one waiting,
    /// one being read), one dossier's stream at a time, one copy of the
    /// reference data per run of kept reference events; mapped pages are
    /// released as the walk goes. When `body` throws, the second thread
    /// stops within 8,192 rows.
    /// - Complexity: O(d) for d dossiers, plus O(e log n) for the e events of
    ///   the dossiers folded from their streams; no pass over the log.
    @discardableResult
    package static func forEachPastDossier(_ ledger: Ledger, in txn: Transaction, through lastKept: UInt64 = .max,
                                           include: @escaping @Sendable (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                                           dossiersPerBatch: Int = pastDossiersPerBatch,
                                           _ body: (inout DossierState, ReferenceData) throws -> Void) throws -> Summary {
        var summary = Summary()
        var firstLeftOut = UInt64.max
        let versions = try referenceVersions(ledger, in: txn, through: lastKept, include: include, summary: &summary, firstLeftOut: &firstLeftOut)
        let walk = PastStatesWalk(ledger: ledger, lastKept: lastKept, firstLeftOut: firstLeftOut, versions: versions,
                                  map: try ledger.store.environment.mappedRegion(in: txn), include: include)
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            // The states are read and decoded (or folded) on a second thread, in a read transaction of its own
            // on the caller's snapshot, a batch ahead of `body` on this one.
            let snapshot = txn.id
            let helperSummary = Mutex<Summary?>(nil)
            let batches = BatchPrefetch<[PastDossier]>(producingAll: { emit, consumerStopped in
                try ledger.store.environment.readAlongside { own in
                    guard own.id == snapshot else { return }
                    var fold = try ledger.dossierFold(in: own)
                    var summary = Summary()
                    var batch: [PastDossier] = []
                    batch.reserveCapacity(dossiersPerBatch)
                    do {
                        // A replay to an early instant keeps few dossiers: the walk stops soon after `body` failed.
                        try walk.run(in: own, fold: &fold, summary: &summary, checkpoint: {
                            if consumerStopped() { throw BatchPrefetchStopped() }
                        }) { state, version in
                            batch.append(PastDossier(state: consume state, version: version))
                            if batch.count >= dossiersPerBatch {
                                // Handed over with no reference kept here, so that `body` changes the states in place.
                                var full: [PastDossier] = []
                                full.reserveCapacity(dossiersPerBatch)
                                swap(&full, &batch)
                                try emit(consume full)
                            }
                        }
                    } catch {
                        // `body` sees the dossiers before the damage, as in a walk on one thread.
                        if !(error is BatchPrefetchStopped), !batch.isEmpty { try? emit(batch) }
                        throw error
                    }
                    if !batch.isEmpty { try emit(batch) }
                    helperSummary.withLock { $0 = summary }
                }
            })
            defer { batches.stop() }
            while var batch = try batches.next() {
                // Lent in place, not copied out.
                try batch.withUnsafeMutableBufferPointer { dossiers in
                    var i = 0
                    while i < dossiers.count {
                        // A run of dossiers that saw the same version shares one copy of its reference data:
                        // read from the array for each, it was copied for each.
                        let version = dossiers[i].version, reference = versions[version].data
                        repeat {
                            try body(&dossiers[i].state, reference)
                            i += 1
                        } while i < dossiers.count && dossiers[i].version == version
                    }
                }
                batches.dispose(batch)   // freed on the walk's thread
            }
            // nil: the second thread could not read the caller's snapshot (a commit, or a map another process grew,
            // came between) and handed out nothing; this thread walks instead.
            if let walked = helperSummary.withLock({ $0 }) {
                summary.add(walked)
                return summary
            }
        }
        var fold = try ledger.dossierFold(in: txn)
        try walk.run(in: txn, fold: &fold, summary: &summary) { state, version in
            var state = consume state
            try body(&state, versions[version].data)
        }
        return summary
    }

    /// Past dossiers handed from the walk's thread to the caller's at a time.
    package static let pastDossiersPerBatch = 1024

    /// A dossier's state as of the replay and the index of the reference data in force at its last kept event.
    struct PastDossier: Sendable {
        var state: DossierState
        var version: Int
    }

    /// The walk of the live states `forEachPastDossier` makes, on whichever thread reads.
    private struct PastStatesWalk: @unchecked Sendable {   // the reference versions are read, never changed
        let ledger: Ledger
        let lastKept: UInt64
        let firstLeftOut: UInt64
        let versions: [ReferenceVersion]
        let map: Environment.MappedRegion
        let include: @Sendable (Timestamp, Timestamp) -> Bool

        /// Walks the live states in `txn`, giving `visit` each dossier the replay keeps, in code order;
        /// `checkpoint` runs every 8,192 rows or 1,024 records read from streams, and may stop the walk by throwing.
        func run(in txn: Transaction, fold dossierFold: inout DossierFold, summary: inout Summary,
                 checkpoint: () throws -> Void = {},
                 _ visit: (consuming DossierState, Int) throws -> Void) throws {
            let path = ledger.path
            func version(before seq: UInt64) -> Int { KeyOrderFold.version(before: seq, in: versions) }
            try txn.withCursor(try ledger.projections(in: txn).dossierStates) { cursor in
                var entry = try cursor.first()
                var streamReads = 0   // records read from streams since the mapped pages were last released
                while let row = entry {
                    summary.streams += 1
                    // A state row is read where the last one was; a stream's records lie anywhere in the log,
                    // each mapping a page-cache folio around it: release after every 8,192 rows or 1,024 records.
                    if summary.streams & 0x1FFF == 0 || streamReads >= 1024 {
                        try map.releaseAll()
                        streamReads = 0
                        try checkpoint()
                    }
                    guard let code = String(storedUTF8: row.key) else {
                        throw LedgerError(.corrupt, "\(path): a dossier-state row has a damaged key")
                    }
                    let header: (version: UInt32, lastSeq: UInt64, eventTimes: DossierState.EventTimes)
                    let encoded: UnsafeRawBufferPointer
                    do throws(RecordDecodingError) {
                        encoded = try DossierRow.split(row.value).state
                        header = try DossierState.header(ofEncoded: encoded)
                    } catch {
                        throw LedgerError(.corrupt, "\(path): dossier \(code): its stored state does not decode: \(error.reason)")
                    }
                    summary.dossierEvents += UInt64(header.version)
                    let times = header.eventTimes
                    if !include(Timestamp(seconds: times.earliestAt), Timestamp(seconds: times.earliestRecordedAt)) {
                        // No event kept.
                    } else if include(Timestamp(seconds: times.latestAt), Timestamp(seconds: times.latestRecordedAt)),
                              header.lastSeq < firstLeftOut, header.lastSeq <= lastKept {
                        let state: DossierState
                        do throws(RecordDecodingError) { state = try DossierState(decoding: encoded, code: code) } catch {
                            throw LedgerError(.corrupt, "\(path): dossier \(code): its stored state does not decode: \(error.reason)")
                        }
                        summary.dossiers += 1
                        summary.lastSeq = max(summary.lastSeq, state.lastSeq)
                        let referenceVersion = version(before: state.lastSeq)
                        try visit(consume state, referenceVersion)   // moved, not copied
                    } else {
                        let stream = try ledger.store.records(ofDossier: code, through: lastKept, in: txn)
                        streamReads += stream.count
                        if case let (state, lastSeq, referenceVersion)? = try foldStream(stream, of: code, versions: versions, fold: &dossierFold,
                                                                                          path: path, include: include) {
                            summary.dossiers += 1
                            summary.foldedFromStreams += 1
                            summary.lastSeq = max(summary.lastSeq, lastSeq)
                            try visit(consume state, referenceVersion)
                        }
                    }
                    entry = try cursor.next()
                }
            }
        }
    }

    /// Dossier `code` folded from `stream`, its records in order: each event
    /// `include` keeps, with the last of `versions` before it. Gives the
    /// state, its last kept seq and the index of the reference data in force
    /// there; nil when no event is kept.
    static func foldStream(_ stream: [RecordView], of code: String, versions: [ReferenceVersion], fold: inout DossierFold, path: String,
                           include: (Timestamp, Timestamp) -> Bool = { _, _ in true }) throws -> (state: DossierState, lastSeq: UInt64, version: Int)? {
        var state = DossierState(code: code)
        var last: (seq: UInt64, version: Int)?
        for view in stream where include(view.at, view.recordedAt) {
            let v = version(before: view.seq, in: versions)
            do {
                try fold.apply(view, to: &state, reference: versions[v].data) { _ in
                    stream.filter { $0.seq <= view.seq && include($0.at, $0.recordedAt) }
                }
            } catch let e as RecordDecodingError {
                throw LedgerError(.corrupt, "\(path): dossier \(code): seq \(view.seq): stored bytes do not decode: \(e.reason)")
            }
            last = (view.seq, v)
        }
        return last.map { (state, $0.seq, $0.version) }
    }

    /// The index of the last of `versions` (in seq order, version 0 at seq 0, before every event) before `seq`.
    static func version(before seq: UInt64, in versions: [ReferenceVersion]) -> Int {
        var low = 0, high = versions.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if versions[mid].seq < seq { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
