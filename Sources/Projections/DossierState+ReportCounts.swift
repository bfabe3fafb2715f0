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

    /// Calls `count` with every count this dossier adds to the covered
    /// periods of `periods`: the period index, what it counts for, and the
    /// instant and seq of the event that put it there (for the open-at-end
    /// counts: the reception, or the request of the wait it is in).
    /// Dossiers never received count for nothing.
    ///
    /// - Parameter online: the online level of the definition it was received under (nil: none).
    /// - Complexity: O(events + periods the dossier was open across).
    public func forEachReportCount(in periods: ReportPeriods, online: OnlineLevel?,
                                   _ count: (_ period: Int, _ what: ReportCount, _ at: Int64, _ seq: UInt64) throws -> Void) rethrows {
        guard let receivedAt, let receivedSeq, periods.last >= periods.first else { return }
        let calendar = periods.calendar
        if let i = periods.period(holding: receivedAt) {
            let byChannel: ReportCount = channel == "online" ? .receivedOnline : channel == "postal" ? .receivedPostal : .receivedDirect
            try count(i, byChannel, receivedAt, receivedSeq)
            try count(i, .received, receivedAt, receivedSeq)
            if let online, online != .none {
                try count(i, .receivedOffered, receivedAt, receivedSeq)
                if channel == "online" { try count(i, .receivedOnlineOffered, receivedAt, receivedSeq) }
            }
            if inputDigitised { try count(i, .receivedInputDigitised, receivedAt, receivedSeq) }
        }
        if let processedAt, let processedSeq, let i = periods.period(holding: processedAt) {
            let byOutcome: ReportCount = switch outcome(calendar: calendar) {
            case .early?: .processedEarly
            case .onTime?: .processedOnTime
            case .late?, nil: .processedLate
            }
            try count(i, byOutcome, processedAt, processedSeq)
            try count(i, .processed, processedAt, processedSeq)
            let onTimeForPortal = isOnTimeForPortal(calendar: calendar)
            if onTimeForPortal { try count(i, .processedOnTimeForPortal, processedAt, processedSeq) }
            if resultDigitised { try count(i, .processedResultDigitised, processedAt, processedSeq) }
            let end = periods.end(of: i)
            if onTimeForPortal, !complaints.contains(where: { $0.at < end }), !ratings.contains(where: { $0.score <= 2 && $0.at < end }) {
                try count(i, .processedSatisfied, processedAt, processedSeq)
            }
        }
        if processedAt == nil, let endedAt, let endSeq, let i = periods.period(holding: endedAt) {
            try count(i, .endedOtherwise, endedAt, endSeq)
        }
        for p in payments {
            guard let i = periods.period(holding: p.at) else { continue }
            try count(i, .feePaid, p.at, p.seq)
            if p.online { try count(i, .feePaidOnline, p.at, p.seq) }
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
                try count(i, .carriedOver, receivedAt, receivedSeq)
            }
            guard receivedAt < finish, (end ?? .max) >= finish else { continue }
            let overdue = dueInstant(knownBefore: finish, calendar: calendar).map { $0 < finish } ?? false
            if let wait = wait(before: finish) {
                try count(i, overdue ? .pausedOverdue : .pausedNotDue, wait.start, wait.startSeq)
            } else {
                try count(i, overdue ? .inProgressOverdue : .inProgressNotDue, receivedAt, receivedSeq)
            }
        }
    }
}
