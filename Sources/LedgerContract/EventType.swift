/// The event types of the contract (EVENTS.md). The raw value is the code
/// stored in the binary record; codes are never reused or renumbered.
public enum EventType: UInt8, CaseIterable, Sendable {
    case agencyRegistered = 1
    case officerRegistered = 2
    case procedureDefined = 3
    case calendarDeclared = 4
    case scorecardDefined = 5
    case targetAssigned = 6
    case dossierSubmitted = 10
    case dossierReceived = 11
    case dossierRejected = 12
    case dossierAssigned = 13
    case dossierSupplementRequested = 14
    case dossierSupplementReceived = 15
    case dossierObligationRequested = 16
    case dossierObligationFulfilled = 17
    case dossierFeePaid = 18
    case dossierDigitised = 19
    case dossierApologyIssued = 20
    case dossierProcessed = 21
    case dossierResultReturned = 22
    case dossierWithdrawn = 23
    case dossierSuspended = 24
    case dossierRated = 25
    case dossierComplaintFiled = 26
    case eventVoided = 40
    /// A generic activity from another case-handling system (XES import):
    /// `activity`, `resource`, and the original attributes.
    case activityRecorded = 41

    /// The contract name, e.g. `dossier.received`.
    public var name: String {
        switch self {
        case .agencyRegistered: "agency.registered"
        case .officerRegistered: "officer.registered"
        case .procedureDefined: "procedure.defined"
        case .calendarDeclared: "calendar.declared"
        case .scorecardDefined: "scorecard.defined"
        case .targetAssigned: "target.assigned"
        case .dossierSubmitted: "dossier.submitted"
        case .dossierReceived: "dossier.received"
        case .dossierRejected: "dossier.rejected"
        case .dossierAssigned: "dossier.assigned"
        case .dossierSupplementRequested: "dossier.supplement_requested"
        case .dossierSupplementReceived: "dossier.supplement_received"
        case .dossierObligationRequested: "dossier.obligation_requested"
        case .dossierObligationFulfilled: "dossier.obligation_fulfilled"
        case .dossierFeePaid: "dossier.fee_paid"
        case .dossierDigitised: "dossier.digitised"
        case .dossierApologyIssued: "dossier.apology_issued"
        case .dossierProcessed: "dossier.processed"
        case .dossierResultReturned: "dossier.result_returned"
        case .dossierWithdrawn: "dossier.withdrawn"
        case .dossierSuspended: "dossier.suspended"
        case .dossierRated: "dossier.rated"
        case .dossierComplaintFiled: "dossier.complaint_filed"
        case .eventVoided: "event.voided"
        case .activityRecorded: "activity.recorded"
        }
    }

    private static let byName: [String: EventType] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public init?(name: String) {
        guard let t = Self.byName[name] else { return nil }
        self = t
    }

    /// Every type's name, in `allCases` order (`PackedBytes`), and its type:
    /// `init?(utf8:)` compares names where they lie, copying (and
    /// retaining) nothing per type.
    private static let utf8Names: (names: PackedBytes, types: [EventType]) = allCases.reduce(into: (PackedBytes(), [])) { table, type in
        type.name.withUTF8Bytes { table.names.append($0) }
        table.types.append(type)
    }

    /// The type whose name is exactly these UTF-8 bytes: what an input
    /// line names, read without making a `String` of it.
    public init?(utf8 name: UnsafeBufferPointer<UInt8>) {
        guard let found = Self.utf8Names.names.firstIndex(of: UnsafeRawBufferPointer(name)) else { return nil }
        self = Self.utf8Names.types[found]
    }

    /// Reference data (agencies, officers, procedures, calendars, scorecards, targets): no dossier, no version.
    @inlinable public var isReference: Bool { rawValue < 10 }
    /// Belongs to a dossier's stream (every type that is not reference data).
    @inlinable public var isDossierEvent: Bool { !isReference }

    /// The known names, for error messages.
    public static var allNames: String { allCases.map(\.name).joined(separator: ", ") }
}
