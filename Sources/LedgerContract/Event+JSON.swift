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
    /// and `data` nested at most `maxDataDepth` deep. `init(json:)` runs it
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
    public init(jsonLine line: UnsafeBufferPointer<UInt8>) throws(EventFormatError) {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { throw EventFormatError(error.description) }
        try self.init(json: value)
    }

    public init(jsonLine line: String) throws(EventFormatError) {
        var line = line
        let r: Result<Event, EventFormatError> = line.withUTF8 { b in
            do throws(EventFormatError) { return .success(try Event(jsonLine: b)) } catch { return .failure(error) }
        }
        self = try r.get()
    }

    public init(json value: JSONValue) throws(EventFormatError) {
        guard case .object(let o) = value else { throw EventFormatError("an event line must be a JSON object") }
        // One pass over the members (a line names each at most once: the parser refuses a repeated name).
        var typeValue, dossierValue, atValue, actorValue, dataValue, idValue, expectedVersionValue, recordedAtValue: JSONValue?
        var unknownField: String?
        for m in o.members {
            switch m.key {
            case "type": typeValue = m.value
            case "dossier": dossierValue = m.value
            case "at": atValue = m.value
            case "actor": actorValue = m.value
            case "data": dataValue = m.value
            case "id": idValue = m.value
            case "expectedVersion": expectedVersionValue = m.value
            case "recordedAt": recordedAtValue = m.value
            case "seq", "version", "hash":
                continue // output fields: an exported line may be appended elsewhere; the ledger assigns its own
            default: if unknownField == nil { unknownField = m.key }
            }
        }
        let dossier = dossierValue?.stringValue
        func fail(_ rule: String) -> EventFormatError { EventFormatError(rule, dossier: dossier) }
        if let unknownField {
            throw fail("unknown field \"\(unknownField)\" (allowed: type, dossier, at, actor, data, id, expectedVersion, recordedAt)")
        }
        guard let typeValue else { throw fail("missing field \"type\"") }
        guard let typeName = typeValue.stringValue else { throw fail("\"type\" must be a string, not \(typeValue.kindName)") }
        guard let type = EventType(name: typeName) else { throw fail("unknown type \"\(typeName)\" (known: \(EventType.allNames))") }

        if let d = dossierValue, d != .null {
            guard let code = d.stringValue else { throw fail("\"dossier\" must be a string, not \(d.kindName)") }
            guard type.isDossierEvent else { throw fail("\(typeName) is reference data and takes no \"dossier\"") }
            guard !code.isEmpty, code.utf8.count <= Self.maxDossierCodeBytes else {
                throw fail("\"dossier\" must be a non-empty code of at most \(Self.maxDossierCodeBytes) bytes")
            }
        } else if type.isDossierEvent {
            throw fail("missing field \"dossier\" (required for \(typeName))")
        }

        func time(_ field: String, _ value: JSONValue?) throws(EventFormatError) -> Timestamp? {
            guard let v = value, v != .null else { return nil }
            guard let s = v.stringValue else { throw fail("\"\(field)\" must be an RFC 3339 string, not \(v.kindName)") }
            do { return try Timestamp(rfc3339: s) } catch { throw fail("\"\(field)\" \"\(s)\": \(error.description)") }
        }
        guard let at = try time("at", atValue) else { throw fail("missing field \"at\"") }
        let recordedAt = try time("recordedAt", recordedAtValue)

        var actor: String?
        if let a = actorValue, a != .null {
            guard let s = a.stringValue else { throw fail(Self.actorRule) }
            actor = s   // its length: checkStorable()
        }
        var data = JSONObject()
        if let d = dataValue, d != .null {
            guard let obj = d.objectValue else { throw fail("\"data\" must be an object, not \(d.kindName)") }
            data = obj
        }
        var id: String?
        if let v = idValue, v != .null {
            guard let s = v.stringValue, !s.isEmpty, s.utf8.count <= Self.maxIDBytes else {
                throw fail("\"id\" must be a non-empty string of at most \(Self.maxIDBytes) bytes")
            }
            id = s
        }
        var expectedVersion: UInt32?
        if let v = expectedVersionValue, v != .null {
            guard case .int(let n) = v, n >= 0, n <= Int64(UInt32.max) else {
                throw fail("\"expectedVersion\" must be a whole number ≥ 0")
            }
            guard type.isDossierEvent else { throw fail("\"expectedVersion\" applies to dossier events only") }
            expectedVersion = UInt32(n)
        }
        self.init(type: type, dossier: type.isDossierEvent ? dossier : nil, at: at, actor: actor, data: data,
                  id: id, expectedVersion: expectedVersion, recordedAt: recordedAt)
        try checkStorable()
    }
}
