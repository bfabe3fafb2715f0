import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// Dossier states as of a position in the log, for the feeds that follow
/// it event by event (`KPIChangeFeed`, `DeadlineWatch`, `TargetWatch`, and
/// the dossiers and violations subscription feeds), in memory that does not
/// grow with the dossiers.
///
/// A dossier's state at the position is its live state when none of its
/// events comes after the position, else the fold of its stream up to it,
/// each event with the reference data in force at it (the states of every
/// fold). The states of the dossiers touched last are kept, at most
/// `capacity` of them, so a dossier in flight is read or folded once while
/// the feed follows it. With a capacity of 0 none is kept: each state asked
/// for is read where it lies, and the events of the dossiers not asked for
/// can be passed over unread (`pass`). `forEachDossier` visits every
/// dossier at the position the same way (`KeyOrderFold.forEachPastDossier`).
///
/// Transaction rules: each call reads in the transaction it is given, whose
/// snapshot must hold the position (a feed reads the events it applies in one).
/// The mapped pages of the ledger it reads stay within the budget
/// (`Environment.MappedPageBudget`): each row and record it reads is a far
/// read, a dossier met for the first time read where it lies in the log.
/// With states kept, they are all released every 1,024 reads.
package struct FollowedStates {
    /// The last seq applied.
    package private(set) var position: UInt64
    /// The reference data up to the position (version 0 at seq 0): one version per run of
    /// consecutive reference events at the start (`KeyOrderFold.referenceVersions`), then one per
    /// reference event applied.
    private var versions: [KeyOrderFold.ReferenceVersion]
    /// A state at the position and the index in `versions` of the reference data in force at its
    /// last event; nil: the dossier has no event up to the position.
    private typealias Kept = (state: DossierState, version: Int)?
    /// The states touched since the cache last turned over, and those touched in the turn before.
    /// By exact bytes (`ExactText`), as the ledger tells dossiers apart.
    private var recent: [ExactText: Kept] = [:]
    private var older: [ExactText: Kept] = [:]
    private let capacity: Int
    private var dossierFold: DossierFold?
    /// The read transaction's snapshot `dossierFold` was last caught up with.
    private var foldSnapshot: Int?
    /// Counts the rows and records read, across transactions.
    private var mappedPages: Environment.MappedPageBudget
    /// Rows and records read since the mapped pages were last released.
    private var readSinceRelease = 0

    /// The states kept by default: more than the dossiers a busy province
    /// has in flight at once (a catch-up of 10^7 events with a quarter of it
    /// folds evicted dossiers again and again, three times slower).
    package static let defaultCapacity = 65_536

    /// The states at seq `position`, read in `txn`; `capacity` states are kept at most (0: none).
    package init(ledger: Ledger, through position: UInt64, capacity: Int = defaultCapacity, in txn: Transaction) throws {
        self.position = min(position, try ledger.store.head(in: txn).seq)
        self.capacity = capacity == 0 ? 0 : max(2, capacity)
        mappedPages = Environment.MappedPageBudget(ledger.store.environment)
        var summary = KeyOrderFold.Summary(), firstLeftOut = UInt64.max
        versions = try KeyOrderFold.referenceVersions(ledger, in: txn, through: self.position, include: { _, _ in true },
                                                      summary: &summary, firstLeftOut: &firstLeftOut)
    }

    /// The reference data as of the position.
    package var reference: ReferenceData { versions[versions.count - 1].data }

    /// Dossier `code`'s state at the position, with the reference data in
    /// force at its last event; nil when it has no event up to the position.
    package mutating func dossier(_ code: String, ledger: Ledger, in txn: Transaction) throws -> (state: DossierState, reference: ReferenceData)? {
        try kept(code, ledger: ledger, in: txn).map { ($0.state, versions[$0.version].data) }
    }

    /// Applies the next event of the log, the record `view` read in `txn`.
    /// - Returns: for a dossier event, the dossier's state after it.
    @discardableResult
    package mutating func apply(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws -> DossierState? {
        try step(view, ledger: ledger, in: txn)?.after
    }

    /// Applies the next event of the log, as `apply(_:ledger:in:)` does;
    /// for a dossier event, calls `body` with the dossier's state before it
    /// (nil when the dossier had no event) and after it, each with the
    /// reference data in force at its last event, and returns what `body`
    /// returns. The dossier is looked up once.
    package mutating func apply<R>(_ view: RecordView, ledger: Ledger, in txn: Transaction,
                                   comparing body: (_ before: DossierState?, _ beforeReference: ReferenceData,
                                                    _ after: DossierState, _ afterReference: ReferenceData) throws -> R) throws -> R? {
        guard let (before, after) = try step(view, ledger: ledger, in: txn) else { return nil }
        let last = versions.count - 1
        return try body(before?.state, versions[before?.version ?? last].data, after, versions[last].data)
    }

    /// Applies the next event; for a dossier event, gives the dossier's state before it and after it.
    private mutating func step(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws -> (before: Kept, after: DossierState)? {
        let store = ledger.store
        guard view.isDossierEvent else {
            var next = reference
            try ledger.apply(seq: view.seq, to: &next, in: txn)
            versions.append(KeyOrderFold.ReferenceVersion(seq: view.seq, data: next))
            position = view.seq
            return nil
        }
        let code = try store.dossierCode(number: view.dossierNumber, in: txn)
        let before = try kept(code, ledger: ledger, in: txn)
        var state = before?.state ?? DossierState(code: code)
        try catchUpFold(ledger, in: txn)
        do {
            try dossierFold!.apply(view, to: &state, reference: versions[versions.count - 1].data) { code in
                try store.records(ofDossier: code, through: view.seq, in: txn)
            }
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(ledger.path): seq \(view.seq): stored bytes do not decode: \(e.reason)")
        }
        position = view.seq
        keep(ExactText(code), (state, versions.count - 1))
        return (before, state)
    }

    /// Moves the position past the next event of the log, the record `view`
    /// read in `txn`, whose dossier is not asked for now. Kept states fold it,
    /// as `apply` does (a kept state must stay current); with none kept only
    /// a reference event is applied.
    package mutating func pass(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws {
        if capacity == 0, view.isDossierEvent { position = view.seq } else { try apply(view, ledger: ledger, in: txn) }
    }

    /// Every dossier with an event up to the position, in code order, with
    /// the reference data in force at its last event.
    /// - Complexity: a walk of the live states plus the streams of the dossiers with events after the position.
    package func forEachDossier(ledger: Ledger, in txn: Transaction, _ body: (DossierState, ReferenceData) throws -> Void) throws {
        try KeyOrderFold.forEachPastDossier(ledger, in: txn, through: position) { state, reference in try body(state, reference) }
    }

    private mutating func kept(_ code: String, ledger: Ledger, in txn: Transaction) throws -> Kept {
        let key = ExactText(code)
        if let found = recent[key] { return found }
        let found = try older[key] ?? read(code, ledger: ledger, in: txn)
        keep(key, found)
        return found
    }

    private mutating func keep(_ key: ExactText, _ value: Kept) {
        guard capacity > 0 else { return }
        if recent.count >= capacity / 2, recent[key] == nil {
            older = recent
            recent = [:]
        }
        recent[key] = value
    }

    /// The state at the position: the live one when its last event is not after it, else folded from the stream.
    private mutating func read(_ code: String, ledger: Ledger, in txn: Transaction) throws -> Kept {
        try mappedPages.step(Environment.MappedPageBudget.farReadWeight)
        readSinceRelease += 1
        if readSinceRelease >= 1024, capacity > 0 {
            // Kept states are read once, each where its dossier lies: letting every page go costs little. With
            // none kept, each event shown reads its dossier again, from pages read a moment before: only the
            // pages over the budget go (releasing all would fault them in again and again).
            try mappedPages.releaseAll()
            readSinceRelease = 0
        }
        if let live = try ledger.dossier(code, in: txn), live.lastSeq <= position {
            return (live, KeyOrderFold.version(before: live.lastSeq, in: versions))
        }
        let stream = try ledger.store.records(ofDossier: code, through: position, in: txn)
        try mappedPages.step(stream.count * Environment.MappedPageBudget.farReadWeight)
        readSinceRelease += stream.count
        try catchUpFold(ledger, in: txn)
        return try KeyOrderFold.foldStream(stream, of: code, versions: versions, fold: &dossierFold!, path: ledger.path).map { ($0.state, $0.version) }
    }

    /// Catches the record fold up with the strings of `txn`'s snapshot:
    /// once per read transaction's snapshot (its id), whose strings do not change.
    private mutating func catchUpFold(_ ledger: Ledger, in txn: Transaction) throws {
        if dossierFold == nil {
            dossierFold = try ledger.dossierFold(in: txn)
        } else if !txn.isReadOnly || txn.id != foldSnapshot {
            dossierFold!.reader.catchUp(with: try ledger.store.stringTexts(in: txn))
        }
        foldSnapshot = txn.isReadOnly ? txn.id : nil
    }
}
