import Dispatch
import DossierRules
import Foundation
import LMDB
import LedgerStore
import LedgerContract
import Synchronization
import SystemIO

/// Every dossier's state folded from its own stream, visited in the key
/// order of the codes (the order of the projection tables). `rebuild` and
/// `verify` read the log through it; a replay as of a past instant reads
/// the live states and folds only the dossiers it changes
/// (`forEachPastDossier`), giving what this fold would with `include`; a
/// live walk reads the stored states as they are (`forEachLiveDossier`).
///
/// How: dossiers are folded a chunk at a time in the order of their numbers
/// (the order they first appeared in), so a chunk's events lie close
/// together in the log and are read forward, in seq order. Each folded
/// state is encoded as its row (`DossierRowEncoder`, the bytes the live
/// projection stores) by the thread that folded it. Each chunk's rows are
/// sorted by code; every chunk but the last is spilled in a run to a
/// scratch file, on a thread of its own while the next chunk is read and
/// folded, and the runs are merged back in code order with the last
/// chunk, kept in memory (`DossierRowRuns`). `rebuild` stores the rows as
/// they are. `verify` needs no code order: it takes each chunk's rows as
/// the chunk is folded (`forEachRowInFoldOrder`) and compares their bytes
/// with the live rows of the same codes.
///
/// Guarantees:
/// - The states are those of a fold of the log in seq order: each event is
///   applied (through `DossierFold`) with the reference data in force at its
///   seq, a void refolds the dossier's stream up to the void.
/// - Memory is one chunk's states and seqs, the rows of at most three
///   chunks (the one folded, the one waiting to be spilled and the one
///   being spilled), a buffer per spilled run and one
///   copy of the reference data per run of consecutive reference events, whatever the number of
///   dossiers; mapped pages of the log are released as the fold goes,
///   whenever the resident file-backed memory passes `Environment.residentFileBudget`
///   (`Environment.MappedRegion`).
/// - Every stream entry must name a record of its dossier at its version
///   (else damage is reported); with `Summary.dossierEvents` counted, a
///   caller checks that the streams and the reference index cover the log.
///
/// Threads: with two cores, each chunk's dossiers are shared out between
/// the calling thread and a second one, which reads in a read transaction
/// of its own on the caller's snapshot (`foldEvents`), and encodes the rows
/// of its share. `include` is called from both at once: it must be a pure
/// function of its arguments (the callers' are comparisons with an
/// instant). `progress` and `body` run on the calling thread. A third
/// thread (`BatchConsumer`) sorts and spills each chunk but the last.
///
/// Transaction rules: the fold reads the log in the caller's transaction;
/// the rows it hands out (`FoldedDossiers`) are in memory and in the
/// scratch file, readable after that transaction ends (`rebuild` writes
/// them in transactions of its own). The states and row bytes lent to
/// `body` are valid until it returns.
///
/// - Complexity: O(n log c) for n events in chunks of c dossiers, plus
///   O(d log r) to merge d dossiers from r runs, plus a stream re-read for
///   each `event.voided`.
public struct KeyOrderFold {
    /// Dossiers per chunk when the caller gives none. A chunk's events span
    /// the time its dossiers were submitted plus their lifetime, so the log
    /// is read about (1 + dossiers in flight ÷ chunk) times over: a chunk
    /// larger than the dossiers a province has in flight at once (tens of
    /// thousands) reads it about twice, in tens of MB of states. Measured
    /// from 10^6 to 10^7 events, chunks of 32,768 fold faster than chunks
    /// of 65,536, in about 40 MB less of heap, and chunks of 24,576 re-read
    /// the log enough to be slower.
    public static let defaultChunkSize = 32768

    /// What one fold went through.
    package struct Summary: Sendable, Equatable {
        /// Events of the dossiers' streams, kept or not.
        package var dossierEvents: UInt64 = 0
        /// Dossiers with a stream, kept or not.
        package var streams = 0
        /// Dossiers with at least one event kept (those visited).
        package var dossiers = 0
        /// The last seq kept (0 when none).
        package var lastSeq: UInt64 = 0
        /// Of the dossiers visited, those folded from their own streams by
        /// `forEachPastDossier` (the others it read from the live projection).
        package var foldedFromStreams = 0

        /// Adds what another part of the same fold went through.
        mutating func add(_ other: Summary) {
            dossierEvents += other.dossierEvents
            streams += other.streams
            dossiers += other.dossiers
            lastSeq = max(lastSeq, other.lastSeq)
            foldedFromStreams += other.foldedFromStreams
        }
    }

