import DossierRules
import Dispatch
import Foundation
import Synchronization
import LMDB
import LedgerStore
import LedgerContract

extension Ledger {
    /// Events `import` commits together unless told otherwise (`import
    /// --batch`). A batch is streamed into its transaction a chunk at a time
    /// (`append(chunks:recordedAt:)`), so its size does not bound the
    /// parsed events held. A larger batch shares more of each commit: a
    /// dossier's stream and rows are written once per batch however many of
    /// its events it holds, and a page the batch dirties is written once.
    /// In a busy province a batch of 100,000 events touches about 27,500
    /// dossiers, one of 250,000 about 46,500; each touched dossier costs
    /// searches in four tables and a leaf of each written, so the larger
    /// batch does a third fewer of them per event. Memory: the pages one
    /// batch dirties and the states of the dossiers it touches (`import` of
    /// 10^7 events of one busy year peaks at 440–480 MB of RSS, the
    /// ledger's mapped pages and the chunks parsed ahead included).
    public static let importBatchSize = 250_000

    /// Events per batch where a whole batch is parsed before it is appended
    /// (`demo --batch`, `XESImport.Options.batchSize`): about two batches of
    /// parsed events are held, one appended and the next read meanwhile.
    public static let heldBatchSize = 20_000

    /// The ledger's clock for `recordedAt` stamps: now, written in +07:00.
    public static func now() -> Timestamp {
        Timestamp(seconds: Int64(Date().timeIntervalSince1970), offsetMinutes: 7 * 60)
    }

    /// Reads contract lines into events; the first bad line refuses the batch.
    public static func parse(lines: [(line: Int, bytes: [UInt8])]) throws(AppendRefusal) -> [InputEvent] {
        var events: [InputEvent] = []
        events.reserveCapacity(lines.count)
        for (line, bytes) in lines { events.append(try parse(line: line, bytes: bytes)) }
        return events
    }

    /// Parses one NDJSON line, number `line` of its input.
    /// - Throws: `AppendRefusal(.invalid)` naming the line and the rule broken.
    public static func parse(line: Int, bytes: [UInt8]) throws(AppendRefusal) -> InputEvent {
        try bytes.withUnsafeBufferPointer { (b) throws(AppendRefusal) in try parse(line: line, bytes: b) }
    }

    /// Parses one NDJSON line, number `line` of its input, from bytes lent for the call.
    /// - Throws: `AppendRefusal(.invalid)` naming the line and the rule broken.
    public static func parse(line: Int, bytes: UnsafeBufferPointer<UInt8>) throws(AppendRefusal) -> InputEvent {
        do {
            return InputEvent(line: line, event: try Event(jsonLine: bytes))
        } catch {
            throw AppendRefusal(.invalid, line: line, dossier: error.dossier, rule: error.rule)
        }
    }

    /// Appends a batch atomically: validates every event against the rules
    /// and the state left by the events before it (in the ledger and earlier
    /// in the batch), stores them with gapless seqs, and updates the
    /// projections — all or nothing. Events already stored (same `id`, or
    /// same content when they have none) are skipped and reported.
    ///
    /// Group commit: batches appended concurrently from several threads
    /// share one durable commit. Each batch still stands alone — sharing a
    /// commit, it runs in a nested transaction, so a refused batch (or one
    /// whose storage fails, e.g. a key too long for LMDB) is undone without
    /// touching the others — and `append` returns only after the commit
    /// holding it.
    ///
    /// Every batch waiting when a commit starts joins it (there is no cap),
    /// up to a streamed batch (`append(chunks:recordedAt:)`), which commits
    /// alone. The caller that finds no commit running leads: it commits the
    /// batches queued, its own first, then hands the lead to the oldest
    /// batch that queued meanwhile and returns — so no caller keeps
    /// committing other threads' batches after its own is durable.
    ///
    /// - Throws: `AppendRefusal` (nothing of this batch written) or a storage error.
    @discardableResult
    public func append(_ events: [InputEvent], recordedAt: Timestamp = Ledger.now()) throws -> AppendReport {
        try append(events.map(PreparedEvent.init), recordedAt: recordedAt)
    }

    /// A preparer of events for an append to this ledger, with the string
    /// ids this ledger has committed now.
    public func preparer() -> EventPreparer {
        EventPreparer(strings: store.committedStrings())
    }

