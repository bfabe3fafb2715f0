import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Projections

/// A past instant to replay the ledger at, in one of the two times auditors ask about.
public enum PastInstant: Sendable, Equatable {
    /// What had happened by T: events whose `at` is not after T.
    case happenedBy(Int64)
    /// What the ledger knew at T: events whose `recordedAt` is not after T,
    /// even those claiming to have happened earlier. Comparing the two shows backdating.
    case knownAt(Int64)

    /// The instant itself.
    public var instant: Int64 {
        switch self {
        case .happenedBy(let t), .knownAt(let t): t
        }
    }

    /// Whether `event` belongs to the replay.
    public func includes(_ event: RecordedEvent) -> Bool {
        includes(at: event.event.at, recordedAt: event.recordedAt)
    }

    /// Whether an event that happened `at` and was recorded `recordedAt` belongs to the replay.
    public func includes(at: Timestamp, recordedAt: Timestamp) -> Bool {
        switch self {
        case .happenedBy(let t): at.seconds <= t
        case .knownAt(let t): recordedAt.seconds <= t
        }
    }
}

/// Replays the log as of a past instant without touching the live projections.
///
/// A dossier replay reads only that dossier's stream (and the reference
/// events); an agency or province replay walks the live dossier states in
/// code order and folds from its stream only each dossier the instant
/// changes — those in flight at it (`KeyOrderFold.forEachPastDossier`) —
/// in one read transaction: its memory does not grow with the number of dossiers.
public enum Replay {
    /// One dossier's state and the reference data as of `past`; nil when none of its events is included.
    public static func dossier(_ code: String, in ledger: Ledger, as past: PastInstant) throws -> (DossierState, ReferenceData)? {
        try ledger.store.read { txn in
            let reference = try self.reference(of: ledger, as: past, in: txn)
            let state = try ledger.foldedDossier(code, reference: reference, in: txn) { past.includes(at: $0.at, recordedAt: $0.recordedAt) }
            return state.map { ($0, reference) }
        }
    }

    /// The reference data as of `past`, read from `snapshot`.
    public static func reference(as past: PastInstant, in snapshot: LedgerSnapshot) throws -> ReferenceData {
        try reference(of: snapshot.ledger, as: past, in: snapshot.txn)
    }

    /// The reference data as of `past`.
    package static func reference(of ledger: Ledger, as past: PastInstant, in txn: Transaction) throws -> ReferenceData {
        var reference = ledger.emptyReference
        for seq in try ledger.store.referenceSeqs(in: txn) {
            guard let e = try ledger.store.event(seq: seq, in: txn), past.includes(e) else { continue }
            do { try reference.apply(e.event, seq: seq) } catch {
                throw LedgerError(.corrupt, "\(ledger.path): stored reference event seq \(seq) no longer applies: \(error.rule)")
            }
        }
        return reference
    }

    /// What a replay of every dossier went through.
    public struct Extent: Sendable {
        /// Dossiers with at least one event as of the instant.
        public var dossiers: Int
        /// The last seq of the log the replay kept (0 when none).
        public var lastSeq: UInt64
    }

    /// Every dossier as of `past`, in code order, with the reference data
    /// as of `past` (dossiers none of whose events is included are skipped).
    @discardableResult
    public static func forEachDossier(_ ledger: Ledger, as past: PastInstant,
                                      _ body: (DossierState, ReferenceData) throws -> Void) throws -> Extent {
        try ledger.read { snapshot in try forEachDossier(in: snapshot, as: past, body) }
    }

    /// `forEachDossier(_:as:_:)` on an open snapshot.
    @discardableResult
    public static func forEachDossier(in snapshot: LedgerSnapshot, as past: PastInstant,
                                      _ body: (DossierState, ReferenceData) throws -> Void) throws -> Extent {
        let reference = try self.reference(of: snapshot.ledger, as: past, in: snapshot.txn)
        let summary = try KeyOrderFold.forEachPastDossier(snapshot.ledger, in: snapshot.txn, include: past.includes(at:recordedAt:)) { state, _ in
            try body(state, reference)
        }
        return Extent(dossiers: summary.dossiers, lastSeq: summary.lastSeq)
    }

    /// KPI rows as of `past`, summed like the live ones: the day counters
    /// the dossiers add up to (each with the reference data in force at its
    /// last event), then the dossiers again for what is overdue at each period's end.
    /// - Complexity: two walks of the dossiers in key order; memory of the agency-days, not of the dossiers.
    public static func kpiRows(_ ledger: Ledger, as past: PastInstant, _ aggregation: KPIAggregation) throws -> [KPIRow] {
        try ledger.read { snapshot in
            let ledger = snapshot.ledger, txn = snapshot.txn
            let include = past.includes(at:recordedAt:)
            var days: [KPIKey: KPICounters] = [:]
            try KeyOrderFold.forEachPastDossier(ledger, in: txn, include: include) { state, reference in days.add(state, reference: reference) }
            let sortedDays = days.sorted { ($0.key.agency, $0.key.day) < ($1.key.agency, $1.key.day) }
            return try aggregation.rows(reference: try reference(of: ledger, as: past, in: txn), days: { visit in
                for (key, counters) in sortedDays { try visit(key, counters) }
            }, dossiers: { visit in
                try forEachDossier(in: snapshot, as: past) { state, _ in try visit(state) }
            })
        }
    }
}
