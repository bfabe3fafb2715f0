import LedgerContract

/// One event of a dossier's planned history, before it is written as JSON.
struct PlannedEvent {
    var at: Int64
    /// Tie-break for equal `at`: the order in which the planner added events.
    var order: Int32
    var kind: EventType
    /// A side event (fee, digitisation, apology, rating, complaint) is left out
    /// if it lands where the lifecycle does not allow it.
    var side: Bool
    /// The officer who did it, or -1 for the citizen.
    var actor: Int32
    /// Kind-specific: channel, officer, text index, item mask, score, flag.
    var a: Int32
    /// Kind-specific: step index, amount, instant.
    var b: Int64
}
