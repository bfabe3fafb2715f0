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
/// events); an agency or province replay folds the whole log up to the
/// instant in one read transaction.
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

    /// Every dossier as of `past`: the whole log folded up to it.
    public static func fold(_ ledger: Ledger, as past: PastInstant) throws -> ProjectionFold {
        try ledger.store.read { txn in try ProjectionFold.fold(ledger, in: txn, include: past.includes(at:recordedAt:)) }
    }
}

extension ProjectionFold {
    /// KPI rows of this fold (a replay), summed like the live ones.
    public func kpiRows(_ aggregation: KPIAggregation) throws -> [KPIRow] {
        let days = kpiDays
        return try aggregation.rows(reference: reference, days: { visit in
            for (key, counters) in days { try visit(key, counters) }
        }, dossiers: { visit in
            try forEachDossier { state, _ in try visit(state) }
        })
    }
}
