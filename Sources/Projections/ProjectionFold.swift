import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// A fold of the log from seq 1, in memory: every dossier's state and the
/// reference data, as the live projections would hold them after the same
/// events. Used by `rebuild`, by `verify` and by replays as of a past instant.
///
/// A whole-log fold (`fold(_:to:in:include:progress:)`) reads stored records
/// in place (`RecordView`, `DossierEvent.Reader`): no JSON value is built for
/// a dossier event, states sit in an array indexed by dossier number, and the
/// reference data is shared by every dossier that saw the same version of it.
///
/// - Complexity: O(n) in the events folded, plus a re-read of a dossier's
///   stream for each `event.voided`; memory O(dossiers).
public struct ProjectionFold {
    public private(set) var reference: ReferenceData
    public private(set) var lastSeq: UInt64 = 0

    private struct Entry {
        var state: DossierState
        /// Index in `references` of the reference data in force at the dossier's last event.
        var referenceIndex: Int
    }
    private var entries: [Entry] = []
    private var entryOfCode: [String: Int] = [:]
    /// Dossier number → entry index + 1 (0: not seen yet), for folds over stored records.
    private var entryOfNumber: [Int32] = []
    /// Versions of the reference data dossiers saw; the last is `reference` unless it changed since.
    private var references: [ReferenceVersion] = []
    /// Whether `entries` are in the key order of the codes (a whole-log
    /// fold laid them out so: `wholeLog(_:in:progress:)`).
    private var entriesAreInKeyOrder = false

    /// One version of the reference data, shared by reference: a dossier's
    /// version is lent to a visitor without copying the value (its
    /// dictionaries and calendar) for each dossier.
    private final class ReferenceVersion {
        let data: ReferenceData
        init(_ data: ReferenceData) { self.data = data }
    }
    private var referenceIsShared = false
    /// Folds records into states (made at the first one, caught up with the string table as it grows).
    private var dossierFold: DossierFold?

    /// - Parameter reference: the reference data before the first event (`Ledger.emptyReference`).
    public init(reference: ReferenceData) { self.reference = reference }

    /// Dossiers folded so far.
    public var dossierCount: Int { entries.count }

    /// A dossier's state and the reference data in force at its last event.
    /// (Mutating only to index the codes on first use.)
    public mutating func dossier(_ code: String) -> (state: DossierState, reference: ReferenceData)? {
        indexCodes()
        return entryOfCode[code].map { (entries[$0].state, references[entries[$0].referenceIndex].data) }
    }

    /// Indexes by code the dossiers a whole-log fold added by number.
    private mutating func indexCodes() {
        guard entryOfCode.count < entries.count else { return }
        for i in entries.indices { entryOfCode[entries[i].state.code] = i }
    }

    /// Calls `body` for every dossier with the reference data in force at its
    /// last event; in the byte order of the codes (the projection's key
    /// order) when `inCodeOrder`, else in order of first appearance.
    public func forEachDossier(inCodeOrder: Bool = false, _ body: (DossierState, ReferenceData) throws -> Void) rethrows {
        if inCodeOrder && !entriesAreInKeyOrder {
            var order = Array(entries.indices)
            order.sort { a, b in Key.precedes(entries[a].state.code, entries[b].state.code) }
            for i in order { try body(entries[i].state, references[entries[i].referenceIndex].data) }
        } else {
            for e in entries { try body(e.state, references[e.referenceIndex].data) }
        }
    }

    /// Calls `body` for every dossier of a `wholeLog` fold in the
    /// projection's key order, which is the order its states are laid out in.
    /// The state is lent `inout` only so that nothing is copied; `body` must not change it.
    mutating func forEachDossierInKeyOrder(_ body: (inout DossierState, ReferenceData) throws -> Void) rethrows {
        try forEachDossierInKeyOrder(dropping: false, body)
    }

    /// `forEachDossierInKeyOrder`, dropping each state as soon as `body`
    /// returns — while it is still in the cache, instead of in one more
    /// pass over all of them — and leaving the fold without dossiers.
    mutating func drainInKeyOrder(_ body: (inout DossierState, ReferenceData) throws -> Void) rethrows {
        try forEachDossierInKeyOrder(dropping: true, body)
        entries = []
        entryOfNumber = []
        entryOfCode = [:]
    }

