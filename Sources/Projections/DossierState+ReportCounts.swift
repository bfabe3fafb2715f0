import DossierRules
import WorkingTime

/// What a dossier can count for in a period of the reports of REPORTS.md:
/// the twelve columns of form 06a (§1) first, in the form's order, then the
/// counts the scorecard's ratios (§2) are made of. Every figure of both
/// reports is a sum of these counts, so every figure can be listed dossier
/// by dossier.
public enum ReportCount: Int, CaseIterable, Sendable {
    /// Open at the period's start.
    case carriedOver
    /// Received in the period, by reception channel.
    case receivedOnline, receivedDirect, receivedPostal
    /// Processed in the period, by outcome (DOMAIN.md).
    case processedEarly, processedOnTime, processedLate
    /// Rejected, withdrawn or suspended in the period without being processed.
    case endedOtherwise
    /// Open at the period's end, not awaiting the citizen, by whether the due instant had passed.
    case inProgressNotDue, inProgressOverdue
    /// Open at the period's end, awaiting a supplement or an obligation, same split.
    case pausedNotDue, pausedOverdue
    /// Received in the period (any channel).
    case received
    /// Received in the period under a definition offering the procedure online (`full` or `partial`).
    case receivedOffered
    /// `receivedOffered` through the online channel.
    case receivedOnlineOffered
    /// Received in the period, input digitised.
    case receivedInputDigitised
    /// Processed in the period (any outcome).
    case processed
    /// Processed in the period early or on time, with fewer than two supplement requests.
    case processedOnTimeForPortal
    /// Processed in the period, result digitised.
    case processedResultDigitised
    /// Processed in the period on time for the portal, with no complaint and no rating of 1 or 2 before the period's end.
    case processedSatisfied
    /// A `dossier.fee_paid` in the period, and one paid online.
    case feePaid, feePaidOnline
    /// A hold of a step that ended in the period, and one that lasted no
    /// longer than the step's budget (working time, pauses excluded).
    /// Counted only when asked for (`steps`).
    case stepHeld, stepHeldWithinBudget

    /// The columns of form 06a, in the form's order.
    public static let form06a: [ReportCount] = Array(allCases[0..<12])

    /// The name in output (NDJSON fields and `--explain`).
    public var name: String {
        switch self {
        case .carriedOver: "carriedOver"
        case .receivedOnline: "receivedOnline"
        case .receivedDirect: "receivedDirect"
        case .receivedPostal: "receivedPostal"
        case .processedEarly: "processedEarly"
        case .processedOnTime: "processedOnTime"
        case .processedLate: "processedLate"
        case .endedOtherwise: "endedOtherwise"
        case .inProgressNotDue: "inProgressNotDue"
        case .inProgressOverdue: "inProgressOverdue"
        case .pausedNotDue: "pausedNotDue"
        case .pausedOverdue: "pausedOverdue"
        case .received: "received"
        case .receivedOffered: "receivedOffered"
        case .receivedOnlineOffered: "receivedOnlineOffered"
        case .receivedInputDigitised: "receivedInputDigitised"
        case .processed: "processed"
        case .processedOnTimeForPortal: "processedOnTimeForPortal"
        case .processedResultDigitised: "processedResultDigitised"
        case .processedSatisfied: "processedSatisfied"
        case .feePaid: "feePaid"
        case .feePaidOnline: "feePaidOnline"
        case .stepHeld: "stepHeld"
        case .stepHeldWithinBudget: "stepHeldWithinBudget"
        }
    }

    public init?(name: String) {
        guard let c = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }
}

extension DossierState {
    /// The instant the dossier ended for the reports: the first of processed,
    /// rejected, withdrawn, suspended (nil while open).
    public var reportEnd: Int64? {
        switch (processedAt, endedAt) {
        case let (p?, e?): min(p, e)
        case let (p?, nil): p
        case let (nil, e): e
        }
    }

    /// The due instant as it was known just before `instant`: the pauses begun
    /// before it, those not ended before it taken as open (nil: the clock was
    /// stopped by a pause begun before the due instant).
    public func dueInstant(knownBefore instant: Int64, calendar: WorkingCalendar) -> Int64? {
        guard let receivedAt else { return nil }
        var known: [Pause] = []
        for p in pauses where p.start < instant {
            known.append(Pause(start: p.start, end: (p.end ?? .max) < instant ? p.end : nil))
        }
        return calendar.dueInstant(receivedAt: receivedAt, processingSeconds: processingSeconds, pauses: known)
    }

    /// Processed early or on time (DOMAIN.md) and asked for supplements fewer
    /// than twice: the national portal counts two or more requests as late.
    public func isOnTimeForPortal(calendar: WorkingCalendar) -> Bool {
        guard let outcome = outcome(calendar: calendar) else { return false }
        return outcome != .late && supplementRequests < 2
    }

