/// A contract line that cannot be an event, with the rule it breaks.
public struct EventFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public let rule: String
    /// The dossier code, when the line got far enough to name one.
    public let dossier: String?
    public init(_ rule: String, dossier: String? = nil) { self.rule = rule; self.dossier = dossier }
    public var description: String { rule }
}

extension Event {
    /// The longest dossier code accepted (bytes of UTF-8).
    public static let maxDossierCodeBytes = 64
    /// The longest `id` accepted (bytes of UTF-8): it is an index key.
    public static let maxIDBytes = 256
    /// The longest officer id, agency or procedure code, and `actor`
    /// accepted (bytes of UTF-8): they are keys of the ledger's tables.
    public static let maxCodeBytes = 64
    /// The longest member name accepted in `data`, at any depth (bytes of
    /// UTF-8): names are keys of the ledger's string table.
    public static let maxMemberNameBytes = 128
    /// How deep `data` may nest (objects and lists inside it), so that the
    /// whole line stays within `JSONParser.maxDepth`.
    public static let maxDataDepth = JSONParser.maxDepth - 1

    /// Checks what the ledger's storage needs beyond the line's shape: times
    /// within `Timestamp.eventSeconds`, a non-empty `actor` of at most
    /// `maxCodeBytes`, `data` member names of at most `maxMemberNameBytes`
    /// and `data` nested at most `maxDataDepth` deep. `init(jsonLine:)` runs it
    /// on every line; other sources (XES) call it on each event they build.
    /// - Complexity: O(size of `data`).
    public func checkStorable() throws(EventFormatError) {
        func checkTime(_ field: String, _ time: Timestamp?) throws(EventFormatError) {
            guard let time, !Timestamp.eventSeconds.contains(time.seconds) else { return }
            throw EventFormatError("\"\(field)\" \"\(time.text)\" is outside the years 0000 to 9999", dossier: dossier)
        }
        try checkTime("at", at)
        try checkTime("recordedAt", recordedAt)
        if let actor, actor.isEmpty || actor.utf8.count > Self.maxCodeBytes {
            throw EventFormatError(Self.actorRule, dossier: dossier)
        }
        func check(_ value: JSONValue, depth: Int) throws(EventFormatError) {
            switch value {
            case .object(let o):
                guard depth < Self.maxDataDepth else {
                    throw EventFormatError("data is nested deeper than \(Self.maxDataDepth) levels", dossier: dossier)
                }
                for m in o.members {
                    guard m.key.utf8.count <= Self.maxMemberNameBytes else {
                        throw EventFormatError("data has a member name longer than \(Self.maxMemberNameBytes) bytes (\"\(m.key.prefix(24))…\")", dossier: dossier)
                    }
                    try check(m.value, depth: depth + 1)
                }
            case .array(let items):
                guard depth < Self.maxDataDepth else {
                    throw EventFormatError("data is nested deeper than \(Self.maxDataDepth) levels", dossier: dossier)
                }
                for item in items { try check(item, depth: depth + 1) }
            default:
                return
            }
        }
        try check(.object(data), depth: 0)
    }

    private static let actorRule = "\"actor\" must be a non-empty officer id of at most \(maxCodeBytes) bytes"