    private mutating func forEachDossierInKeyOrder(dropping: Bool, _ body: (inout DossierState, ReferenceData) throws -> Void) rethrows {
        precondition(entriesAreInKeyOrder, "only a wholeLog fold holds its dossiers in key order")
        let references = self.references
        for k in entries.indices {
            // The version object is bound first so that `body` borrows its data in place.
            let version = references[entries[k].referenceIndex]
            try body(&entries[k].state, version.data)
            if dropping { entries[k].state = DossierState(code: "") }
        }
    }

    private mutating func currentReferenceIndex() -> Int {
        if !referenceIsShared {
            references.append(ReferenceVersion(reference))
            referenceIsShared = true
        }
        return references.count - 1
    }

    private mutating func applyReference(_ e: RecordedEvent) throws {
        do { try reference.apply(e.event, seq: e.seq) } catch {
            throw LedgerError(.corrupt, "seq \(e.seq): stored reference event no longer applies: \(error.rule)")
        }
        referenceIsShared = false
    }

    private mutating func entryIndex(forCode code: String) -> Int {
        indexCodes()
        if let i = entryOfCode[code] { return i }
        entriesAreInKeyOrder = false
        entries.append(Entry(state: DossierState(code: code), referenceIndex: currentReferenceIndex()))
        entryOfCode[code] = entries.count - 1
        return entries.count - 1
    }