    /// Appends a batch prepared beforehand (`PreparedEvent`, on any thread):
    /// the same as `append(_:recordedAt:)` with less work left for the writer.
    @discardableResult
    public func append(_ events: [PreparedEvent], recordedAt: Timestamp = Ledger.now()) throws -> AppendReport {
        try append(PendingAppend(events: .batch(events), recordedAt: recordedAt))
    }

    /// Appends one batch atomically, as `append(_:recordedAt:)` does, whose
    /// events `nextChunk` gives a chunk at a time while the transaction runs,
    /// until it returns nil: only the chunk being appended is held, however
    /// large the batch (a streamed import reads and parses the next chunk
    /// meanwhile). `nextChunk` is called on the calling thread. The batch
    /// commits alone, never grouped with other callers' batches.
    ///
    /// The transaction cannot be run a second time (its chunks are gone):
    /// space for it is reserved in the map beforehand, and should the map
    /// fill anyway the append fails with nothing of the batch written.
    /// - Throws: `AppendRefusal` (nothing of this batch written), a storage
    ///   error, or what `nextChunk` throws (nothing of this batch written).
    @discardableResult
    public func append(chunks nextChunk: @escaping () throws -> [PreparedEvent]?, recordedAt: Timestamp = Ledger.now()) throws -> AppendReport {
        // Room for a copy of every page the batch may change, and for its new pages.
        try append(chunks: nextChunk, recordedAt: recordedAt, reserving: try store.bytesInUse() + Self.streamedBatchRoom)
    }

    /// Map space reserved for a streamed batch's new pages, beyond a copy of the pages in use.
    static let streamedBatchRoom = 256 << 20

    /// `append(chunks:recordedAt:)` with `bytes` of the map reserved past the pages in use.
    func append(chunks nextChunk: @escaping () throws -> [PreparedEvent]?, recordedAt: Timestamp, reserving bytes: Int) throws -> AppendReport {
        try store.environment.reserve(bytes: bytes)
        return try append(PendingAppend(events: .chunks(ChunkSource(nextChunk)), recordedAt: recordedAt))
    }

    private func append(_ request: PendingAppend) throws -> AppendReport {
        var leads = appendQueue.withLock { queue -> Bool in
            queue.waiting.append(request)
            if queue.leaderActive { return false }
            queue.leaderActive = true
            return true
        }
        while true {
            if leads {
                // Only the leader takes batches off the queue, so ours is still in it, first when
                // this caller found no leader. A streamed batch commits alone: the batches queued
                // after it wait for the next commit.
                let group = appendQueue.withLock { queue -> [PendingAppend] in
                    let end = queue.waiting[0].isStreamed ? 1 : queue.waiting.firstIndex(where: \.isStreamed) ?? queue.waiting.count
                    defer { queue.waiting.removeFirst(end) }
                    return Array(queue.waiting[..<end])
                }
                commit(group) {
                    let next = appendQueue.withLock { queue -> PendingAppend? in
                        if queue.waiting.isEmpty { queue.leaderActive = false }
                        return queue.waiting.first
                    }
                    next?.promote()
                }
            }
            if let outcome = request.wait() { return try outcome.get() }
            leads = true
        }
    }

    /// Whether `group`'s commit writes so many pages that the disk should
    /// start on them while they are copied (`Environment.write(writingBehind:)`):
    /// a streamed batch, or batches of `heldBatchSize` events or more.
    static func writesBehind(_ group: [PendingAppend]) -> Bool {
        var events = 0
        for request in group {
            guard case .batch(let batch) = request.events else { return true }
            events += batch.count
        }
        return events >= heldBatchSize
    }

