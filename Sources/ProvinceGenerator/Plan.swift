/// One event of a dossier's planned history, before it is written as JSON.
struct PlannedEvent {
    enum Kind: UInt8 {
        case submitted, received, rejected, assigned, supplementRequested, supplementReceived
        case obligationRequested, obligationFulfilled, feePaid, digitised, apologyIssued
        case processed, resultReturned, withdrawn, suspended, rated, complaintFiled
    }

    var at: Int64
    /// Tie-break for equal `at`: the order in which the planner added events.
    var order: Int32
    var kind: Kind
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

/// The dossier lifecycle of EVENTS.md ("allowed in state"), used to keep a
/// plan valid whatever its random draws did.
enum Lifecycle {
    enum Stage: UInt8 {
        case new, submitted, received, inProgress, awaitingSupplement, awaitingObligation
        case processed, returned, rejected, withdrawn, suspended
        var isFinal: Bool { self == .returned || self == .rejected || self == .withdrawn || self == .suspended }
        var isOpen: Bool { self == .received || self == .inProgress || self == .awaitingSupplement || self == .awaitingObligation }
    }

    static func allows(_ kind: PlannedEvent.Kind, in s: Stage) -> Bool {
        switch kind {
        case .submitted: s == .new
        case .received: s == .new || s == .submitted
        case .rejected: s == .submitted || s == .received
        case .assigned, .supplementRequested, .obligationRequested, .processed: s == .received || s == .inProgress
        case .supplementReceived: s == .awaitingSupplement
        case .obligationFulfilled: s == .awaitingObligation
        case .feePaid, .withdrawn, .suspended: s != .new && !s.isFinal
        case .digitised, .complaintFiled: s != .new
        case .apologyIssued: s.isOpen
        case .resultReturned: s == .processed
        case .rated: s == .processed || s == .returned
        }
    }

    /// The stage after `kind`; `resume` is the stage a pause returns to and is updated on requests.
    static func apply(_ kind: PlannedEvent.Kind, to s: Stage, resume: inout Stage) -> Stage {
        switch kind {
        case .submitted: return .submitted
        case .received: return .received
        case .rejected: return .rejected
        case .assigned: return .inProgress
        case .supplementRequested: resume = s; return .awaitingSupplement
        case .obligationRequested: resume = s; return .awaitingObligation
        case .supplementReceived, .obligationFulfilled: return resume
        case .processed: return .processed
        case .resultReturned: return .returned
        case .withdrawn: return .withdrawn
        case .suspended: return .suspended
        case .feePaid, .digitised, .apologyIssued, .rated, .complaintFiled: return s
        }
    }
}