    /// Applies the next event of the log, the record `view` read in `txn`
    /// (a snapshot that holds every event folded so far).
    package mutating func apply(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws {
        let store = ledger.store
        lastSeq = view.seq
        guard view.isDossierEvent else {
            return try applyReference(try store.decode(view, in: txn))
        }
        let code = try store.dossierCode(number: view.dossierNumber, in: txn)
        let i = entryIndex(forCode: code)
        let r = currentReferenceIndex()
        if dossierFold == nil { dossierFold = try ledger.dossierFold(in: txn) } else { dossierFold!.reader.catchUp(with: try store.stringTexts(in: txn)) }
        do {
            try dossierFold!.apply(view, to: &entries[i].state, reference: references[r].data) { code in
                try store.records(ofDossier: code, in: txn).filter { $0.seq <= view.seq }
            }
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(store.path): seq \(view.seq): stored bytes do not decode: \(e.reason)")
        }
        entries[i].referenceIndex = r
    }

    /// Folds the whole log (or up to `to`), keeping only events `include`
    /// accepts (it is given each event's `at` and `recordedAt`).
    package static func fold(_ ledger: Ledger, to: UInt64 = .max, in txn: Transaction,
                            include: (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool = { _, _ in true },
                            progress: (UInt64) -> Void = { _ in }) throws -> ProjectionFold {
        try fold(ledger, to: to, in: txn, statesInKeyOrder: false, include: include, progress: progress)
    }

    /// Folds the whole log with every dossier's state laid out in the key
    /// order of the codes (read first from the dossier table), so that
    /// `forEachDossierInKeyOrder` — `rebuild` writing every row, `verify`
    /// comparing them — walks memory in order instead of jumping between
    /// dossiers first seen far apart in the log. The table and the log must
    /// name the same dossiers (a difference is reported as damage).
    /// - Complexity: as `fold`, plus one walk of the dossier table.
    static func wholeLog(_ ledger: Ledger, in txn: Transaction, progress: (UInt64) -> Void = { _ in }) throws -> ProjectionFold {
        try fold(ledger, to: .max, in: txn, statesInKeyOrder: true, include: { _, _ in true }, progress: progress)
    }

    private static func fold(_ ledger: Ledger, to: UInt64, in txn: Transaction, statesInKeyOrder: Bool,
                             include: (_ at: Timestamp, _ recordedAt: Timestamp) -> Bool,
                             progress: (UInt64) -> Void) throws -> ProjectionFold {
        let store = ledger.store
        let dossiers = try store.dossierCount(in: txn)
        var dossierFold = try ledger.dossierFold(in: txn)
        // One cursor walk; the fold and the reference data in force are locals of
        // this closure so that handing them to `apply` copies nothing.
        return try txn.withCursor(store.tables.dossierCodes) { codes in try txn.withCursor(store.tables.events) { cursor in
            var fold = ProjectionFold(reference: ledger.emptyReference)
            fold.entries.reserveCapacity(dossiers)
            fold.entryOfNumber.reserveCapacity(dossiers + 1)
            if statesInKeyOrder { try fold.layOutInKeyOrder(store: store, in: txn) }
            var seen = 0   // dossiers laid out in key order that the log has reached
            var current = fold.reference
            var currentIndex = -1   // index of `current` in `fold.references`; -1 until a dossier sees it
            var lastCodeNumber: UInt32 = 0   // the dossier-code row `codes` is on (0: none yet)
            var row = try cursor.first()
            while let r = row {
                let seq = try Key.readU64(r.key)
                if seq > to { break }
                do {
                    let view = try RecordView(r.value, seq: seq)
                    if include(view.at, view.recordedAt) {
                        fold.lastSeq = seq
                        if !view.isDossierEvent {
                            try fold.applyReference(try store.decode(view, in: txn))
                            current = fold.reference
                            currentIndex = -1
                        } else {
                            if currentIndex < 0 { currentIndex = fold.currentReferenceIndex() }
                            let number = Int(view.dossierNumber)
                            if number >= fold.entryOfNumber.count {
                                fold.entryOfNumber.append(contentsOf: repeatElement(0, count: number + 1 - fold.entryOfNumber.count))
                            }
                            var i = Int(fold.entryOfNumber[number]) - 1
                            if i >= 0, fold.entriesAreInKeyOrder, fold.entries[i].referenceIndex < 0 {
                                seen += 1   // the first event of a dossier laid out in advance
                            } else if i < 0 {
                                if fold.entriesAreInKeyOrder {
                                    throw LedgerError(.corrupt, "\(store.path): seq \(seq): dossier number \(view.dossierNumber) is not in the dossier table")
                                }
                                // A new dossier: numbers first appear in increasing order, so its code
                                // is usually the next row of the dossier-code table.
                                let number32 = view.dossierNumber
                                let c = number32 == lastCodeNumber &+ 1 && lastCodeNumber != 0 ? try codes.next() : try codes.seek(Key.u32(number32))
                                guard let c, c.key.count == 4, try Key.readU32(c.key) == number32,
                                      let code = String(storedUTF8: c.value) else {
                                    throw LedgerError(.corrupt, "\(store.path): seq \(seq): dossier number \(number32) is not in the dossier table")
                                }
                                lastCodeNumber = number32
                                fold.entries.append(Entry(state: DossierState(code: code), referenceIndex: currentIndex))
                                i = fold.entries.count - 1
                                fold.entryOfNumber[number] = Int32(i + 1)
                            }
                            // A void refolds the dossier's stream, keeping what `include` keeps and stopping at this event.
                            try dossierFold.apply(view, to: &fold.entries[i].state, reference: current) { code in
                                try store.records(ofDossier: code, in: txn).filter { $0.seq <= seq && include($0.at, $0.recordedAt) }
                            }
                            fold.entries[i].referenceIndex = currentIndex
                        }
                    }
                } catch let e as RecordDecodingError {
                    throw LedgerError(.corrupt, "\(store.path): seq \(seq): stored bytes do not decode: \(e.reason)")
                }
                if seq & 0xFFFF == 0 { progress(seq) }
                row = try cursor.next()
            }
            if fold.entriesAreInKeyOrder, seen != fold.entries.count {
                throw LedgerError(.corrupt, "\(store.path): the dossier table names \(fold.entries.count) dossiers but the log has events of \(seen)")
            }
            return fold
        } }
    }

    /// Makes an entry for every dossier of the dossier table, in its key
    /// order, each waiting for its first event (`referenceIndex` −1).
    private mutating func layOutInKeyOrder(store: EventStore, in txn: Transaction) throws {
        try txn.withCursor(store.tables.dossiers) { cursor in
            var row = try cursor.first()
            while let r = row {
                guard r.value.count == 8, let code = String(storedUTF8: r.key) else {
                    throw LedgerError(.corrupt, "\(store.path): a row of the dossier table is damaged")
                }
                let number = Int(try Key.readU32(r.value))
                if number >= entryOfNumber.count {
                    entryOfNumber.append(contentsOf: repeatElement(0, count: number + 1 - entryOfNumber.count))
                }
                guard entryOfNumber[number] == 0 else {
                    throw LedgerError(.corrupt, "\(store.path): dossier number \(number) is named twice in the dossier table")
                }
                entries.append(Entry(state: DossierState(code: code), referenceIndex: -1))
                entryOfNumber[number] = Int32(entries.count)
                row = try cursor.next()
            }
        }
        entriesAreInKeyOrder = true
    }
}

extension Ledger {
    /// Drops every projection and rebuilds it from the log, in one write
    /// transaction (readers see the old projections until it commits), and
    /// records the projections' layout (`projectionFormat`).
    /// - Returns: events folded and dossiers written.
    @discardableResult
    public func rebuildProjections(progress: (UInt64) -> Void = { _ in }) throws -> (events: UInt64, dossiers: Int) {
        // The new tables are written before the old pages are free again (at
        // commit): room for a copy of them, so the fold is not run twice.
        let projectionBytes = try store.read { txn in
            try [tables.dossierStates, tables.kpiDays, tables.openDossiers].reduce(0) { $0 + (try txn.statistics($1).bytes) }
        }
        try store.environment.reserve(bytes: projectionBytes + projectionBytes / 4 + (16 << 20))
        return try store.environment.write { txn in
            var fold = try ProjectionFold.wholeLog(self, in: txn, progress: progress)
            try txn.removeAll(tables.dossierStates)
            try txn.removeAll(tables.kpiDays)
            try txn.removeAll(tables.openDossiers)
            let dossiers = fold.dossierCount
            var writer = ProjectionWriter(ledger: self, tablesAreEmpty: true)
            try writer.appendingRows(in: txn) { writer in
                try fold.drainInKeyOrder { state, reference in
                    try writer.write(state, reference: reference, in: txn)
                }
            }
            try writer.finish(checkpoint: fold.lastSeq, in: txn)
            try txn.put(store.tables.meta, key: Array(Self.projectionFormatKey.utf8), value: [Self.projectionFormat])
            return (fold.lastSeq, dossiers)
        }
    }

    /// Rebuilds the projections in memory and compares them with the live
    /// ones. Returns the differences found (empty when they agree).
    public func projectionDifferences(limit: Int = 20) throws -> [String] {
        try store.read { txn in
            var differences: [String] = []
            func note(_ s: String) { if differences.count < limit { differences.append(s) } }
            var fold = try ProjectionFold.wholeLog(self, in: txn)
            let head = try store.head(in: txn).seq
            for name in Self.projectionNames {
                let cp = try checkpoint(name, in: txn)
                if cp != head { note("projection \(name): checkpoint \(cp) but the log's head is \(head)") }
            }
            let expectedKPI = fold.kpiDays
            try fold.forEachDossierInKeyOrder { state, _ in
                let code = state.code
                guard let live = try dossier(code, in: txn) else { note("dossier \(code): missing from the live dossier states"); return }
                if live != state { note("dossier \(code): live state differs from a rebuild (live: \(live.stage.name), v\(live.version); rebuilt: \(state.stage.name), v\(state.version))") }
            }
            let liveCount = try txn.statistics(tables.dossierStates).entries
            if liveCount != fold.dossierCount { note("dossier states: \(liveCount) live, \(fold.dossierCount) rebuilt") }
            var open = Set<String>()
            fold.forEachDossier { state, _ in if state.stage.isOpen { open.insert(state.code) } }
            var indexed = Set<String>()
            try txn.withCursor(tables.openDossiers) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    let code = String(decoding: e.key, as: UTF8.self)
                    indexed.insert(code)
                    if !open.contains(code) { note("dossier \(code): in the index of open dossiers but not open") }
                    entry = try cursor.next()
                }
            }
            for code in open.subtracting(indexed).sorted() { note("dossier \(code): open but missing from the index of open dossiers") }
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