    /// Appends the batches of `group` in one write transaction, calls
    /// `handOff` once it is over, then completes each batch: the next
    /// commit can start while this group's callers are woken, which takes a while.
    func commit(_ group: [PendingAppend], handOff: () -> Void = {}) {
        var outcomes: [Result<AppendReport, any Error>] = []
        do {
            var finalReference: ReferenceData?
            var appender: Appender?
            try store.environment.write(writingBehind: Self.writesBehind(group)) { txn in
                outcomes = []
                if let source = group.first?.events.chunkSource, source.hasStarted {
                    throw LedgerError(.storage, "\(path): the map filled while a streamed batch was appended; nothing of the batch was written (the map has grown: append it again)")
                }
                var session = try AppendSession(ledger: self, txn: txn)
                session.keepsUndo = group.count > 1
                session.changed = spareChangedStates.withLock { spare in
                    var taken: [AppendSession.ChangedState] = []
                    swap(&taken, &spare)
                    return taken
                }
                // Room for the dossiers an import batch touches (at most one per event), bounded for huge batches:
                // growing the array would move every state already in it.
                session.changed.reserveCapacity(min(group.reduce(0) { $0 + $1.events.countHint }, PendingEvents.dossiersReserved))
                for request in group {
                    let mark = session.beginBatch()
                    do {
                        // A batch alone needs no transaction of its own: its failure aborts the whole one.
                        let report = group.count == 1
                            ? try session.append(request, in: txn)
                            : try txn.nested { nested in try session.append(request, in: nested) }
                        session.keepBatch()
                        outcomes.append(.success(report))
                    } catch let error as LMDBError where error.isMapFull || error.isCorruption {
                        // The whole transaction's business: grow the map and run the group again, or fail it all.
                        throw error
                    } catch where group.count == 1 {
                        // Written in the group's own transaction: undo it all (nothing of the group is written).
                        outcomes.append(.failure(error))
                        throw AllRefused()
                    } catch {
                        // A refusal, or a storage error of this batch alone (its nested transaction is undone).
                        session.dropBatch(mark)
                        outcomes.append(.failure(error))
                    }
                }
                // Every batch failed: abort, so the ledger's files stay exactly as they were.
                guard outcomes.contains(where: { if case .success = $0 { true } else { false } }) else { throw AllRefused() }
                try session.finish(txn: txn)
                finalReference = session.reference
                appender = session.appender
                spareChangedStates.withLock { swap(&$0, &session.changed) }   // `finish` left it empty
            }
            appender?.publish()
            if let finalReference { remember(finalReference) }
        } catch is AllRefused {
            // outcomes hold each batch's refusal or error
        } catch {
            outcomes = group.map { _ in .failure(error) }
        }
        handOff()
        for (request, outcome) in zip(group, outcomes) { request.complete(outcome) }
    }
}

private struct AllRefused: Error {}

/// The events of one caller's batch: all of them, or chunks read while its transaction runs.
enum PendingEvents: Sendable {
    case batch([PreparedEvent])
    case chunks(ChunkSource)

    var chunkSource: ChunkSource? { if case .chunks(let source) = self { source } else { nil } }

    /// The number of events, or a guess for chunks.
    var countHint: Int {
        switch self {
        case .batch(let events): events.count
        case .chunks: Self.dossiersReserved
        }
    }

    /// The most dossier states a transaction reserves room for: more than
    /// an import batch of `Ledger.importBatchSize` events touches in a busy
    /// province (about 27,500 for 100,000 events, 46,500 for 250,000). Room
    /// reserved and never written takes address space, not memory.
    static let dossiersReserved = 131_072

    /// Calls `body` with each of `events`, in order, without retaining it:
    /// the array keeps them alive, and an event's reference count lies in
    /// a cache line the parse thread wrote, which a retain would take from it.
    private static func lend(_ events: [PreparedEvent], to body: (PreparedEvent) throws -> Void) throws {
        try events.withUnsafeBufferPointer { events in
            try events.withMemoryRebound(to: Unmanaged<PreparedEvent>.self) { events in
                for event in events { try event._withUnsafeGuaranteedRef { try body($0) } }
            }
        }
    }

    /// Calls `body` with each event in order.
    func forEach(_ body: (PreparedEvent) throws -> Void) throws {
        switch self {
        case .batch(let events):
            try Self.lend(events, to: body)
        case .chunks(let source):
            while let chunk = try source.next() { try Self.lend(chunk, to: body) }
        }
    }
}

/// The chunks of a streamed batch (`Ledger.append(chunks:recordedAt:)`).
/// Read once, by its caller's thread: the leader of a commit holding a
/// streamed batch is always its caller (the batch commits alone, and a
/// caller leads with its own batch first in the queue).
final class ChunkSource: @unchecked Sendable {
    private let nextChunk: () throws -> [PreparedEvent]?
    /// Whether a chunk was asked for: a transaction run again after
    /// `MDB_MAP_FULL` cannot have the chunks before.
    private(set) var hasStarted = false

