import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Synchronization
import WorkingTime

/// A dossier ledger: the event log plus the projections kept in step with it.
///
/// Guarantees:
/// - `append` is atomic: every event of the batch is validated, stored and
///   folded into the projections in one LMDB write transaction, or nothing is.
/// - Projections are updated in the same transaction as the events, so a
///   reader never sees an event without its effect (checkpoint = head seq).
/// - Many processes may open the same ledger; LMDB serialises writers, and
///   each write starts by catching up with reference data other processes added.
///
/// Thread rules: a `Ledger` may be shared between threads; each read runs
/// its own transaction, and concurrent appends are grouped into shared
/// commits (see `append`).
public final class Ledger: Sendable {
    package struct Tables: Sendable {
        /// The two sets of projection tables: one is live (the meta key
        /// `projectionSet`, 0 when absent), the other is where `rebuild`
        /// writes the next one before it becomes live in one commit.
        package let sets: [ProjectionTables]
        /// projection name → last seq applied (u64 BE), of the live set.
        package let checkpoints: Database
    }

    /// One set of the projection tables.
    package struct ProjectionTables: Sendable {
        /// dossier code → the dossier's row: its encoded `DossierState` and
        /// what it added to the KPI day counters (`DossierRow`).
        package let dossierStates: Database
        /// agency · 0 · day → KPI day counters.
        package let kpiDays: Database
        /// dossier code → nothing, for every open dossier (received, not
        /// processed or ended): the deadline warnings read only these.
        package let openDossiers: Database

        var all: [Database] { [dossierStates, kpiDays, openDossiers] }
    }

    /// The projections kept with the log; each has a checkpoint.
    public static let projectionNames = ["dossiers", "violations", "kpi"]

    package let store: EventStore
    package let tables: Tables
    private let referenceCache: Mutex<ReferenceData>
    /// Concurrent appends waiting for a group commit.
    let appendQueue = Mutex(AppendQueue())
    /// The last append transaction's buffer of changed states, emptied, for
    /// the next (`AppendSession.changed`): its pages stay mapped, where a
    /// new buffer of an import batch's size would be faulted in page by
    /// page in every transaction. At most `PendingEvents.dossiersReserved` states' room.
    let spareChangedStates = Mutex<[AppendSession.ChangedState]>([])
    /// The record reader of `dossierFold(in:)`, knowing every committed string read so far.
    let readerCache = Mutex(DossierEvent.Reader(strings: [String]()))
    /// Reference data before any reference event: the ledger's working hours, no declared calendar.
    public let emptyReference: ReferenceData

    public var path: String { store.path }

    /// Creates a new ledger in directory `path`.
    /// - Parameter workingHours: the ledger's working hours (07:30–11:30 and 13:00–17:00 by default), fixed at creation.
    /// - Parameter allowPersonalData: accept `data` fields named like personal identifiers (refused by default,
    ///   since an append-only log can never erase them).
    public static func create(at path: String, options: Options = .init(), workingHours: WorkingHours = .standard,
                              allowPersonalData: Bool = false) throws -> Ledger {
        let store = try EventStore.create(at: path, options: options.environment)
        try store.environment.write { txn in
            try txn.put(store.tables.meta, key: Array(Self.workingHoursKey.utf8), value: Array(workingHours.text.utf8))
            try txn.put(store.tables.meta, key: Array(Self.projectionFormatKey.utf8), value: [Self.projectionFormat])
            if allowPersonalData { try txn.put(store.tables.meta, key: Array(Self.allowPersonalDataKey.utf8), value: [1]) }
        }
        return try Ledger(store: store, foldChunkSize: options.foldChunkSize)
    }

    /// How a ledger's files are opened.
    public struct Options: Sendable {
        /// The initial size of the memory map in bytes (64 MiB); it grows by doubling when full.
        public var mapSize = 64 << 20
        /// Files readable by the owner's group too (for auditors); owner-only by default. Used when creating.
        public var groupReadable = false
        /// Skip the fsync at commit: scratch ledgers and benchmarks only (a crash may lose committed events).
        package var skipsSync = false
        /// Dossiers folded together by `rebuild` and `verify`
        /// (`KeyOrderFold`): memory is about one chunk's states.
        public var foldChunkSize = KeyOrderFold.defaultChunkSize

        public init() {}

        package var environment: Environment.Options {
            var o = Environment.Options()
            o.mapSize = mapSize
            o.fileMode = groupReadable ? 0o640 : 0o600
            o.noSync = skipsSync
            return o
        }
    }

