import LedgerStore

/// One event of a dossier's stream as the state fold reads it: its place in
/// the log, its instants (Unix seconds), its actor and the few `data` fields
/// the rules look at. Built either from a decoded `RecordedEvent` or straight
/// from a stored record (`DossierEvent.Reader`), so the live append and a
/// rebuild from the log go through the same `DossierState.apply`.
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
    var presentFields: UInt16 = 0

    public init(type: EventType, seq: UInt64, version: UInt32, at: Int64, recordedAt: Int64, actor: String? = nil) {
        self.type = type
        self.seq = seq
        self.version = version
        self.at = at
        self.recordedAt = recordedAt
        self.actor = actor
    }

    /// The fields of a decoded event.
    public init(_ recorded: RecordedEvent) {
        let e = recorded.event
        self.init(type: e.type, seq: recorded.seq, version: recorded.version ?? 0, at: e.at.seconds,
                  recordedAt: recorded.recordedAt.seconds, actor: e.actor)
        var seen: UInt16 = 0   // the first member of a name wins
        for m in e.data.members {
            guard let field = Field(name: m.key), seen & field.bit == 0 else { continue }
            seen |= field.bit
            set(field, m.value)
        }
        presentFields = seen
    }

    /// Sets every present data field back to nil.
    mutating func clearDataFields() {
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
    enum Field: UInt8, CaseIterable {
        case procedure = 1, agency, channel, to, step, part, outcome, newDueAt, amount, online, score, resource, activity, seq

        var bit: UInt16 { 1 << rawValue }

        init?(name: String) {
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

        var name: String {
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

    mutating func set(_ field: Field, _ value: JSONValue) {
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
    mutating func set(_ field: Field, text: String) {
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

extension DossierEvent {
    /// Reads dossier events straight from stored records, without building
    /// JSON values: string ids resolve through one snapshot of the string
    /// table taken in the scan's transaction.
    ///
    /// Valid for records of that transaction's snapshot only.
    public struct Reader {
        private let texts: [String]
        /// String id → the `Field` of that name (nil: not a field).
        private let fieldOfString: [Field?]

        /// - Parameter texts: the string table (`EventStore.stringTexts(in:)`), `texts[id - 1]` for id `id`.
        public init(strings texts: [String]) {
            self.texts = texts
            var fields = [Field?](repeating: nil, count: texts.count + 1)
            for (i, text) in texts.enumerated() { fields[i + 1] = Field(name: text) }
            fieldOfString = fields
        }

        @inline(__always) private func text(_ id: UInt32) throws(RecordDecodingError) -> String {
            guard id >= 1, Int(id) <= texts.count else { throw RecordDecodingError(reason: "string id \(id) is not in the string table") }
            return texts[Int(id) - 1]
        }

        /// The dossier event stored in `view`.
        public func event(_ view: RecordView) throws(RecordDecodingError) -> DossierEvent {
            var e = DossierEvent(type: view.type, seq: 0, version: 0, at: 0, recordedAt: 0)
            try read(view, into: &e)
            return e
        }

        /// Overwrites `e` with the dossier event stored in `view` (the same
        /// value `event(_:)` returns). A scan that reuses one event this way
        /// neither copies nor destroys an event per record.
        public func read(_ view: RecordView, into e: inout DossierEvent) throws(RecordDecodingError) {
            e.clearDataFields()
            e.type = view.type
            e.seq = view.seq
            e.version = view.version
            e.at = view.at.seconds
            e.recordedAt = view.recordedAt.seconds
            e.actor = view.actorID == 0 ? nil : try text(view.actorID)
            var (count, r) = try DataReader.object(view.data)
            var seen: UInt16 = 0
            /// The field a member with key `key` sets: nil when the rules do not read it or a member of that name came first.
            func claim(_ key: UInt32) throws(RecordDecodingError) -> Field? {
                guard Int(key) < fieldOfString.count else { throw RecordDecodingError(reason: "string id \(key) is not in the string table") }
                guard let field = fieldOfString[Int(key)], seen & field.bit == 0 else { return nil }
                seen |= field.bit
                return field
            }
            for _ in 0..<count {
                if let (key, id) = try r.internedMember() {
                    // The commonest member, read without building a `DataValue`.
                    if let field = try claim(key) { e.set(field, text: try text(id)) }
                    continue
                }
                let (key, value) = try r.member()
                guard let field = try claim(key) else { continue }
                switch value {
                case .interned(let id): e.set(field, text: try text(id))
                case .text(let bytes):
                    guard let s = String(storedUTF8: bytes) else {
                        throw RecordDecodingError(reason: "data.\(field.name) is not valid UTF-8")
                    }
                    e.set(field, text: s)
                case .int(let i): e.set(field, .int(i))
                case .double(let d): e.set(field, .double(d))
                case .bool(let b): e.set(field, .bool(b))
                case .null, .list, .object: e.set(field, .null)   // reads as nil, like any kind the field does not take
                }
            }
            e.presentFields = seen
            guard r.isAtEnd else { throw RecordDecodingError(reason: "unexpected bytes after the record") }
        }
    }
}