    init(_ nextChunk: @escaping () throws -> [PreparedEvent]?) { self.nextChunk = nextChunk }

    func next() throws -> [PreparedEvent]? {
        hasStarted = true
        return try nextChunk()
    }
}

/// One caller's batch waiting for a group commit.
final class PendingAppend: Sendable {
    let events: PendingEvents
    let recordedAt: Timestamp

    var isStreamed: Bool { events.chunkSource != nil }
    private enum State {
        case waiting
        /// The previous leader handed the lead to this caller.
        case leading
        case done(Result<AppendReport, any Error>)
    }
    private let state = Mutex<State>(.waiting)
    private let wake = DispatchSemaphore(value: 0)

    init(events: PendingEvents, recordedAt: Timestamp) {
        self.events = events
        self.recordedAt = recordedAt
    }

    func complete(_ result: Result<AppendReport, any Error>) {
        state.withLock { $0 = .done(result) }
        wake.signal()
    }

    /// Wakes the caller to commit the queue (its batch is still in it).
    func promote() {
        state.withLock { $0 = .leading }
        wake.signal()
    }

    /// Blocks until the batch's commit is over (its outcome) or until the
    /// caller is handed the lead (nil).
    func wait() -> Result<AppendReport, any Error>? {
        wake.wait()
        return state.withLock { state in
            switch state {
            case .done(let outcome): return outcome
            case .leading:
                state = .waiting
                return nil
            case .waiting: preconditionFailure("woken with nothing to do")
            }
        }
    }
}

/// Batches waiting to be committed, and whether a caller is committing.
struct AppendQueue: Sendable {
    var waiting: [PendingAppend] = []
    var leaderActive = false
}

/// The work of one append transaction: the log appender, the reference data
/// and dossier states as changed so far by its batches.
struct AppendSession {
    let ledger: Ledger
    /// The live projection tables: no rebuild switches them during a write transaction.
    let projections: Ledger.ProjectionTables
    var appender: Appender
    var reference: ReferenceData
    /// The states of the dossiers this transaction's batches named, by the
    /// appender's dossier slot (`Appender.slot(ofDossier:)`): one for each
    /// slot, changed in place as events are folded into them.
    var changed: [ChangedState] = []
    /// The versions of the reference data that changed dossiers saw (shared,
    /// not copied into every entry of `changed`); the last is `reference`
    /// unless `referenceIsShared` is false.
    var references: [ReferenceData] = []
    var referenceIsShared = false
    /// What the current batch changed in `changed`, in order (nil for a
    /// dossier it named first): undoing a batch costs only its own changes,
    /// not a copy of every state the transaction changed.
    var undo: [(slot: Int, previous: ChangedState?)] = []
    /// Whether a batch can be dropped while others of the transaction are
    /// kept (a group of several batches). With a single batch a failure
    /// aborts the whole transaction, so no undo log is kept.
    var keepsUndo = true
    /// What the current batch stored.
    var report = AppendReport(stored: nil, alreadyStored: [])

    /// Folds each appended record into its dossier's state; its reader
    /// knows the strings interned so far, this transaction's included.
    var fold: DossierFold

    /// The mapped pages the batch touches, kept within the writer's budget:
    /// a step per event appended, and per row, stream and dossier entry
    /// written at its end, checked every 128 steps (a step maps a few pages
    /// and the 64 KiB around each: checked every 1,024 steps, the map would
    /// overshoot its budget by tens of MB).
    var mappedPages: Environment.MappedPageBudget

    /// A dossier's state as this transaction changed it.
    struct ChangedState {
        var state: DossierState
        /// The index in `references` of the reference data at its last event.
        var referenceIndex = 0
    }

    /// What `dropBatch` restores.
    struct Mark {
        let appender: Appender
        let reference: ReferenceData
        let referenceCount: Int
        let referenceIsShared: Bool
    }

    init(ledger: Ledger, txn: Transaction) throws {
        self.ledger = ledger
        projections = try ledger.projections(in: txn)
        appender = try Appender(store: ledger.store, in: txn)
        reference = try ledger.reference(in: txn)
        mappedPages = Environment.MappedPageBudget(ledger.store.environment, in: txn, budget: Environment.residentFileBudgetWhileWriting,
                                                   checkingEvery: 128)
        // The ledger's reader, caught up with the strings committed since: a small commit pays
        // for the strings it interns, not for a pass over the whole string table.
        fold = try ledger.dossierFold(in: txn)
        fold.reader.truncate(to: Int(appender.committedStringCount))
    }

