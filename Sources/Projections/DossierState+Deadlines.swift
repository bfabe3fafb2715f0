import DossierRules
import WorkingTime

/// Deadlines and outcomes of a dossier under a working calendar
/// (DOMAIN.md, "Working time" and "Outcome of a dossier").
extension DossierState {
    /// The pauses that stop the processing clock: supplement waits always,
    /// obligation waits when the procedure says so (only those are recorded).
    public var clockPauses: [Pause] { pauses.map { Pause(start: $0.start, end: $0.end) } }

    /// The due instant (pauses applied, apologies ignored); nil before
    /// reception, or while a pause that began before the due instant is open.
    public func dueInstant(calendar: WorkingCalendar) -> Int64? {
        guard let receivedAt, processingSeconds > 0 else { return nil }
        return calendar.dueInstant(receivedAt: receivedAt, processingSeconds: processingSeconds, pauses: clockPauses)
    }

    /// early / onTime / late once processed.
    public func outcome(calendar: WorkingCalendar) -> Outcome? {
        guard let processedAt, let due = dueInstant(calendar: calendar) else { return nil }
        return calendar.outcome(processedAt: processedAt, due: due)
    }

    /// Working seconds a hold lasted (pauses excluded), up to `asOf` while it is still held.
    public func heldSeconds(_ holding: Holding, calendar: WorkingCalendar, asOf: Int64) -> Int64 {
        let end = holding.to ?? asOf
        return calendar.workingSeconds(from: holding.from, to: end, excluding: clockPauses)
    }

    /// Open (received, not processed, not ended) and past due at `instant`.
    public func isOverdue(at instant: Int64, calendar: WorkingCalendar) -> Bool {
        guard let receivedAt, receivedAt <= instant else { return false }
        if let processedAt, processedAt <= instant { return false }
        if let endedAt, endedAt <= instant { return false }
        // Pauses that had not begun by `instant` are unknown at that instant.
        let known = pauses.filter { $0.start <= instant }.map { Pause(start: $0.start, end: ($0.end ?? .max) <= instant ? $0.end : nil) }
        guard let due = calendar.dueInstant(receivedAt: receivedAt, processingSeconds: processingSeconds, pauses: known) else { return false }
        return due < instant
    }
}
