import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// Follows the status of every target in force (`TargetEvaluation`) as
/// events arrive and time passes, for the targets feed: it reports each
/// target whose status differs from the last evaluation, and each target
/// newly in force.
///
/// Its position is a seq and a clock: the state is the fold of the log up
/// to the seq, evaluated at the clock. Events are folded as they come
/// (`apply`); statuses change only when `evaluate` is called, and `position`
/// is the seq of the last evaluation — the only place a checkpoint may be
/// saved, so that a restart evaluates the same statuses again and reports
/// every change after them once.
///
/// Memory: the states of the dossiers followed last (`FollowedStates`), not
/// every dossier's, plus one status per target in force.
public struct TargetWatch {
    /// A target whose status changed.
    public struct Change: Sendable, Equatable {
        public var progress: TargetProgress
        /// The status before (nil: the target was not in force, or not begun, at the last evaluation).
        public var from: TargetStatus?
        /// The instant of the evaluation that saw it.
        public var at: Int64
        /// The last seq folded then.
        public var seq: UInt64

        /// Identifies the change across a restart: the same change is reported with the same id.
        public var id: String {
            let a = progress.assignment
            return "\(a.holder.code):\(a.measure):\(a.period):\(progress.status.rawValue):seq\(seq)"
        }
    }

    private let ledger: Ledger
    private var states: FollowedStates
    private var statuses: [TargetAssignment.Key: TargetStatus] = [:]
    /// The instant of the last evaluation.
    public private(set) var clock: Int64
    /// The seq folded at the last evaluation.
    public private(set) var position: UInt64
    /// Whether events were folded since the last evaluation.
    public var hasNewEvents: Bool { states.position != position }
    /// The last seq folded.
    public var folded: UInt64 { states.position }
    /// The reference data as of the last seq folded.
    public var reference: ReferenceData { states.reference }

    /// Takes the states at `seq` and evaluates every target at `clock` (nothing reported).
    public init(ledger: Ledger, through seq: UInt64, clock: Int64) throws {
        self.ledger = ledger
        states = try ledger.store.read { txn in try FollowedStates(ledger: ledger, through: seq, in: txn) }
        self.clock = clock
        position = states.position
        _ = try evaluate(at: clock)
    }

    /// Folds the next event of the log (its record, read in `txn`).
    package mutating func apply(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws {
        try states.apply(view, ledger: ledger, in: txn)
    }

    /// Evaluates every target in force whose period has begun at `instant`
    /// (the clock never moves back) and returns those whose status changed.
    /// - Complexity: one walk of the dossier states at the position (`FollowedStates.forEachDossier`).
    public mutating func evaluate(at instant: Int64) throws -> [Change] {
        clock = max(clock, instant)
        position = states.position
        let reference = states.reference
        let rows = reference.targets(inForceAt: clock)
            .filter { $0.period.instants(reference.calendar).start <= clock }
            .map { TargetEvaluation.Row(assignment: $0, period: $0.period) }
            .sorted(by: TargetEvaluation.precedes)
        var evaluation = TargetEvaluation(rows: rows, reference: reference, asOf: clock)
        if !rows.isEmpty {
            try ledger.store.read { txn in
                try states.forEachDossier(ledger: ledger, in: txn) { state, _ in evaluation.add(state, reference: reference) }
            }
        }
        var now: [TargetAssignment.Key: TargetStatus] = [:]
        var changes: [Change] = []
        for p in evaluation.progress(reference: reference) {
            let key = p.assignment.key
            now[key] = p.status
            let before = statuses[key]
            if before != p.status { changes.append(Change(progress: p, from: before, at: clock, seq: position)) }
        }
        statuses = now
        return changes
    }
}