    /// The officer holding the dossier when it was processed (nil: none, or not processed).
    public var processedBy: String? {
        guard let processedAt else { return nil }
        return holdings.last { $0.from <= processedAt }?.officer
    }

    /// Calls `count` with every count this dossier adds to the covered
    /// periods of `periods`: the period index, what it counts for, the
    /// instant and seq of the event that put it there (for the open-at-end
    /// counts: the reception, or the request of the wait it is in), and the
    /// officer it is to the credit of — for receptions the officer who
    /// received it, for processing the officer holding it then, for a step
    /// the officer who held it; nil for the others. Dossiers never received
    /// count for nothing.
    ///
    /// - Parameters:
    ///   - definition: the procedure definition it was received under (nil: none).
    ///   - steps: also count the holds of steps against their budgets (`stepHeld`).
    /// - Complexity: O(events + periods the dossier was open across).
    public func forEachReportCount(in periods: ReportPeriods, definition: ProcedureDefinition?, steps: Bool = false,
                                   _ count: (_ period: Int, _ what: ReportCount, _ at: Int64, _ seq: UInt64, _ officer: String?) throws -> Void) rethrows {
        guard let receivedAt, let receivedSeq, periods.last >= periods.first else { return }
        let calendar = periods.calendar
        if let i = periods.period(holding: receivedAt) {
            let byChannel: ReportCount = channel == "online" ? .receivedOnline : channel == "postal" ? .receivedPostal : .receivedDirect
            let by = receivedBy
            try count(i, byChannel, receivedAt, receivedSeq, by)
            try count(i, .received, receivedAt, receivedSeq, by)
            if let online = definition?.online, online != .none {
                try count(i, .receivedOffered, receivedAt, receivedSeq, by)
                if channel == "online" { try count(i, .receivedOnlineOffered, receivedAt, receivedSeq, by) }
            }
            if inputDigitised { try count(i, .receivedInputDigitised, receivedAt, receivedSeq, by) }
        }
        if let processedAt, let processedSeq, let i = periods.period(holding: processedAt) {
            let byOutcome: ReportCount = switch outcome(calendar: calendar) {
            case .early?: .processedEarly
            case .onTime?: .processedOnTime
            case .late?, nil: .processedLate
            }
            let by = processedBy
            try count(i, byOutcome, processedAt, processedSeq, by)
            try count(i, .processed, processedAt, processedSeq, by)
            let onTimeForPortal = isOnTimeForPortal(calendar: calendar)
            if onTimeForPortal { try count(i, .processedOnTimeForPortal, processedAt, processedSeq, by) }
            if resultDigitised { try count(i, .processedResultDigitised, processedAt, processedSeq, by) }
            let end = periods.end(of: i)
            if onTimeForPortal, !complaints.contains(where: { $0.at < end }), !ratings.contains(where: { $0.score <= 2 && $0.at < end }) {
                try count(i, .processedSatisfied, processedAt, processedSeq, by)
            }
        }
        if processedAt == nil, let endedAt, let endSeq, let i = periods.period(holding: endedAt) {
            try count(i, .endedOtherwise, endedAt, endSeq, nil)
        }
        for p in payments {
            guard let i = periods.period(holding: p.at) else { continue }
            try count(i, .feePaid, p.at, p.seq, nil)
            if p.online { try count(i, .feePaidOnline, p.at, p.seq, nil) }
        }
        if steps, let definition {
            for h in holdings {
                guard let to = h.to, let i = periods.period(holding: to), let budget = definition.step(named: h.step)?.budgetSeconds else { continue }
                let seq = h.endSeq ?? h.assignedSeq
                try count(i, .stepHeld, to, seq, h.officer)
                if heldSeconds(h, calendar: calendar, asOf: to) <= budget { try count(i, .stepHeldWithinBudget, to, seq, h.officer) }
            }
        }
        // Open at the start and at the end of each period it spans.
        let end = reportEnd
        let lastInstant = min(end ?? .max, periods.end(of: periods.last) - 1)
        guard lastInstant >= receivedAt else { return }
        let from = max(periods.index(ofInstant: receivedAt), periods.first)
        let to = min(periods.index(ofInstant: lastInstant), periods.last)
        guard from <= to else { return }
        for i in from...to {
            let start = periods.start(of: i), finish = periods.end(of: i)
            if receivedAt < start, (end ?? .max) >= start {
                try count(i, .carriedOver, receivedAt, receivedSeq, nil)
            }
            guard receivedAt < finish, (end ?? .max) >= finish else { continue }
            let overdue = dueInstant(knownBefore: finish, calendar: calendar).map { $0 < finish } ?? false
            if let wait = wait(before: finish) {
                try count(i, overdue ? .pausedOverdue : .pausedNotDue, wait.start, wait.startSeq, nil)
            } else {
                try count(i, overdue ? .inProgressOverdue : .inProgressNotDue, receivedAt, receivedSeq, nil)
            }
        }
    }
}
