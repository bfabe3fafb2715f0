import DossierRules
import LedgerStore
import LedgerContract
import WorkingTime

/// A broken rule of DOMAIN.md ("Violations") on one dossier, with the
/// events that prove it.
public struct Violation: Sendable, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        case late
        case lateWithoutApology = "late_without_apology"
        case overdueInProgress = "overdue_in_progress"
        case stepOverdue = "step_overdue"
        case repeatedSupplement = "repeated_supplement"
        case lateReception = "late_reception"
        case backdatedEntry = "backdated_entry"
    }

    public var dossier: String
    public var code: Code
    public var agency: String?
    /// The responsible officer, when there is one.
    public var officer: String?
    /// For `step_overdue`: the step, the working hours held and the budget.
    public var step: String?
    public var heldHours: Double?
    public var budgetHours: Double?
    /// Seqs of the events that prove it.
    public var evidence: [UInt64]
}

/// Thresholds of the rules marked *configurable* in DOMAIN.md.
public struct ViolationRules: Sendable {
    /// An online or postal submission must be received or rejected by the instant this much working
    /// time after it (its reception deadline).
    public var receptionLimitSeconds: Int64 = 8 * 3600
    /// An event recorded more than this after its `at` is a backdated entry.
    public var backdatedAfterSeconds: Int64 = 24 * 3600
    public init() {}
}

extension DossierState {
    /// The violations of this dossier as of `asOf` (for the rules that
    /// depend on "now": open holds, overdue in progress, pending receptions).
    public func violations(reference: ReferenceData, asOf: Int64, rules: ViolationRules = .init()) -> [Violation] {
        let calendar = reference.calendar
        var found: [Violation] = []
        func add(_ code: Violation.Code, officer: String?, evidence: [UInt64?], step: String? = nil, held: Int64? = nil, budget: Int64? = nil) {
            found.append(Violation(dossier: self.code, code: code, agency: agency, officer: officer, step: step,
                                   heldHours: held.map { Double($0) / 3600 }, budgetHours: budget.map { Double($0) / 3600 },
                                   evidence: evidence.compactMap { $0 }))
        }
        let due = dueInstant(calendar: calendar)
        if let processedAt, let due, processedAt > due {
            // Whoever held the dossier when the due instant passed; else the last holder.
            let responsible = holdings.first { $0.from <= due && ($0.to ?? .max) > due }?.officer ?? holdings.last?.officer
            add(.late, officer: responsible, evidence: [receivedSeq, processedSeq])
            if apologyAt.map({ $0 > due }) ?? true {
                add(.lateWithoutApology, officer: responsible, evidence: [receivedSeq, apologySeq, processedSeq])
            }
        }
        if isOverdue(at: asOf, calendar: calendar) {
            add(.overdueInProgress, officer: currentHolding?.officer, evidence: [receivedSeq, currentHolding?.assignedSeq])
        }
        if let procedure, let definition = reference.procedure(procedure, definedBy: procedureSeq) {
            for h in holdings where h.from <= asOf {
                // A hold still open on an ended dossier cannot exist; an open one runs to asOf.
                guard let budget = definition.step(named: h.step)?.budgetSeconds else { continue }
                let held = heldSeconds(h, calendar: calendar, asOf: min(asOf, h.to ?? asOf))
                if held > budget {
                    add(.stepOverdue, officer: h.officer, evidence: [h.assignedSeq, h.endSeq], step: h.step, held: held, budget: budget)
                }
            }
        }
        if supplementRequestSeqs.count > 1 {
            for i in 1..<supplementRequestSeqs.count {
                add(.repeatedSupplement, officer: supplementRequesters[i], evidence: [supplementRequestSeqs[0], supplementRequestSeqs[i]])
            }
        }
        if let submittedAt, channel == "online" || channel == "postal" {
            // The reception deadline is an instant, computed like a due instant; a
            // reception after it is late even when no working time passed in between.
            let deadline = calendar.adding(workingSeconds: rules.receptionLimitSeconds, to: submittedAt)
            let decided = receivedAt ?? rejectedAt ?? endedAt   // received, rejected, or withdrawn before either
            if (decided ?? asOf) > deadline {
                add(.lateReception, officer: receivedBy, evidence: [submittedSeq, receivedSeq ?? endSeq])
            }
        }
        for late in lateRecordings where late.lagSeconds > rules.backdatedAfterSeconds {
            add(.backdatedEntry, officer: nil, evidence: [late.seq])
        }
        return found
    }
}
