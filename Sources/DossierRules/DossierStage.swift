import Foundation
import LedgerContract

/// Where a dossier is in its lifecycle (DOMAIN.md, "The dossier lifecycle").
/// The raw value is stored; values are never renumbered.
public enum DossierStage: UInt8, Sendable, CaseIterable {
    /// No event yet.
    case new = 0
    case submitted = 1
    case received = 2
    case inProgress = 3
    case awaitingSupplement = 4
    case awaitingObligation = 5
    case processed = 6
    case returned = 7
    case rejected = 8
    case withdrawn = 9
    case suspended = 10
    /// A dossier migrated from another system whose history does not follow
    /// the lifecycle (only generic activity events).
    case external = 11

    /// The contract's name of the state, as in `dossiers --state`.
    public var name: String {
        switch self {
        case .new: "new"
        case .submitted: "submitted"
        case .received: "received"
        case .inProgress: "in_progress"
        case .awaitingSupplement: "awaiting_supplement"
        case .awaitingObligation: "awaiting_obligation"
        case .processed: "processed"
        case .returned: "returned"
        case .rejected: "rejected"
        case .withdrawn: "withdrawn"
        case .suspended: "suspended"
        case .external: "external"
        }
    }

    /// Reads a state name as printed by `name` (also accepts "in progress").
    public init?(name: String) {
        let normal = name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_").lowercased()
        guard let s = Self.allCases.first(where: { $0.name == normal }) else { return nil }
        self = s
    }

    /// Rejected, returned, withdrawn and suspended end the dossier.
    public var isFinal: Bool { self == .rejected || self == .returned || self == .withdrawn || self == .suspended }
    /// Processed or returned: a result exists.
    public var hasResult: Bool { self == .processed || self == .returned }
    /// Received and not yet processed or ended: the processing clock runs (or is paused).
    public var isOpen: Bool { self == .received || self == .inProgress || self == .awaitingSupplement || self == .awaitingObligation }
}

/// The transitions of EVENTS.md ("allowed in state").
public enum Lifecycle {
    /// Whether an event of `type` may be appended to a dossier in `stage`.
    public static func allows(_ type: EventType, in stage: DossierStage) -> Bool {
        switch type {
        case .dossierSubmitted: stage == .new
        case .dossierReceived: stage == .new || stage == .submitted
        case .dossierRejected: stage == .submitted || stage == .received
        case .dossierAssigned, .dossierSupplementRequested, .dossierObligationRequested, .dossierProcessed:
            stage == .received || stage == .inProgress
        case .dossierSupplementReceived: stage == .awaitingSupplement
        case .dossierObligationFulfilled: stage == .awaitingObligation
        case .dossierFeePaid, .dossierWithdrawn, .dossierSuspended: stage != .new && !stage.isFinal
        case .dossierDigitised, .dossierComplaintFiled: stage != .new
        case .dossierApologyIssued: stage.isOpen
        case .dossierResultReturned: stage == .processed
        case .dossierRated: stage.hasResult
        case .eventVoided: stage != .new
        case .activityRecorded: stage == .new || stage == .external
        case .agencyRegistered, .officerRegistered, .procedureDefined, .calendarDeclared, .scorecardDefined, .targetAssigned: false
        }
    }

    /// The states an event of `type` is allowed in, for error messages.
    public static func allowedStages(for type: EventType) -> [DossierStage] {
        DossierStage.allCases.filter { allows(type, in: $0) }
    }

    /// Moves `stage` past an event of `type` (allowed there): a request for a
    /// supplement or an obligation remembers in `resume` the stage its
    /// answer returns to.
    public static func advance(_ type: EventType, stage: inout DossierStage, resume: inout DossierStage) {
        if type == .dossierSupplementRequested || type == .dossierObligationRequested { resume = stage }
        stage = self.stage(after: type, in: stage, resume: resume)
    }

    /// The stage after `type` is applied in `stage`; `resume` is the stage a
    /// pause returns to.
    public static func stage(after type: EventType, in stage: DossierStage, resume: DossierStage) -> DossierStage {
        switch type {
        case .dossierSubmitted: .submitted
        case .dossierReceived: .received
        case .dossierRejected: .rejected
        case .dossierAssigned: .inProgress
        case .dossierSupplementRequested: .awaitingSupplement
        case .dossierObligationRequested: .awaitingObligation
        case .dossierSupplementReceived, .dossierObligationFulfilled: resume
        case .dossierProcessed: .processed
        case .dossierResultReturned: .returned
        case .dossierWithdrawn: .withdrawn
        case .dossierSuspended: .suspended
        case .activityRecorded: .external
        default: stage
        }
    }
}