    /// Starts a batch, to be kept (`keepBatch`) or undone (`dropBatch`).
    mutating func beginBatch() -> Mark {
        report = AppendReport(stored: nil, alreadyStored: [])
        undo.removeAll(keepingCapacity: true)
        return Mark(appender: appender, reference: reference, referenceCount: references.count, referenceIsShared: referenceIsShared)
    }

    /// The batch's nested transaction committed: its changes stay.
    mutating func keepBatch() {
        undo.removeAll(keepingCapacity: true)
    }

    /// The batch's nested transaction was undone: so are its changes here.
    mutating func dropBatch(_ mark: Mark) {
        appender.rollBack(to: mark.appender)
        fold.reader.truncate(to: Int(appender.committedStringCount) + appender.newStrings.count)
        reference = mark.reference
        references.removeLast(references.count - mark.referenceCount)
        referenceIsShared = mark.referenceIsShared
        for case let (slot, previous?) in undo.reversed() where slot < changed.count { changed[slot] = previous }
        changed.removeLast(max(0, changed.count - appender.slotCount))
        undo.removeAll(keepingCapacity: true)
        report = AppendReport(stored: nil, alreadyStored: [])
    }

    /// Appends each event of `request`'s batch in `txn`; gives what the batch stored.
    mutating func append(_ request: PendingAppend, in txn: Transaction) throws -> AppendReport {
        try ledger.store.withLogCursor(in: txn) { logCursor in
            try request.events.forEach { event throws in
                try append(event, recordedAt: request.recordedAt, txn: txn, through: logCursor)
            }
        }
        return report
    }

    /// Appends `prepared` in `txn`, its record through `logCursor`, a cursor on the log in `txn`.
    mutating func append(_ prepared: PreparedEvent, recordedAt: Timestamp, txn: Transaction, through logCursor: Cursor) throws {
        try mappedPages.step()
        // The event is read where the prepared event holds it, not copied out
        // (a copy retains each of its strings and arrays, made on the parse thread).
        let line = prepared.input.line
        if let seq = try appender.claim(prepared.input.event, identityKey: prepared.identityKey, in: txn) {
            guard let stored = try ledger.store.event(seq: seq, in: txn) else {
                throw LedgerError(.corrupt, "\(ledger.path): id index names seq \(seq), which is not in the log")
            }
            guard stored.event.hasSameContent(as: prepared.input.event) else {
                throw prepared.refusal(.idConflict(seq: seq), "id \"\(prepared.input.event.id ?? "")\" is already stored at seq \(seq) with different content")
            }
            report.alreadyStored.append((line, seq))
            return
        }
        if !ledger.allowsPersonalData, let rule = prepared.personalDataRule {
            throw prepared.refusal(.invalid, rule)
        }
        do { try DossierEventRules.checkTimes(prepared.input.event, calendar: reference.calendar) } catch { throw prepared.refusal(.invalid, error.rule) }
        let seq: UInt64
        if let key = prepared.dossierKey {
            // The state is changed where it lies in `changed`, lent to each step: no copy or move of it.
            let slot = appender.slot(ofDossier: key)
            if slot == changed.count {
                if keepsUndo { undo.append((slot, nil)) }
                changed.append(ChangedState(state: try ledger.dossier(key.code, from: projections, in: txn) ?? DossierState(code: key.code)))
            } else if keepsUndo {
                undo.append((slot, changed[slot]))
            }
            seq = try Self.apply(prepared, recordedAt: recordedAt, to: &changed[slot].state, slot: slot, ledger: ledger,
                                 appender: &appender, fold: &fold, reference: reference, txn: txn, logCursor: logCursor)
            if !referenceIsShared {
                references.append(reference)
                referenceIsShared = true
            }
            changed[slot].referenceIndex = references.count - 1
        } else {
            do { try reference.apply(prepared.input.event, seq: appender.lastSeq + 1) } catch {
                throw prepared.refusal(.invalid, error.rule)
            }
            referenceIsShared = false
            seq = try appender.append(prepared.input.event, slot: nil, canonical: prepared.canonical, recordTail: prepared.recordTail,
                                      recordedAt: recordedAt, in: txn, through: logCursor)
        }
        let first = report.stored?.lowerBound ?? seq
        report.stored = first...seq
    }

