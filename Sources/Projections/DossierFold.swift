import DossierRules
import LedgerContract
import LedgerStore
import LMDB

/// The one way a dossier's state is made from its stored events: each
/// record is read into a `DossierEvent` (`DossierEvent.Reader`) and applied
/// by `DossierState.apply`; an `event.voided` refolds the dossier's stream
/// as if the events it voids had never happened. The live append, rebuild
/// and verify, the replays, the audit and the change feeds all fold through
/// it, so they cannot disagree.
///
/// Its reader resolves string ids with the string table it was given:
/// use it with records of that snapshot (or catch the reader up first).
package struct DossierFold {
    package var reader: DossierEvent.Reader
    /// Reused for every record.
    private var event = DossierEvent(type: .dossierReceived, seq: 0, version: 0, at: 0, recordedAt: 0)

    /// What `warm(_:)` read, kept so that the reads are made.
    private var warmed = 0

    package init(reader: DossierEvent.Reader) { self.reader = reader }

    /// Reads the parts of `state` that applying an event reads first: its
    /// version, its voided events and its holdings. A fold that applies
    /// events in seq order meets states mostly out of the CPU's caches:
    /// warming those of the next few events one after another, before
    /// applying them, lets their misses wait for memory together instead
    /// of one at a time.
    @inline(__always)
    package mutating func warm(_ state: UnsafeMutablePointer<DossierState>) {
        warmed &+= Int(state.pointee.version) &+ state.pointee.voided.count &+ state.pointee.holdings.count
    }

    /// Applies `view`, the next stored event of `state`'s dossier, with the
    /// reference data in force at it; `stream` gives the records of the
    /// dossier whose code it is handed, up to and including `view` — read
    /// only when `view` voids an earlier event.
    /// - Throws: `RecordDecodingError` for bytes that do not decode.
    @inline(__always)
    package mutating func apply(_ view: RecordView, to state: inout DossierState, reference: ReferenceData,
                                stream: (_ code: String) throws -> [RecordView]) throws {
        if view.type == .eventVoided {
            state = try fold(code: state.code, stream: try stream(state.code), reference: reference)
        } else {
            try reader.read(view, into: &event)
            state.apply(event, reference: reference)
        }
    }

    /// The state of a dossier whose stream is `stream` (its records in
    /// order), the events named by its `event.voided` left out;
    /// `afterEach` sees the state after each record (the voids of the whole stream already known).
    /// - Complexity: O(events), two passes.
    package mutating func fold(code: String, stream: [RecordView], reference: ReferenceData,
                               afterEach: (RecordView, DossierState) -> Void = { _, _ in }) throws -> DossierState {
        var state = DossierState(code: code)
        for v in stream where v.type == .eventVoided {
            try reader.read(v, into: &event)
            if let seq = event.voidedSeq { state.voided.append(seq) }
        }
        for v in stream {
            try reader.read(v, into: &event)
            state.apply(event, reference: reference)
            afterEach(v, state)
        }
        return state
    }
}

extension Ledger {
    /// A fold for records of the snapshot `txn` reads. Its reader is a copy
    /// of one the ledger keeps caught up with the string table (ids are never
    /// reused), so a fold costs no pass over the whole table.
    package func dossierFold(in txn: Transaction) throws -> DossierFold {
        let texts = try store.stringTexts(in: txn)
        let reader = readerCache.withLock { reader in
            reader.catchUp(with: texts)
            return reader
        }
        return DossierFold(reader: reader)
    }

    /// The state of dossier `code` folded from its stored records (those
    /// `include` keeps, all by default) with `reference`; nil when none is kept.
    package func foldedDossier(_ code: String, reference: ReferenceData, in txn: Transaction,
                               include: (RecordView) -> Bool = { _ in true },
                               afterEach: (RecordView, DossierState) -> Void = { _, _ in }) throws -> DossierState? {
        let stream = try store.records(ofDossier: code, in: txn).filter(include)
        guard !stream.isEmpty else { return nil }
        var fold = try dossierFold(in: txn)
        do { return try fold.fold(code: code, stream: stream, reference: reference, afterEach: afterEach) } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(path): dossier \(code): stored bytes do not decode: \(e.reason)")
        }
    }
}
