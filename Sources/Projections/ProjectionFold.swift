import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// A fold of the log from seq 1 to a seq, in memory: every dossier's state
/// and the reference data, as the live projections held them after the same
/// events. The change feeds that follow the log (`KPIChangeFeed`,
/// `DeadlineWatch`, `TargetWatch`) start from one and apply each new event;
/// `rebuild`, `verify` and the replays fold in key order instead
/// (`KeyOrderFold`), in memory that does not grow with the dossiers.
///
/// The fold (`fold(_:to:in:progress:)`) reads stored records
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

    /// Calls `body` for every dossier with the reference data in force at
    /// its last event, in order of first appearance.
    public func forEachDossier(_ body: (DossierState, ReferenceData) throws -> Void) rethrows {
        for e in entries { try body(e.state, references[e.referenceIndex].data) }
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

    /// Folds the log up to `to` (the whole log by default).
    package static func fold(_ ledger: Ledger, to: UInt64 = .max, in txn: Transaction,
                            progress: (UInt64) -> Void = { _ in }) throws -> ProjectionFold {
        let store = ledger.store
        let dossiers = try store.dossierCount(in: txn)
        var dossierFold = try ledger.dossierFold(in: txn)
        // One cursor walk; the fold and the reference data in force are locals of
        // this closure so that handing them to `apply` copies nothing.
        return try txn.withCursor(store.tables.dossierCodes) { codes in try txn.withCursor(store.tables.events) { cursor in
            var fold = ProjectionFold(reference: ledger.emptyReference)
            fold.entries.reserveCapacity(dossiers)
            fold.entryOfNumber.reserveCapacity(dossiers + 1)
            var current = fold.reference
            var currentIndex = -1   // index of `current` in `fold.references`; -1 until a dossier sees it
            var lastCodeNumber: UInt32 = 0   // the dossier-code row `codes` is on (0: none yet)
            var row = try cursor.first()
            while let r = row {
                let seq = try Key.readU64(r.key)
                if seq > to { break }
                do {
                    let view = try RecordView(r.value, seq: seq)
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
                        if i < 0 {
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
                        // A void refolds the dossier's stream, stopping at this event.
                        try dossierFold.apply(view, to: &fold.entries[i].state, reference: current) { code in
                            try store.records(ofDossier: code, in: txn).filter { $0.seq <= seq }
                        }
                        fold.entries[i].referenceIndex = currentIndex
                    }
                } catch let e as RecordDecodingError {
                    throw LedgerError(.corrupt, "\(store.path): seq \(seq): stored bytes do not decode: \(e.reason)")
                }
                if seq & 0xFFFF == 0 { progress(seq) }
                row = try cursor.next()
            }
            return fold
        } }
    }
}