    static let workingHoursKey = "workingHours"
    static let allowPersonalDataKey = "allowPersonalData"

    /// Whether `data` fields named like personal identifiers are accepted (fixed at `init`).
    public let allowsPersonalData: Bool
    /// Dossiers per chunk of the folds in key order (`Options.foldChunkSize`).
    package let foldChunkSize: Int

    /// For command-line tools: from now on, a memory fault on the file of a
    /// ledger opened in this process (a damaged B-tree page, a `data.mdb`
    /// cut short) ends the process with one line on stderr naming the
    /// ledger and exit code 65, instead of a crash (`MapFaultReport`).
    /// Call once, first thing in `main`, before other threads start.
    public static func reportFileFaultsAsDamage(program: String) {
        MapFaultReport.install(program: program)
    }

    /// Opens the ledger in directory `path`.
    public static func open(at path: String, options: Options = .init()) throws -> Ledger {
        try Ledger(store: EventStore.open(at: path, options: options.environment), foldChunkSize: options.foldChunkSize)
    }

    private init(store: EventStore, foldChunkSize: Int) throws {
        guard foldChunkSize > 0 else { throw LedgerError(.invalidArgument, "a fold chunk holds at least one dossier (foldChunkSize \(foldChunkSize))") }
        self.store = store
        self.foldChunkSize = foldChunkSize
        tables = try store.environment.write { txn in
            func set(_ suffix: String) throws -> ProjectionTables {
                ProjectionTables(dossierStates: try txn.openDatabase("dossierStates" + suffix, create: true),
                                 kpiDays: try txn.openDatabase("kpiDays" + suffix, create: true),
                                 openDossiers: try txn.openDatabase("openDossiers" + suffix, create: true))
            }
            return Tables(sets: [try set(""), try set(".1")], checkpoints: try txn.openDatabase("checkpoints", create: true))
        }
        let hoursText = try store.read { txn in
            try txn.get(store.tables.meta, key: Array(Self.workingHoursKey.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        var hours = WorkingHours.standard
        if let hoursText {
            guard let stored = WorkingHours(text: hoursText) else {
                throw LedgerError(.corrupt, "\(store.path): stored working hours \"\(hoursText)\" are not valid")
            }
            hours = stored
        }
        emptyReference = ReferenceData(calendar: WorkingCalendar(hours: hours))
        allowsPersonalData = try store.read { txn in try txn.get(store.tables.meta, key: Array(Self.allowPersonalDataKey.utf8)) != nil }
        referenceCache = Mutex(emptyReference)
        _ = try store.read { txn in try reference(in: txn) }
        if try storedProjectionFormat() != Self.projectionFormat {
            do { try rebuildProjections() } catch {
                throw LedgerError(.storage, "\(path): the projections were written in an earlier layout and must be rebuilt from the log, which failed: \(error)")
            }
        }
    }

    /// The layout of the projection tables (`DossierRow`, `DossierState`'s
    /// encoding, the KPI day counters, the open dossiers). A ledger whose
    /// projections were written in another layout has them rebuilt from the
    /// log when opened: projections are derived data, so a layout change
    /// needs no migration code.
    static let projectionFormat: UInt8 = 5
    static let projectionFormatKey = "projectionFormat"
    static let projectionSetKey = "projectionSet"

    /// The index in `tables.sets` of the live projection tables, as `txn` sees them.
    package func liveProjectionSet(in txn: Transaction) throws -> Int {
        guard let raw = try txn.get(store.tables.meta, key: Array(Self.projectionSetKey.utf8)) else { return 0 }
        guard raw.count == 1, raw[0] < 2 else { throw LedgerError(.corrupt, "\(path): the live projection set is damaged") }
        return Int(raw[0])
    }

    /// The live projection tables, as `txn` sees them (a rebuild switches them in its last commit).
    package func projections(in txn: Transaction) throws -> ProjectionTables {
        tables.sets[try liveProjectionSet(in: txn)]
    }

    func storedProjectionFormat() throws -> UInt8? {
        try store.read { txn in try txn.get(store.tables.meta, key: Array(Self.projectionFormatKey.utf8)).flatMap { $0.first } }
    }

    /// Reference data as of the transaction's snapshot (the cache catches up
    /// with reference events appended since, by any process).
    package func reference(in txn: Transaction) throws -> ReferenceData {
        var ref = referenceCache.withLock { $0 }
        let newer = try store.referenceSeqs(after: ref.lastSeq, in: txn)
        let head = try store.head(in: txn).seq
        if ref.lastSeq > head {
            // The cache is ahead of this snapshot (an older reader): rebuild up to the snapshot.
            ref = emptyReference
            for seq in try store.referenceSeqs(in: txn) { try apply(seq: seq, to: &ref, in: txn) }
            return ref
        }
        guard !newer.isEmpty else { return ref }
        for seq in newer { try apply(seq: seq, to: &ref, in: txn) }
        let caught = ref
        referenceCache.withLock { if $0.lastSeq < caught.lastSeq { $0 = caught } }
        return ref
    }

    /// Applies the stored reference event at `seq` to `ref`.
    func apply(seq: UInt64, to ref: inout ReferenceData, in txn: Transaction) throws {
        guard let e = try store.event(seq: seq, in: txn) else {
            throw LedgerError(.corrupt, "\(path): reference index names seq \(seq), which is not in the log")
        }
        do { try ref.apply(e.event, seq: seq) } catch {
            throw LedgerError(.corrupt, "\(path): stored reference event seq \(seq) no longer applies: \(error.rule)")
        }
    }

    func remember(_ reference: ReferenceData) {
        referenceCache.withLock { if $0.lastSeq < reference.lastSeq { $0 = reference } }
    }

    /// A dossier's current state, or nil when it has no events.
    ///
    /// - Complexity: one B-tree lookup and a decode.
    package func dossier(_ code: String, in txn: Transaction) throws -> DossierState? {
        try dossier(code, from: try projections(in: txn), in: txn)
    }

    /// A dossier's state in the projection tables `set`.
    package func dossier(_ code: String, from set: ProjectionTables, in txn: Transaction) throws -> DossierState? {
        guard let raw = try txn.get(set.dossierStates, utf8Key: code) else { return nil }
        do { return try DossierRow.state(raw, code: code) } catch {
            throw LedgerError(.corrupt, "\(path): dossier \(code): stored state does not decode: \(error.reason)")
        }
    }

    /// The last seq a projection has applied.
    package func checkpoint(_ projection: String, in txn: Transaction) throws -> UInt64 {
        try txn.get(tables.checkpoints, key: Array(projection.utf8)).map { try Key.readU64($0) } ?? 0
    }
}

extension Ledger {
    /// Calls `body` with the state of every open dossier (received, not
    /// processed or ended), in dossier-code order.
    ///
    /// Resident memory stays bounded: the mapped pages read are released
    /// every 1,024 dossiers.
    /// - Complexity: O(open dossiers × log n): one walk of the open index,
    ///   one lookup each.
    package func forEachOpenDossier(in txn: Transaction, _ body: (DossierState) throws -> Void) throws {
        let set = try projections(in: txn)
        try walk(set.openDossiers, releasingEvery: 0x400, in: txn) { key, _ in
            let code = String(decoding: key, as: UTF8.self)
            guard let state = try dossier(code, from: set, in: txn) else {
                throw LedgerError(.corrupt, "\(path): dossier \(code) is in the index of open dossiers but has no state")
            }
            try body(state)
        }
    }

    /// Calls `body` with every dossier's state, in dossier-code order.
    ///
    /// The states are read and decoded on two walkers where there are two
    /// cores (`KeyOrderFold.forEachLiveDossier`), `body` runs on the calling
    /// thread. Resident memory stays bounded whatever the number of
    /// dossiers: a few batches of states, and the pages of the map already
    /// walked are released as it goes.
    /// - Complexity: O(n) in the dossiers; one cursor walk per walker.
    package func forEachDossier(in txn: Transaction, _ body: (DossierState) throws -> Void) throws {
        try KeyOrderFold.forEachLiveDossier(self, in: txn) { state in try body(state) }
    }

    /// Walks `table` in key order, releasing the mapped pages read every
    /// `entries` entries, so that resident memory is bounded by that many
    /// entries' pages rather than by the table.
    private func walk(_ table: Database, releasingEvery entries: Int, in txn: Transaction,
                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        var mappedPages = Environment.MappedPageBudget(store.environment, in: txn, budget: 0, checkingEvery: entries)
        try txn.withCursor(table) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                try mappedPages.step()
                try body(e.key, e.value)
                entry = try cursor.next()
            }
        }
    }
}