    /// Reads one input line of the contract. Checks its shape (JSON, known
    /// fields and type, times with offsets, field kinds); the type's own
    /// `data` fields and the state machine are checked by the domain rules.
    ///
    /// The line's object is not built: its members are read as the parser
    /// meets them (`JSONParser.parseLineObject`), the times and the type
    /// straight from their bytes; only `data` is built. Every syntax error
    /// of the line comes before any error of its fields.
    public init(jsonLine line: UnsafeBufferPointer<UInt8>) throws(EventFormatError) {
        var typeValue, dossierValue, atValue, actorValue, dataValue, idValue, expectedVersionValue, recordedAtValue: JSONParser.LineValue?
        var seen: UInt16 = 0
        var unknownFields: [String] = []
        // The field of the name `isRepeated` was shown last: the one `member` is then handed.
        var current: LineField?
        let isObject: Bool
        do {
            isObject = try JSONParser.parseLineObject(line, isRepeated: { name in
                current = LineField(name: name)
                if let field = current { return seen & field.bit != 0 }
                return unknownFields.contains { $0.hasSameUTF8(as: name) }
            }, member: { name, value in
                guard let field = current else { unknownFields.append(name); return }
                seen |= field.bit
                switch field {
                case .type: typeValue = value
                case .dossier: dossierValue = value
                case .at: atValue = value
                case .actor: actorValue = value
                case .data: dataValue = value
                case .id: idValue = value
                case .expectedVersion: expectedVersionValue = value
                case .recordedAt: recordedAtValue = value
                case .seq, .version, .hash:
                    break // output fields: an exported line may be appended elsewhere; the ledger assigns its own
                }
            })
        } catch {
            throw EventFormatError(error.description)
        }
        guard isObject else { throw EventFormatError("an event line must be a JSON object") }
        let dossier = dossierValue?.string
        func fail(_ rule: String) -> EventFormatError { EventFormatError(rule, dossier: dossier) }
        if let unknownField = unknownFields.first {
            throw fail("unknown field \"\(unknownField)\" (allowed: type, dossier, at, actor, data, id, expectedVersion, recordedAt)")
        }
        guard let typeValue else { throw fail("missing field \"type\"") }
        let type: EventType
        switch typeValue {
        case .text(let name):
            guard let t = EventType(utf8: name) else { throw fail("unknown type \"\(String(decoding: name, as: UTF8.self))\" (known: \(EventType.allNames))") }
            type = t
        case .value(let v):
            guard let name = v.stringValue else { throw fail("\"type\" must be a string, not \(v.kindName)") }
            guard let t = EventType(name: name) else { throw fail("unknown type \"\(name)\" (known: \(EventType.allNames))") }
            type = t
        }

        if let d = dossierValue, !d.isNull {
            guard let code = dossier else { throw fail("\"dossier\" must be a string, not \(d.kindName)") }
            guard type.isDossierEvent else { throw fail("\(type.name) is reference data and takes no \"dossier\"") }
            guard !code.isEmpty, code.utf8.count <= Self.maxDossierCodeBytes else {
                throw fail("\"dossier\" must be a non-empty code of at most \(Self.maxDossierCodeBytes) bytes")
            }
        } else if type.isDossierEvent {
            throw fail("missing field \"dossier\" (required for \(type.name))")
        }

        func time(_ field: String, _ value: JSONParser.LineValue?) throws(EventFormatError) -> Timestamp? {
            switch value {
            case nil, .value(.null)?:
                return nil
            case .text(let text)?:
                do { return try Timestamp.parse(text).get() } catch {
                    throw fail("\"\(field)\" \"\(String(decoding: text, as: UTF8.self))\": \(error.description)")
                }
            case .value(let v)?:
                guard let s = v.stringValue else { throw fail("\"\(field)\" must be an RFC 3339 string, not \(v.kindName)") }
                do { return try Timestamp(rfc3339: s) } catch { throw fail("\"\(field)\" \"\(s)\": \(error.description)") }
            }
        }
        guard let at = try time("at", atValue) else { throw fail("missing field \"at\"") }
        let recordedAt = try time("recordedAt", recordedAtValue)

        var actor: String?
        if let a = actorValue, !a.isNull {
            guard let s = a.string else { throw fail(Self.actorRule) }
            actor = s   // its length: checkStorable()
        }
        var data = JSONObject()
        if let d = dataValue, !d.isNull {
            guard case .value(.object(let obj)) = d else { throw fail("\"data\" must be an object, not \(d.kindName)") }
            data = obj
        }
        var id: String?
        if let v = idValue, !v.isNull {
            guard let s = v.string, !s.isEmpty, s.utf8.count <= Self.maxIDBytes else {
                throw fail("\"id\" must be a non-empty string of at most \(Self.maxIDBytes) bytes")
            }
            id = s
        }
        var expectedVersion: UInt32?
        if let v = expectedVersionValue, !v.isNull {
            guard case .value(.int(let n)) = v, n >= 0, n <= Int64(UInt32.max) else {
                throw fail("\"expectedVersion\" must be a whole number ≥ 0")
            }
            guard type.isDossierEvent else { throw fail("\"expectedVersion\" applies to dossier events only") }
            expectedVersion = UInt32(n)
        }
        self.init(type: type, dossier: type.isDossierEvent ? dossier : nil, at: at, actor: actor, data: data,
                  id: id, expectedVersion: expectedVersion, recordedAt: recordedAt)
        try checkStorable()
    }

    public init(jsonLine line: String) throws(EventFormatError) {
        var line = line
        let r: Result<Event, EventFormatError> = line.withUTF8 { b in
            do throws(EventFormatError) { return .success(try Event(jsonLine: b)) } catch { return .failure(error) }
        }
        self = try r.get()
    }
}

/// The members a contract line may have (the output fields `seq`,
/// `version` and `hash` included, which the ledger assigns itself).
private enum LineField: UInt16 {
    case type, dossier, at, actor, data, id, expectedVersion, recordedAt, seq, version, hash

    init?(name: String) {
        switch name {
        case "type": self = .type
        case "dossier": self = .dossier
        case "at": self = .at
        case "actor": self = .actor
        case "data": self = .data
        case "id": self = .id
        case "expectedVersion": self = .expectedVersion
        case "recordedAt": self = .recordedAt
        case "seq": self = .seq
        case "version": self = .version
        case "hash": self = .hash
        default: return nil
        }
    }

    var bit: UInt16 { 1 << rawValue }
}

extension JSONParser.LineValue {
    fileprivate var isNull: Bool { if case .value(.null) = self { true } else { false } }
    fileprivate var string: String? {
        switch self {
        case .text(let bytes): String(decoding: bytes, as: UTF8.self)
        case .value(let v): v.stringValue
        }
    }
    fileprivate var kindName: String {
        switch self {
        case .text: "a string"
        case .value(let v): v.kindName
        }
    }
}
