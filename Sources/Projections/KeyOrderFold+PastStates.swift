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
    /// and decoded (and the streams folded) on `pastStateWalkers` threads,
    /// each in a read transaction of its own on `txn`'s snapshot
    /// (`Environment.readAlongside`): they take the table's rows in runs of
    /// `dossiersPerBatch` (1,024 by default) in turn, each a run ahead of
    /// `body`, which runs on the calling thread, in order. `include` is
    /// called from those threads at once, so it must be a pure function of
    /// its arguments. When a walker cannot read that snapshot (`txn` is a
    /// write transaction, or a commit or a map grown by another process
    /// came between), none hands out anything and the calling thread reads
    /// everything in `txn`. The states lent to `body` are valid until it
    /// returns.
    /// Memory: per walker, two batches of states (one waiting, one being
    /// read), and the batch being reported; one dossier's stream at a time
    /// per walker, one copy of the reference data per run of kept reference
    /// events; mapped pages are released as the walk goes. When `body`
    /// throws, the walkers stop within 8,192 rows.
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
                                  include: include)
        summary.add(try walkStates(walk, in: txn, dossiersPerBatch: dossiersPerBatch, body))
        return summary
    }

    /// Every dossier's live state, in code order, each as it is stored:
    /// read and decoded as `forEachPastDossier` reads them (on its walkers,
    /// in its memory), without the reference data's versions, which a live
    /// walk takes from its own snapshot.
    @discardableResult
    package static func forEachLiveDossier(_ ledger: Ledger, in txn: Transaction, dossiersPerBatch: Int = pastDossiersPerBatch,
                                           _ body: (inout DossierState) throws -> Void) throws -> Summary {
        // Every event kept and no reference event left out: each live state is handed out as it is stored.
        let walk = PastStatesWalk(ledger: ledger, lastKept: .max, firstLeftOut: .max,
                                  versions: [ReferenceVersion(seq: 0, data: ledger.emptyReference)],
                                  include: { _, _ in true })
        return try walkStates(walk, in: txn, dossiersPerBatch: dossiersPerBatch) { state, _ in try body(&state) }
    }

    /// Runs `walk` as `forEachPastDossier` describes: on the walkers where there are two cores, else on this thread.
    private static func walkStates(_ walk: PastStatesWalk, in txn: Transaction, dossiersPerBatch: Int,
                                   _ body: (inout DossierState, ReferenceData) throws -> Void) throws -> Summary {
        precondition(dossiersPerBatch >= 1, "a batch of past dossiers holds at least one")
        let ledger = walk.ledger, versions = walk.versions
        var summary = Summary()
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            // The states are read and decoded (or folded) on `pastStateWalkers` threads, each in a read transaction of
            // its own on the caller's snapshot, a batch ahead of `body` on this one: walker k reads the k-th run of
            // `dossiersPerBatch` rows of every `pastStateWalkers`, and this thread takes their batches in turn.
            let snapshot = txn.id
            let walkers = pastStateWalkers
            let opened = WalkersOpened(walkers)
            let prefetches = (0..<walkers).map { index in
                BatchPrefetch<PastBatch>(producingAll: { emit, consumerStopped in
                    var readable = false
                    defer { if !readable { opened.report(index, readable: false) } }
                    try ledger.store.environment.readAlongside { own in
                        readable = true
                        // Every walker reads the caller's snapshot, or none does (and this thread walks alone).
                        guard opened.report(index, readable: own.id == snapshot) else { return }
                        var fold = try ledger.dossierFold(in: own)
                        var summary = Summary()
                        var batch: [PastDossier] = []
                        batch.reserveCapacity(dossiersPerBatch)
                        let share = WalkShare(index: index, count: walkers, rows: dossiersPerBatch)
                        do {
                            // A replay to an early instant keeps few dossiers: the walk stops soon after `body` failed.
                            try walk.run(in: own, fold: &fold, summary: &summary, share: share, checkpoint: {
                                if consumerStopped() { throw BatchPrefetchStopped() }
                            }, endOfRun: {
                                // Handed over with no reference kept here, so that `body` changes the states in place.
                                var full: [PastDossier] = []
                                full.reserveCapacity(dossiersPerBatch)
                                swap(&full, &batch)
                                try emit(PastBatch(dossiers: consume full, endsWalk: false))
                            }) { state, version in
                                batch.append(PastDossier(state: consume state, version: version))
                            }
                        } catch {
                            // `body` sees the dossiers before the damage, and none after, as in a walk on one thread.
                            if !(error is BatchPrefetchStopped) { try? emit(PastBatch(dossiers: batch, endsWalk: true)) }
                            throw error
                        }
                        opened.finished(index, summary)
                    }
                })
            }
            defer { for prefetch in prefetches { prefetch.stop() } }
            var turn = 0
            while var batch = try prefetches[turn].next() {
                // Lent in place, not copied out.
                try batch.dossiers.withUnsafeMutableBufferPointer { dossiers in
                    var i = 0
                    while i < dossiers.count {
                        // A run of dossiers that saw the same version shares one copy of its reference data
                        // (read from the array for each dossier, it would be copied for each).
                        let version = dossiers[i].version, reference = versions[version].data
                        repeat {
                            try body(&dossiers[i].state, reference)
                            i += 1
                        } while i < dossiers.count && dossiers[i].version == version
                    }
                }
                let endsWalk = batch.endsWalk
                prefetches[turn].dispose(batch)   // freed on its walker's thread
                // After a walker's last batch comes what it threw; the other walkers' later runs are not reported.
                if endsWalk { _ = try prefetches[turn].next() }
                turn = (turn + 1) % walkers
            }
            for prefetch in prefetches { prefetch.stop() }   // each walker's summary is in once its thread is done
            // nil: a walker could not read the caller's snapshot (a commit, or a map another process grew,
            // came between) and none handed out anything; this thread walks instead.
            if let walked = opened.summary() {
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

    /// Dossiers handed from a walker's thread to the caller's at a time: a
    /// walker's run of rows.
    package static let pastDossiersPerBatch = 1024

    /// Threads reading and decoding the stored states of a replay or a live
    /// walk, each a run of rows in turn (where there are two cores):
    /// decoding is most of a replay's work, and with one reader the
    /// caller's thread and the one writing its output would wait on it.
    static let pastStateWalkers = 2

    /// One walker's run of rows, as many past dossiers as it kept, and
    /// whether the walk ended there on an error (which comes next).
    struct PastBatch: Sendable {
        var dossiers: [PastDossier]
        var endsWalk: Bool
    }

    /// Which rows of the state table a walker reads: in runs of `rows`, the
    /// `index`-th run of every `count`.
    struct WalkShare {
        var index = 0
        var count = 1
        var rows = Int.max

        func owns(row: Int) -> Bool { count == 1 || (row / rows) % count == index }
    }

    /// Whether the walkers of one replay opened the caller's snapshot, and
    /// the summary of each once it is done.
    private final class WalkersOpened: Sendable {
        private struct Reports {
            var readable: [Bool?]
            var summaries: [Summary?]
        }
        private let reports: Mutex<Reports>
        private let allReported = DispatchGroup()

        init(_ walkers: Int) {
            reports = Mutex(Reports(readable: Array(repeating: nil, count: walkers), summaries: Array(repeating: nil, count: walkers)))
            for _ in 0..<walkers { allReported.enter() }
        }

        /// Reports once whether walker `index` reads the caller's snapshot, and waits for
        /// every walker's report: whether all of them do.
        @discardableResult
        func report(_ index: Int, readable: Bool) -> Bool {
            let first = reports.withLock { reports in
                defer { if reports.readable[index] == nil { reports.readable[index] = readable } }
                return reports.readable[index] == nil
            }
            if first { allReported.leave() }
            allReported.wait()
            return reports.withLock { $0.readable.allSatisfy { $0 == true } }
        }

        func finished(_ index: Int, _ summary: Summary) {
            reports.withLock { $0.summaries[index] = summary }
        }

        /// The walkers' summaries added up; nil unless every walker finished.
        func summary() -> Summary? {
            reports.withLock { reports in
                var total = Summary()
                for case let walked? in reports.summaries { total.add(walked) }
                return reports.summaries.allSatisfy { $0 != nil } ? total : nil
            }
        }
    }

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
        let include: @Sendable (Timestamp, Timestamp) -> Bool

        /// Walks the live states in `txn` that `share` owns, giving `visit` each dossier the replay keeps, in
        /// code order, and calling `endOfRun` after each run of rows `share` owns (the last one too, when cut short);
        /// `checkpoint` runs every 8,192 rows or 1,024 records read from streams, and may stop the walk by throwing;
        /// the mapped pages are released there. Between, they stay within the budget (`Environment.MappedPageBudget`):
        /// a row counts one step on the leaf of the last one and a far read on a leaf elsewhere, a record read from a
        /// stream a far read.
        func run(in txn: Transaction, fold dossierFold: inout DossierFold, summary: inout Summary, share: WalkShare = WalkShare(),
                 checkpoint: () throws -> Void = {}, endOfRun: () throws -> Void = {},
                 _ visit: (consuming DossierState, Int) throws -> Void) throws {
            let path = ledger.path
            func version(before seq: UInt64) -> Int { KeyOrderFold.version(before: seq, in: versions) }
            try txn.withCursor(try ledger.projections(in: txn).dossierStates) { cursor in
                var entry = try cursor.first()
                var mappedPages = Environment.MappedPageBudget(ledger.store.environment, in: txn)
                var rowNumber = 0
                var streamReads = 0   // records read from streams since the last checkpoint
                while let row = entry {
                    let owned = share.owns(row: rowNumber)
                    rowNumber += 1
                    // A state row is read, owned or not: near the last one within a leaf, far at a leaf elsewhere.
                    try mappedPages.step(reading: (row.value.baseAddress ?? row.key.baseAddress)!)
                    if rowNumber & 0x1FFF == 0 || streamReads >= 1024 {
                        // The rows and records passed are not read again.
                        try mappedPages.releaseAll()
                        streamReads = 0
                        try checkpoint()
                    }
                    guard owned else {
                        entry = try cursor.next()
                        continue
                    }
                    summary.streams += 1
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
                        // A stream's records lie anywhere in the log, each mapping a page-cache folio around it.
                        try mappedPages.step(stream.count * Environment.MappedPageBudget.farReadWeight)
                        streamReads += stream.count
                        if case let (state, lastSeq, referenceVersion)? = try foldStream(stream, of: code, versions: versions, fold: &dossierFold,
                                                                                          path: path, include: include) {
                            summary.dossiers += 1
                            summary.foldedFromStreams += 1
                            summary.lastSeq = max(summary.lastSeq, lastSeq)
                            try visit(consume state, referenceVersion)
                        }
                    }
                    if rowNumber % share.rows == 0 { try endOfRun() }
                    entry = try cursor.next()
                }
                if rowNumber > 0, rowNumber % share.rows != 0, share.owns(row: rowNumber - 1) { try endOfRun() }
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
