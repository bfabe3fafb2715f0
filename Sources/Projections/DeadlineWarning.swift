import DossierRules
import WorkingTime

/// Where an open dossier stands against its due instant (REPORTS.md §3).
public enum DeadlineBucket: String, Sendable, CaseIterable, Comparable {
    /// Its due instant has passed (a pause begun after it does not help).
    case overdue
    /// Its clock runs and at most the warning window of working time is left.
    case dueSoon = "due_soon"
    /// Otherwise (also while the clock is stopped by a pause begun before the due instant).
    case notDue = "not_due"

    /// Most urgent first.
    public static func < (a: DeadlineBucket, b: DeadlineBucket) -> Bool { a.urgency < b.urgency }
    private var urgency: Int { self == .overdue ? 0 : self == .dueSoon ? 1 : 2 }
}

/// An open dossier's deadline warning at an instant.
public struct DeadlineWarning: Sendable, Equatable {
    public var dossier: String
    public var agency: String?
    public var bucket: DeadlineBucket
    /// nil while the clock is stopped (the due instant is not known yet).
    public var dueAt: Int64?
    /// Working seconds from the instant to the due instant; while the clock is
    /// stopped, those left when it stopped; when overdue, minus the working
    /// seconds since the due instant (a pause begun after it not taken out).
    public var secondsLeft: Int64
    public var holder: String?
    public var step: String?
    /// Working seconds left of the current step's budget (negative when over); nil without a hold or budget.
    public var stepSecondsLeft: Int64?
    /// Whether the clock is stopped.
    public var paused: Bool

    /// Most urgent first: by bucket, then by working time left, then by dossier.
    public static func moreUrgent(_ a: DeadlineWarning, _ b: DeadlineWarning) -> Bool {
        if a.bucket != b.bucket { return a.bucket < b.bucket }
        if a.secondsLeft != b.secondsLeft { return a.secondsLeft < b.secondsLeft }
        return a.dossier < b.dossier
    }
}

/// The warning window: 8 working hours (one working day) unless configured.
public let defaultWarningWindowSeconds: Int64 = 8 * 3600

extension DossierState {
    /// The deadline warning of this dossier at `instant`, with `reference`'s
    /// calendar and procedure definitions; nil unless it is open (received,
    /// not processed, not ended).
    /// - Parameter window: working seconds left at which a running clock is `due_soon`.
    public func deadlineWarning(at instant: Int64, reference: ReferenceData, window: Int64 = defaultWarningWindowSeconds) -> DeadlineWarning? {
        guard stage.isOpen, let receivedAt else { return nil }
        let calendar = reference.calendar
        let due = dueInstant(calendar: calendar)
        let paused = isPaused
        let bucket: DeadlineBucket
        let left: Int64
        if let due, due < instant {
            bucket = .overdue
            left = -calendar.workingSeconds(from: due, to: instant)
        } else if let due {
            left = calendar.workingSeconds(from: instant, to: due)
            bucket = !paused && left <= window ? .dueSoon : .notDue
        } else {
            // The clock stopped before the due instant: what was left when it stopped.
            let stoppedAt = pauses.last { $0.end == nil }?.start ?? instant
            left = processingSeconds - calendar.workingSeconds(from: receivedAt, to: stoppedAt, excluding: clockPauses)
            bucket = .notDue
        }
        let holding = currentHolding
        var stepLeft: Int64?
        if let holding, let procedure, let definition = reference.procedure(procedure, definedBy: procedureSeq),
           let budget = definition.step(named: holding.step)?.budgetSeconds {
            stepLeft = budget - heldSeconds(holding, calendar: calendar, asOf: max(instant, holding.from))
        }
        return DeadlineWarning(dossier: code, agency: agency, bucket: bucket, dueAt: due, secondsLeft: left,
                               holder: holding?.officer, step: holding?.step, stepSecondsLeft: stepLeft, paused: paused)
    }

    /// The first instant after `instant` at which this dossier's bucket
    /// changes with no event: entering `due_soon` when its running clock
    /// reaches the window, or `overdue` one second after its due instant;
    /// nil when time alone changes nothing (not open, overdue already, or
    /// the clock stopped before the due instant).
    public func nextDeadlineCrossing(after instant: Int64, calendar: WorkingCalendar, window: Int64 = defaultWarningWindowSeconds) -> Int64? {
        guard stage.isOpen, receivedAt != nil, let due = dueInstant(calendar: calendar), due >= instant else { return nil }
        if !isPaused {
            let left = calendar.workingSeconds(from: instant, to: due)
            if left > window { return calendar.adding(workingSeconds: left - window, to: instant) }
        }
        return due + 1
    }
}
