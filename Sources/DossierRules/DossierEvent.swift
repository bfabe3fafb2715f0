import LedgerContract

/// One event of a dossier's stream as the state fold reads it: its place in
/// the log, its instants (Unix seconds), its actor and the few `data` fields
/// the rules look at. The ledger reads it from the stored record
/// (`DossierEvent.Reader`), for the live append and every fold of the log
/// alike.
///
/// A field holds the value of the first `data` member of that name, and
/// nil when it is missing or of another kind, exactly as
/// `JSONObject[name]?.stringValue` (…`numberValue`, `boolValue`,
/// `intValue`) would read it.
public struct DossierEvent: Sendable, Equatable {
    public var type: EventType
    public var seq: UInt64
    /// Version in the dossier's stream.
    public var version: UInt32
    public var at: Int64
    public var recordedAt: Int64
    public var actor: String?

    public var procedure: String?
    public var agency: String?
    public var channel: String?
    /// `dossier.assigned`: the officer and the step.
    public var to: String?
    public var step: String?
    /// `dossier.digitised`: `input` or `result`.
    public var part: String?
    /// `dossier.processed`: `approved` or `denied`.
    public var outcome: String?
    /// `dossier.apology_issued`: the new appointment (Unix seconds), when it parses.
    public var newDueAt: Int64?
    /// `dossier.fee_paid`.
    public var amount: Double?
    public var online: Bool?
    /// `dossier.rated`.
    public var score: Int64?
    /// `activity.recorded`.
    public var resource: String?
    public var activity: String?
    /// `event.voided`: the seq it voids.
    public var voidedSeq: UInt64?
    /// The data fields the event has a member for (`Field.bit`), so that a
    /// reused event clears only those (`DossierEvent.Reader.read(_:into:)`).
    package var presentFields: UInt16 = 0

    public init(type: EventType, seq: UInt64, version: UInt32, at: Int64, recordedAt: Int64, actor: String? = nil) {
        self.type = type
        self.seq = seq
        self.version = version
        self.at = at
        self.recordedAt = recordedAt
        self.actor = actor
    }

    /// Equal facts (which data members a reused event last held is bookkeeping, not a fact).
    public static func == (a: DossierEvent, b: DossierEvent) -> Bool {
        a.type == b.type && a.seq == b.seq && a.version == b.version && a.at == b.at && a.recordedAt == b.recordedAt
            && a.actor == b.actor && a.procedure == b.procedure && a.agency == b.agency && a.channel == b.channel
            && a.to == b.to && a.step == b.step && a.part == b.part && a.outcome == b.outcome && a.newDueAt == b.newDueAt
            && a.amount == b.amount && a.online == b.online && a.score == b.score && a.resource == b.resource
            && a.activity == b.activity && a.voidedSeq == b.voidedSeq
    }

    /// Sets every present data field back to nil.
    package mutating func clearDataFields() {
        let p = presentFields
        guard p != 0 else { return }
        if p & Field.procedure.bit != 0 { procedure = nil }
        if p & Field.agency.bit != 0 { agency = nil }
        if p & Field.channel.bit != 0 { channel = nil }
        if p & Field.to.bit != 0 { to = nil }
        if p & Field.step.bit != 0 { step = nil }
        if p & Field.part.bit != 0 { part = nil }
        if p & Field.outcome.bit != 0 { outcome = nil }
        if p & Field.newDueAt.bit != 0 { newDueAt = nil }
        if p & Field.amount.bit != 0 { amount = nil }
        if p & Field.online.bit != 0 { online = nil }
        if p & Field.score.bit != 0 { score = nil }
        if p & Field.resource.bit != 0 { resource = nil }
        if p & Field.activity.bit != 0 { activity = nil }
        if p & Field.seq.bit != 0 { voidedSeq = nil }
        presentFields = 0
    }

    /// The `data` members the rules read.
    package enum Field: UInt8, CaseIterable {
        case procedure = 1, agency, channel, to, step, part, outcome, newDueAt, amount, online, score, resource, activity, seq

        package var bit: UInt16 { 1 << rawValue }

        package init?(name: String) {
            switch name {
            case "procedure": self = .procedure
            case "agency": self = .agency
            case "channel": self = .channel
            case "to": self = .to
            case "step": self = .step
            case "part": self = .part
            case "outcome": self = .outcome
            case "newDueAt": self = .newDueAt
            case "amount": self = .amount
            case "online": self = .online
            case "score": self = .score
            case "resource": self = .resource
            case "activity": self = .activity
            case "seq": self = .seq
            default: return nil
            }
        }

        package var name: String {
            switch self {
            case .procedure: "procedure"
            case .agency: "agency"
            case .channel: "channel"
            case .to: "to"
            case .step: "step"
            case .part: "part"
            case .outcome: "outcome"
            case .newDueAt: "newDueAt"
            case .amount: "amount"
            case .online: "online"
            case .score: "score"
            case .resource: "resource"
            case .activity: "activity"
            case .seq: "seq"
            }
        }
    }

    package mutating func set(_ field: Field, _ value: JSONValue) {
        switch field {
        case .procedure: procedure = value.stringValue
        case .agency: agency = value.stringValue
        case .channel: channel = value.stringValue
        case .to: to = value.stringValue
        case .step: step = value.stringValue
        case .part: part = value.stringValue
        case .outcome: outcome = value.stringValue
        case .resource: resource = value.stringValue
        case .activity: activity = value.stringValue
        case .newDueAt: newDueAt = value.stringValue.flatMap { try? Timestamp(rfc3339: $0) }?.seconds
        case .amount: amount = value.numberValue
        case .online: online = value.boolValue
        case .score: score = value.intValue
        case .seq: voidedSeq = value.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
        }
    }

    /// Sets a text field from an interned string (no JSON value built).
    package mutating func set(_ field: Field, text: String) {
        switch field {
        case .procedure: procedure = text
        case .agency: agency = text
        case .channel: channel = text
        case .to: to = text
        case .step: step = text
        case .part: part = text
        case .outcome: outcome = text
        case .resource: resource = text
        case .activity: activity = text
        case .newDueAt: newDueAt = (try? Timestamp(rfc3339: text))?.seconds
        case .amount, .online, .score, .seq: break   // not text: reads as nil
        }
    }
}
