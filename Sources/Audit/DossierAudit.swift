import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Projections
import WorkingTime

/// One dossier's timeline as an inspector investigating a complaint needs
/// it: every event with who and when, every hold of the process control
/// slip (form 05) with the working hours held against the step budget,
/// every pause, how the due instant moved, the apology, the violations with
/// their evidence, and the entries recorded late.
///
/// - Complexity: one range read of the dossier's stream; no log scan.
public struct DossierAudit: Sendable {
    public struct Entry: Sendable {
        public var event: RecordedEvent
        /// Voided by a later `event.voided`: shown, but ignored by the rules.
        public var voided: Bool
    }

    /// A line of form 05.
    public struct Hold: Sendable {
        public var officer: String
        public var step: String
        public var from: Int64
        /// nil while still held.
        public var to: Int64?
        public var heldSeconds: Int64
        public var budgetSeconds: Int64?
        /// When the step's budget ran out (pauses applied).
        public var stepDue: Int64?
        /// early / onTime / late against the step's own due instant; nil while held.
        public var outcome: Outcome?
        public var assignedSeq: UInt64
    }

    public struct PauseLine: Sendable {
        public var reason: String
        public var start: Int64
        public var end: Int64?
        public var workingSeconds: Int64
        public var seq: UInt64
    }

    /// The due instant after an event moved it (nil: unknown while paused).
    public struct DueChange: Sendable {
        public var seq: UInt64
        public var due: Int64?
    }

    public var code: String
    public var state: DossierState
    public var reference: ReferenceData
    public var asOf: Int64
    public var entries: [Entry]
    public var holds: [Hold]
    public var pauses: [PauseLine]
    public var dueChanges: [DueChange]
    public var violations: [Violation]
    /// Events recorded more than the backdating threshold after they happened.
    public var recordedLate: [RecordedEvent]

    /// Builds the audit from the dossier's stream, optionally as of a past
    /// instant; rules that depend on "now" are evaluated at `asOf`.
    /// - Parameter reference: the reference data as of `past` (or now) when the
    ///   caller has it already (audits of many dossiers); read from the log otherwise.
    public static func build(_ code: String, in ledger: Ledger, as past: PastInstant? = nil, asOf: Int64,
                             rules: ViolationRules = .init(), reference known: ReferenceData? = nil) throws -> DossierAudit? {
        try ledger.store.read { txn in
            let reference = try known ?? past.map { try Replay.reference(of: ledger, as: $0, in: txn) } ?? ledger.reference(in: txn)
            let calendar = reference.calendar
            // How the due instant moved: the state after each event (voids known from the whole stream).
            var dueChanges: [DueChange] = []
            var lastDue: Int64?? = .none
            let included = { (v: RecordView) in past?.includes(at: v.at, recordedAt: v.recordedAt) ?? true }
            guard let state = try ledger.foldedDossier(code, reference: reference, in: txn, include: included, afterEach: { view, running in
                guard running.receivedAt != nil else { return }
                let due = running.dueInstant(calendar: calendar)
                if lastDue == nil || lastDue! != due {
                    dueChanges.append(DueChange(seq: view.seq, due: due))
                    lastDue = .some(due)
                }
            }) else { return nil }
            let events = try ledger.store.records(ofDossier: code, in: txn).filter(included).map { try ledger.store.decode($0, in: txn) }
            return make(state: state, events: events, dueChanges: dueChanges, reference: reference, asOf: asOf, rules: rules)
        }
    }

    static func make(state: DossierState, events: [RecordedEvent], dueChanges: [DueChange], reference: ReferenceData,
                     asOf: Int64, rules: ViolationRules) -> DossierAudit {
        let calendar = reference.calendar
        let code = state.code
        let definition = state.procedure.flatMap { reference.procedure($0, definedBy: state.procedureSeq) }
        let pauses = state.clockPauses
        let holds = state.holdings.map { h -> Hold in
            let budget = definition?.step(named: h.step)?.budgetSeconds
            let stepDue = budget.flatMap { calendar.dueInstant(receivedAt: h.from, processingSeconds: $0, pauses: pauses) }
            let outcome: Outcome? = h.to.flatMap { end in stepDue.map { calendar.outcome(processedAt: end, due: $0) } }
            return Hold(officer: h.officer, step: h.step, from: h.from, to: h.to,
                        heldSeconds: state.heldSeconds(h, calendar: calendar, asOf: asOf), budgetSeconds: budget,
                        stepDue: stepDue, outcome: outcome, assignedSeq: h.assignedSeq)
        }
        let pauseLines = state.pauses.map { p in
            PauseLine(reason: p.reason == .supplement ? "supplement" : "obligation", start: p.start, end: p.end,
                      workingSeconds: calendar.workingSeconds(from: p.start, to: p.end ?? max(asOf, p.start)), seq: p.startSeq)
        }
        return DossierAudit(code: code, state: state, reference: reference, asOf: asOf,
                            entries: events.map { Entry(event: $0, voided: state.voided.contains($0.seq)) },
                            holds: holds, pauses: pauseLines, dueChanges: dueChanges,
                            violations: state.violations(reference: reference, asOf: asOf, rules: rules),
                            recordedLate: events.filter { $0.recordedAt.seconds - $0.event.at.seconds > rules.backdatedAfterSeconds })
    }
}