    /// Checks `prepared`, an event of the dossier in `slot` whose state is
    /// `state`, against it and `reference`; stores it (`appender`) and folds
    /// its record into `state`. Each part lent, not copied: a static
    /// function, so that the session's parts can be lent side by side.
    /// - Returns: its seq.
    private static func apply(_ prepared: PreparedEvent, recordedAt: Timestamp, to state: inout DossierState, slot: Int, ledger: Ledger,
                              appender: inout Appender, fold: inout DossierFold, reference: ReferenceData, txn: Transaction,
                              logCursor: Cursor) throws -> UInt64 {
        if let expected = prepared.input.event.expectedVersion, expected != state.version {
            throw prepared.refusal(.versionConflict(expected: expected, actual: state.version),
                                   "expectedVersion \(expected) but the dossier is at version \(state.version); re-read it and retry")
        }
        let store = ledger.store
        do {
            try DossierEventRules.check(prepared.input.event, dossier: state, reference: reference) { seq in
                try store.event(seq: seq, in: txn)
            }
        } catch let violation as RuleViolation {
            throw prepared.refusal(.invalid, violation.rule)
        }
        let seq = try appender.append(prepared.input.event, slot: slot, canonical: prepared.canonical, recordTail: prepared.recordTail,
                                      recordedAt: recordedAt, in: txn, through: logCursor)
        let known = fold.reader.stringCount - Int(appender.committedStringCount)
        if appender.newStrings.count > known { fold.reader.learn(appender.newStrings[known...]) }
        // A void refolds the dossier from its records, this transaction's included.
        let records = prepared.input.event.type == .eventVoided ? try appender.records(ofDossier: state.code, in: txn) : []
        do {
            try fold.apply(try RecordView(appender.recordJustAppended.bytes, seq: seq), to: &state, reference: reference) { _ in records }
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(ledger.path): seq \(seq): the record just written does not decode: \(e.reason)")
        }
        return seq
    }

    /// Writes the changed states' rows and the log's pending entries. Call
    /// once, after the last append: the changed states are moved out of
    /// `changed` as their rows are written, the last first, and `changed`
    /// is left empty with its room kept.
    mutating func finish(txn: Transaction) throws {
        // What is left is writing rows, streams and hashes: the pages of the commit can be readied meanwhile.
        txn.prepareCommit()
        var writer = ProjectionWriter(ledger: ledger, tables: projections)
        // Moved out of the array, a state is lent to the writer as it is: lent from
        // the array, it would be copied (each of its strings and arrays retained, then released).
        var states: [ChangedState] = []
        swap(&states, &changed)
        defer { swap(&states, &changed) }
        try writer.withRowCursor(in: txn) { writer in
            var referenceIndex = -1
            var reference = self.reference
            while let change = states.popLast() {
                if change.referenceIndex != referenceIndex {
                    referenceIndex = change.referenceIndex
                    reference = references[referenceIndex]
                }
                try writer.write(change.state, reference: reference, in: txn)
                try mappedPages.step()
            }
        }
        try writer.finish(checkpoint: appender.lastSeq, in: txn)
        try appender.finish(in: txn, mappedPages: &mappedPages)
    }
}

/// Prepares input events for an append to one ledger (`PreparedEvent`) on
/// the thread that parses them, one at a time as they are read: their
/// records encoded but for what only the append knows (dossier number,
/// version, hash), with the string ids the ledger had committed when the
/// preparer was made (`Ledger.preparer()`). An event naming a string not
/// committed then is encoded by the append instead. For a thread reading
/// the next chunk of an import while the writer appends the current one.
///
/// One per thread: it reuses one buffer for every record it encodes.
public struct EventPreparer: ~Copyable {
    let strings: CommittedStrings
    private var scratch = ByteWriter(capacity: 256)

    init(strings: CommittedStrings) { self.strings = strings }

    /// `input` prepared, moved into it rather than copied (a copy retains
    /// each of its strings and arrays).
    /// - Complexity: O(size of the event).
    public mutating func prepare(_ input: consuming InputEvent) -> PreparedEvent {
        let recordTail = Appender.recordTail(of: input.event, strings: strings, scratch: &scratch)
        return PreparedEvent(input, recordTail: recordTail)
    }
}