    /// One version of the reference data, shared by every dossier whose
    /// last event saw it.
    final class ReferenceVersion {
        let seq: UInt64
        let data: ReferenceData
        init(seq: UInt64, data: ReferenceData) { self.seq = seq; self.data = data }
    }

    /// A seq of a chunk's streams, the chunk slot and number of its dossier and its version in the stream.
    private struct Pending {
        var seq: UInt64
        var slot: Int32
        var version: UInt32
        var number: UInt32
    }

    /// Folds every dossier and calls `body` with its state and the
    /// reference data in force at its last kept event, in code order.
    /// `include` sees each event's `at` and `recordedAt` (all by default);
    /// `progress` gets the dossier events read so far after each chunk.
    @discardableResult
    package static func forEachDossier(_ ledger: Ledger, in txn: Transaction, chunkSize: Int? = nil,
                                       include: @escaping @Sendable (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                                       progress: (UInt64) -> Void = { _ in },
                                       _ body: (inout DossierState, ReferenceData) throws -> Void) throws -> Summary {
        try forEachRow(ledger, in: txn, chunkSize: chunkSize, include: include, progress: progress) { code, row, reference in
            var state: DossierState
            do throws(RecordDecodingError) { state = try DossierRow.state(row, code: code) } catch {
                throw LedgerError(.storage, "\(ledger.path): dossier \(code): a row folded from the log does not decode: \(error.reason)")
            }
            try body(&state, reference)
        }
    }

    /// `forEachDossier` giving each dossier's row (`DossierRow`, as the
    /// live projection stores it) instead of its state: its code, the row's
    /// bytes and the reference data in force at its last kept event.
    @discardableResult
    package static func forEachRow(_ ledger: Ledger, in txn: Transaction, chunkSize: Int? = nil,
                                   include: @escaping @Sendable (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                                   progress: (UInt64) -> Void = { _ in },
                                   _ body: (_ code: String, _ row: UnsafeRawBufferPointer, _ reference: ReferenceData) throws -> Void) throws -> Summary {
        let folded = try fold(ledger, in: txn, chunkSize: chunkSize, include: include, progress: progress)
        // What `body` reads (the live rows `verify` compares) is mapped too.
        var mappedPages = Environment.MappedPageBudget(ledger.store.environment, in: txn, checkingEvery: 1 << 14)
        while try folded.next(body) != nil { try mappedPages.step() }
        return folded.summary
    }

    /// A dossier's row as folded: its code, the index of the reference
    /// version in force at its last kept event, and the row's bytes.
    fileprivate typealias FoldedRow = (code: String, referenceVersion: Int, row: [UInt8])

    /// The dossiers' rows of a fold in code order, handed out one at a
    /// time: the last chunk's from memory, merged with the runs the chunks
    /// before it spilled to the scratch file. Handing them out reads no
    /// transaction, so `rebuild` writes them in transactions of its own.
    package final class FoldedDossiers {
        package let summary: Summary
        private let versions: [ReferenceVersion]
        /// The last chunk's rows, in reverse code order (handed out from the end).
        private var held: [FoldedRow]
        /// Kept alive while the merger reads its scratch file.
        private let runs: DossierRowRuns?
        private var merger: DossierRowRuns.Merger?

        fileprivate init(summary: Summary, versions: [ReferenceVersion], held: [FoldedRow], runs: DossierRowRuns?) throws {
            self.summary = summary
            self.versions = versions
            self.held = held
            self.runs = runs
            merger = try runs?.merger()
        }

        /// The reference data after every reference event the fold kept.
        package var lastReference: ReferenceData { versions[versions.count - 1].data }

        /// Calls `body` with the next dossier in code order — its code, its
        /// row's bytes (valid during the call) and the reference data in
        /// force at its last kept event — and gives what it returns; nil
        /// after the last.
        package func next<R>(_ body: (_ code: String, _ row: UnsafeRawBufferPointer, _ reference: ReferenceData) throws -> R) throws -> R? {
            if let code = merger?.nextCode, held.isEmpty || Key.precedes(code, held[held.count - 1].code) {
                return try merger!.withNext { code, version, row in try body(code, row, try reference(version)) }
            }
            guard let item = held.popLast() else { return nil }
            return try item.row.withUnsafeBytes { row in try body(item.code, row, try reference(item.referenceVersion)) }
        }

        private func reference(_ version: Int) throws -> ReferenceData {
            guard versions.indices.contains(version) else {
                throw LedgerError(.storage, "the scratch file of a fold in key order names reference version \(version) of \(versions.count)")
            }
            return versions[version].data
        }
    }

    /// `forEachRow` a chunk at a time in the order the dossiers are folded
    /// (by number) instead of code order overall, and without the reference
    /// data: each chunk's rows are handed to `body` on the calling thread,
    /// in the code order of the chunk's dossiers, as soon as the chunk is
    /// folded, so nothing is spilled or merged. What `verify` compares with
    /// the live rows: it looks them up by code with cursors, and lookups in
    /// key order find most rows on the page of the one before.
    /// `foldThreads`: 1 folds each chunk on the calling thread alone (for a
    /// caller whose other work has the second core).
    @discardableResult
    package static func forEachRowInFoldOrder(_ ledger: Ledger, in txn: Transaction, chunkSize: Int? = nil, foldThreads: Int = foldThreads(),
                                              _ body: (_ code: String, _ row: UnsafeRawBufferPointer) throws -> Void) throws -> Summary {
        // What `body` reads (the live rows `verify` compares) is mapped too.
        var mappedPages = Environment.MappedPageBudget(ledger.store.environment, in: txn, checkingEvery: 1 << 14)
        return try foldChunks(ledger, in: txn, chunkSize: chunkSize, threads: foldThreads) { chunk, _ in
            for slot in keptSlotsInKeyOrder(codes: chunk.codes, versionOfSlot: chunk.versionOfSlot) {
                try chunk.rows[slot].withUnsafeBytes { row in try body(chunk.codes[slot], row) }
                try mappedPages.step()
            }
        }.summary
    }

    /// Folds every dossier (see the type's guarantees) and returns them to hand out in code order.
    package static func fold(_ ledger: Ledger, in txn: Transaction, chunkSize: Int? = nil,
                             include: @escaping @Sendable (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                             progress: (UInt64) -> Void = { _ in }) throws -> FoldedDossiers {
        var runs: DossierRowRuns? = nil
        // Every chunk but the last is sorted by code and spilled on a thread of its own while the next one is read and folded.
        var spiller: BatchConsumer<FoldedChunk>? = nil
        defer { spiller?.abandon() }
        var held: [FoldedRow] = []
        let (summary, versions) = try foldChunks(ledger, in: txn, chunkSize: chunkSize, include: include, progress: progress) { chunk, isLast in
            if isLast {
                // The last chunk stays in memory, merged with the runs as it is handed out.
                held = keptSlotsInKeyOrder(codes: chunk.codes, versionOfSlot: chunk.versionOfSlot).reversed().map { (chunk.codes[$0], chunk.versionOfSlot[$0], chunk.rows[$0]) }
            } else {
                if spiller == nil {
                    let spilled = try DossierRowRuns()
                    runs = spilled
                    spiller = BatchConsumer { chunk in try chunk.spill(into: spilled) }
                }
                try spiller!.send(chunk)
            }
        }
        // The runs are complete before they are merged.
        try spiller?.finish()
        return try FoldedDossiers(summary: summary, versions: versions, held: held, runs: runs)
    }

    /// Folds every dossier a chunk at a time, in the order of their
    /// numbers, and calls `chunkDone` on the calling thread with each chunk
    /// folded (its rows encoded) and whether it is the last; gives the
    /// reference versions the chunks' slots name. The chunk's arrays are
    /// the callee's to keep: the next chunk is folded into new ones.
    private static func foldChunks(_ ledger: Ledger, in txn: Transaction, chunkSize: Int?, threads: Int = foldThreads(),
                                   include: @escaping @Sendable (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                                   progress: (UInt64) -> Void = { _ in },
                                   _ chunkDone: (_ chunk: FoldedChunk, _ isLast: Bool) throws -> Void) throws -> (summary: Summary, versions: [ReferenceVersion]) {
        let chunkSize = max(1, chunkSize ?? ledger.foldChunkSize)
        let store = ledger.store
        var summary = Summary()
        var firstLeftOut = UInt64.max
        let versions = try referenceVersions(ledger, in: txn, include: include, summary: &summary, firstLeftOut: &firstLeftOut)
        var dossierFold = try ledger.dossierFold(in: txn)
        var codes: [String] = []
        var states: [DossierState] = []
        var versionOfSlot: [Int] = []
        var pending: [Pending] = []
        var scratch: [Pending] = []
        var rows: [[UInt8]] = []
        var streamSeqs: [UInt64] = []
        var mappedPages = Environment.MappedPageBudget(store.environment, in: txn, checkingEvery: 1 << 12)
        try txn.withCursor(store.tables.dossierCodes) { numbered in try txn.withCursor(store.tables.streams) { streams in
            var row = try numbered.first()
            while row != nil {
                codes.removeAll(keepingCapacity: true)
                pending.removeAll(keepingCapacity: true)
                // The chunk: the next dossiers by number and the seqs of their streams.
                while codes.count < chunkSize, let r = row {
                    guard r.key.count == 4, let code = String(storedUTF8: r.value) else {
                        throw LedgerError(.corrupt, "\(store.path): a row of the dossier-number table is damaged")
                    }
                    let number = try Key.readU32(r.key)
                    try store.seqs(ofNumber: number, into: &streamSeqs, in: txn, streams: streams)
                    for (i, seq) in streamSeqs.enumerated() {
                        pending.append(Pending(seq: seq, slot: Int32(codes.count), version: UInt32(i + 1), number: number))
                    }
                    codes.append(code)
                    row = try numbered.next()
                    try mappedPages.step()
                }
                summary.streams += codes.count
                summary.dossierEvents += UInt64(pending.count)
                sortBySeq(&pending, scratch: &scratch)
                states.removeAll(keepingCapacity: true)
                for code in codes { states.append(DossierState(code: code)) }
                versionOfSlot = Array(repeating: -1, count: codes.count)
                rows = Array(repeating: [], count: codes.count)
                summary.lastSeq = max(summary.lastSeq, try foldEvents(
                    of: pending, codes: codes, into: &states, versionOfSlot: &versionOfSlot, rows: &rows, ledger: ledger, in: txn,
                    versions: versions, dossierFold: &dossierFold, threads: threads, include: include))
                summary.dossiers += versionOfSlot.lazy.filter { $0 >= 0 }.count
                try chunkDone(FoldedChunk(codes: codes, rows: rows, versionOfSlot: versionOfSlot), row == nil)
                rows = []
                progress(summary.dossierEvents)
            }
        } }
        return (summary, versions)
    }

    /// Threads a chunk is folded on (`foldEvents`): two where two cores are
    /// left beside the `busy` ones the caller's other work keeps, else one.
    package static func foldThreads(besideBusyCores busy: Int = 0) -> Int {
        ProcessInfo.processInfo.activeProcessorCount - busy >= 2 ? 2 : 1
    }

    /// Applies the events of a chunk (`pending`, in seq order) to its
    /// dossiers' `states`, noting the reference version each dossier last
    /// saw, and encodes the `rows` of the dossiers with an event kept; gives
    /// the last seq applied (0 when none).
    ///
    /// With two `threads` (`foldThreads(besideBusyCores:)`), the chunk's dossiers are shared out between two
    /// threads by slot parity: each applies its dossiers' events in seq
    /// order and encodes their rows, the second in a read transaction of
    /// its own on the same snapshot (`Transaction.id` equal, through
    /// `Environment.readAlongside`; when a commit or a map grown by another
    /// process came between, the calling thread does both halves). The
    /// caller's transaction stays on the calling thread. A dossier is
    /// folded by one thread, so its events apply in order; damage is
    /// reported at the lowest seq either thread met, as one thread would
    /// have met it first.
    private static func foldEvents(of pending: [Pending], codes: [String], into states: inout [DossierState], versionOfSlot: inout [Int],
                                   rows: inout [[UInt8]], ledger: Ledger, in txn: Transaction, versions: [ReferenceVersion], dossierFold: inout DossierFold,
                                   threads: Int, include: @escaping @Sendable (Timestamp, Timestamp) -> Bool) throws -> UInt64 {
        let parts = pending.count >= 2 && threads >= 2 ? 2 : 1
        do {
            return try states.withUnsafeMutableBufferPointer { states in
                try versionOfSlot.withUnsafeMutableBufferPointer { versionOfSlot in
                    try rows.withUnsafeMutableBufferPointer { rows in
                        nonisolated(unsafe) let shared = (states: states, versionOfSlot: versionOfSlot, rows: rows, versions: versions)
                        /// Folds the dossiers of slot `part` modulo `parts`, reading in `txn`, and encodes their rows.
                        @Sendable func foldPart(_ part: Int, of parts: Int, in txn: Transaction, _ fold: inout DossierFold) throws -> UInt64 {
                            let last = try foldEvents(of: pending, part: part, parts: parts, codes: codes, into: shared.states, versionOfSlot: shared.versionOfSlot,
                                                      ledger: ledger, in: txn, versions: shared.versions, dossierFold: &fold, include: include)
                            encodeRows(part: part, parts: parts, states: shared.states, versionOfSlot: shared.versionOfSlot, versions: shared.versions, into: shared.rows)
                            return last
                        }
                        guard parts == 2 else { return try foldPart(0, of: 1, in: txn, &dossierFold) }
                        let snapshot = txn.id
                        // nil: the second thread could not read the caller's snapshot (a commit, or a map another process grew, came between).
                        let second = Mutex<Result<UInt64?, any Error>?>(nil)
                        let done = DispatchSemaphore(value: 0)
                        DispatchQueue.global().async {
                            let result = Result {
                                try ledger.store.environment.readAlongside { own -> UInt64? in
                                    guard own.id == snapshot else { return nil }
                                    var fold = try ledger.dossierFold(in: own)
                                    return try foldPart(1, of: 2, in: own, &fold)
                                } ?? nil
                            }
                            second.withLock { $0 = result }
                            done.signal()
                        }
                        // The calling thread folds its half in its own transaction.
                        let first = Result { try foldPart(0, of: 2, in: txn, &dossierFold) }
                        done.wait()
                        let secondResult: Result<UInt64, any Error> = switch second.withLock({ $0 })! {
                        case .success(let last?): .success(last)
                        case .success(nil): Result { try foldPart(1, of: 2, in: txn, &dossierFold) }
                        case .failure(let e): .failure(e)
                        }
                        switch (first, secondResult) {
                        case (.success(let a), .success(let b)): return max(a, b)
                        case (.failure(let e), .success), (.success, .failure(let e)): throw e
                        case (.failure(let a), .failure(let b)):
                            if let a = a as? FoldDamage, let b = b as? FoldDamage { throw a.seq <= b.seq ? a : b }
                            throw a
                        }
                    }
                }
            }
        } catch let damage as FoldDamage {
            throw damage.error
        }
    }

    /// Encodes the rows of the dossiers of slot `part` modulo `parts` that
    /// kept an event, each with the reference version it last saw.
    private static func encodeRows(part: Int, parts: Int, states: UnsafeMutableBufferPointer<DossierState>, versionOfSlot: UnsafeMutableBufferPointer<Int>,
                                   versions: [ReferenceVersion], into rows: UnsafeMutableBufferPointer<[UInt8]>) {
        var encoder = DossierRowEncoder()
        var row = ByteWriter(capacity: 1024)
        for slot in stride(from: part, to: states.count, by: parts) where versionOfSlot[slot] >= 0 {
            row.removeAll()
            // Moved out of the chunk (the row holds it now), so that encoding it copies nothing.
            var state = DossierState(code: "")
            swap(&state, &states[slot])
            encoder.encode(state, reference: versions[versionOfSlot[slot]].data, into: &row)
            rows[slot] = row.bytes
        }
    }

    /// Damage met at `seq` while folding.
    private struct FoldDamage: Error {
        let seq: UInt64
        let error: LedgerError
    }

    /// Events whose states are warmed together before they are applied.
    private static let warmedTogether = 16

    /// Applies the events of `pending` whose slot is `part` modulo `parts`, in seq order.
    private static func foldEvents(of pending: [Pending], part: Int, parts: Int, codes: [String],
                                   into states: UnsafeMutableBufferPointer<DossierState>, versionOfSlot: UnsafeMutableBufferPointer<Int>,
                                   ledger: Ledger, in txn: Transaction, versions: [ReferenceVersion], dossierFold: inout DossierFold,
                                   include: (Timestamp, Timestamp) -> Bool) throws -> UInt64 {
        let store = ledger.store
        var lastSeq: UInt64 = 0
        // The chunk reads the log forward: the pages behind are not needed again. After 1,024 reads, or
        // 4 far ones, the mapped pages are released if the resident ones exceed the budget.
        var mappedPages = Environment.MappedPageBudget(store.environment, in: txn, checkingEvery: 1 << 10)
        var seqKey = [UInt8](repeating: 0, count: 8)
        try txn.withCursor(store.tables.events) { log in
            var v = 0   // the version in force at the current seq: the last one before it
            // A local of this closure (not captured), so that applying an event borrows it instead of copying it.
            var reference = versions[0].data
            var at: UInt64 = 0   // the seq `log` is on (0: none yet)
            // Events are applied a group at a time, their states warmed together first (`DossierFold.warm`).
            var group: [Pending] = []
            group.reserveCapacity(Self.warmedTogether)
            var next = 0
            while next < pending.count {
                group.removeAll(keepingCapacity: true)
                while group.count < Self.warmedTogether, next < pending.count {
                    let p = pending[next]
                    next += 1
                    if parts == 1 || Int(p.slot) % parts == part { group.append(p) }
                }
                for p in group { dossierFold.warm(states.baseAddress! + Int(p.slot)) }
                for p in group {
                    let slot = Int(p.slot)
                    // The log cursor steps forward while the chunk's seqs run on or nearly (they mostly do), else seeks.
                    var record: Cursor.Entry?
                    var readWeight = 1
                    if at != 0, p.seq > at, p.seq - at <= 8 {
                        repeat {
                            record = try log.next()
                            guard let r = record, r.key.count == 8 else { break }
                            at = try Key.readU64(r.key)
                        } while at < p.seq
                    } else {
                        // A seek. A far one may map a page-cache folio (up to 2 MiB) around its read.
                        if p.seq &- at > 64 { readWeight = Environment.MappedPageBudget.farReadWeight }
                        withUnsafeBytes(of: p.seq.bigEndian) { source in seqKey.withUnsafeMutableBytes { $0.copyMemory(from: source) } }
                        record = try log.find(seqKey)
                    }
                    guard let record, record.key.count == 8, try Key.readU64(record.key) == p.seq else {
                        throw FoldDamage(seq: p.seq, error: LedgerError(.corrupt, "\(store.path): dossier \(codes[slot]): its stream names seq \(p.seq), which is not in the log"))
                    }
                    try mappedPages.step(readWeight)
                    at = p.seq
                    let raw = record.value
                    do {
                        let view = try RecordView(raw, seq: p.seq)
                        guard view.dossierNumber == p.number, view.version == p.version else {
                            throw FoldDamage(seq: p.seq, error: LedgerError(.corrupt, "\(store.path): dossier \(codes[slot]): its stream names seq \(p.seq) as version \(p.version), but that record is version \(view.version) of dossier number \(view.dossierNumber)"))
                        }
                        guard include(view.at, view.recordedAt) else { continue }
                        if v + 1 < versions.count, versions[v + 1].seq < p.seq {
                            while v + 1 < versions.count, versions[v + 1].seq < p.seq { v += 1 }
                            reference = versions[v].data
                        }
                        try dossierFold.apply(view, to: &states[slot], reference: reference) { code in
                            try store.records(ofDossier: code, in: txn).filter { $0.seq <= p.seq && include($0.at, $0.recordedAt) }
                        }
                        versionOfSlot[slot] = v
                        lastSeq = max(lastSeq, p.seq)
                    } catch let e as RecordDecodingError {
                        throw FoldDamage(seq: p.seq, error: LedgerError(.corrupt, "\(store.path): seq \(p.seq): stored bytes do not decode: \(e.reason)"))
                    } catch let e as LedgerError {
                        throw FoldDamage(seq: p.seq, error: e)
                    }
                }
            }
        }
        return lastSeq
    }

    /// The slots of a chunk's dossiers that kept an event (a reference
    /// version in `versionOfSlot`), in the key order of their codes
    /// (`Key.precedes`): sorted by each code's first 16 bytes read as two
    /// big-endian integers (zero padded, which keeps the order of the
    /// bytes), ties by the whole code.
    private static func keptSlotsInKeyOrder(codes: [String], versionOfSlot: [Int]) -> [Int] {
        let slots = codes.indices.filter { versionOfSlot[$0] >= 0 }
        func word(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in offset..<(offset + 8) { w = w << 8 | UInt64(i < b.count ? b[i] : 0) }
            return w
        }
        var keyed = slots.map { slot in codes[slot].withUTF8Bytes { b in (high: word(b, 0), low: word(b, 8), slot: slot) } }
        keyed.sort { a, b in
            a.high != b.high ? a.high < b.high : a.low != b.low ? a.low < b.low : Key.precedes(codes[a.slot], codes[b.slot])
        }
        return keyed.map(\.slot)
    }

    /// A folded chunk: its dossiers' codes by slot, the rows of those that
    /// kept an event and the reference version each last saw (-1: none kept).
    private struct FoldedChunk: Sendable {
        let codes: [String]
        let rows: [[UInt8]]
        let versionOfSlot: [Int]

        /// Appends the rows of the dossiers that kept an event to `runs`, in code order, as one run.
        func spill(into runs: DossierRowRuns) throws {
            for slot in keptSlotsInKeyOrder(codes: codes, versionOfSlot: versionOfSlot) {
                try runs.append(rows[slot], code: codes[slot], referenceVersion: versionOfSlot[slot])
            }
            try runs.endRun()
        }
    }

    /// Sorts a chunk's seqs (distinct) in seq order: a radix sort, 16 bits a pass, through `scratch`.
    private static func sortBySeq(_ pending: inout [Pending], scratch: inout [Pending]) {
        guard pending.count > 256, let most = pending.lazy.map(\.seq).max() else {
            pending.sort { $0.seq < $1.seq }
            return
        }
        scratch = pending
        var counts = [Int](repeating: 0, count: 65537)
        var shift: UInt64 = 0
        while shift == 0 || most >> shift != 0 {
            pending.withUnsafeBufferPointer { from in
                scratch.withUnsafeMutableBufferPointer { to in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for i in counts.indices { counts[i] = 0 }
                        for p in from { counts[Int(truncatingIfNeeded: (p.seq >> shift) & 0xFFFF) + 1] += 1 }
                        for i in 1..<counts.count { counts[i] += counts[i - 1] }
                        for p in from {
                            let digit = Int(truncatingIfNeeded: (p.seq >> shift) & 0xFFFF)
                            to[counts[digit]] = p
                            counts[digit] += 1
                        }
                    }
                }
            }
            swap(&pending, &scratch)
            shift += 16
        }
    }

    /// The reference data before any kept reference event (at seq 0) and
    /// after each one up to seq `through`, in seq order; `firstLeftOut` is
    /// the seq of the first reference event `include` leaves out
    /// (`UInt64.max` when none).
    ///
    /// A kept reference event right after another (the next seq: no event
    /// of a dossier between them) replaces that one's version instead of
    /// adding its own, since no dossier event can see the data between
    /// them. A year's targets, registrations and calendar come in such
    /// runs, and each version holds its own copy of what its event changed
    /// (the table of targets, of officers), so the versions' memory follows
    /// the runs, not the reference events a long history accumulates.
    static func referenceVersions(_ ledger: Ledger, in txn: Transaction, through last: UInt64 = .max, include: (Timestamp, Timestamp) -> Bool,
                                  summary: inout Summary, firstLeftOut: inout UInt64) throws -> [ReferenceVersion] {
        var reference = ledger.emptyReference
        var versions = [ReferenceVersion(seq: 0, data: reference)]
        firstLeftOut = .max
        for seq in try ledger.store.referenceSeqs(in: txn) where seq <= last {
            guard let e = try ledger.store.event(seq: seq, in: txn) else {
                throw LedgerError(.corrupt, "\(ledger.path): the index of reference events names seq \(seq), which is not in the log")
            }
            guard include(e.event.at, e.recordedAt) else {
                firstLeftOut = min(firstLeftOut, seq)
                continue
            }
            do { try reference.apply(e.event, seq: seq) } catch {
                throw LedgerError(.corrupt, "\(ledger.path): seq \(seq): stored reference event no longer applies: \(error.rule)")
            }
            if versions.count > 1, versions[versions.count - 1].seq == seq - 1 {
                versions[versions.count - 1] = ReferenceVersion(seq: seq, data: reference)
            } else {
                versions.append(ReferenceVersion(seq: seq, data: reference))
            }
            summary.lastSeq = max(summary.lastSeq, seq)
        }
        return versions
    }
}
