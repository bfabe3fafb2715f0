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

    private static let inputFields: Set<String> = ["type", "dossier", "at", "actor", "data", "id", "expectedVersion", "recordedAt"]

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
        let dossier = o["dossier"]?.stringValue
        func fail(_ rule: String) -> EventFormatError { EventFormatError(rule, dossier: dossier) }
        for m in o.members where !Self.inputFields.contains(m.key) {
            if m.key == "seq" || m.key == "version" || m.key == "hash" {
                continue // output fields: an exported line may be appended elsewhere; the ledger assigns its own
            }
            throw fail("unknown field \"\(m.key)\" (allowed: type, dossier, at, actor, data, id, expectedVersion, recordedAt)")
        }
        guard let typeValue = o["type"] else { throw fail("missing field \"type\"") }
        guard let typeName = typeValue.stringValue else { throw fail("\"type\" must be a string, not \(typeValue.kindName)") }
        guard let type = EventType(name: typeName) else { throw fail("unknown type \"\(typeName)\" (known: \(EventType.allNames))") }

        if let d = o["dossier"], d != .null {
            guard let code = d.stringValue else { throw fail("\"dossier\" must be a string, not \(d.kindName)") }
            guard type.isDossierEvent else { throw fail("\(typeName) is reference data and takes no \"dossier\"") }
            guard !code.isEmpty, code.utf8.count <= Self.maxDossierCodeBytes else {
                throw fail("\"dossier\" must be a non-empty code of at most \(Self.maxDossierCodeBytes) bytes")
            }
        } else if type.isDossierEvent {
            throw fail("missing field \"dossier\" (required for \(typeName))")
        }

        func time(_ field: String) throws(EventFormatError) -> Timestamp? {
            guard let v = o[field], v != .null else { return nil }
            guard let s = v.stringValue else { throw fail("\"\(field)\" must be an RFC 3339 string, not \(v.kindName)") }
            do { return try Timestamp(rfc3339: s) } catch { throw fail("\"\(field)\" \"\(s)\": \(error.description)") }
        }
        guard let at = try time("at") else { throw fail("missing field \"at\"") }
        let recordedAt = try time("recordedAt")

        var actor: String?
        if let a = o["actor"], a != .null {
            guard let s = a.stringValue, !s.isEmpty else { throw fail("\"actor\" must be a non-empty officer id") }
            actor = s
        }
        var data = JSONObject()
        if let d = o["data"], d != .null {
            guard let obj = d.objectValue else { throw fail("\"data\" must be an object, not \(d.kindName)") }
            data = obj
        }
        var id: String?
        if let v = o["id"], v != .null {
            guard let s = v.stringValue, !s.isEmpty, s.utf8.count <= Self.maxIDBytes else {
                throw fail("\"id\" must be a non-empty string of at most \(Self.maxIDBytes) bytes")
            }
            id = s
        }
        var expectedVersion: UInt32?
        if let v = o["expectedVersion"], v != .null {
            guard case .int(let n) = v, n >= 0, n <= Int64(UInt32.max) else {
                throw fail("\"expectedVersion\" must be a whole number ≥ 0")
            }
            guard type.isDossierEvent else { throw fail("\"expectedVersion\" applies to dossier events only") }
            expectedVersion = UInt32(n)
        }
        self.init(type: type, dossier: type.isDossierEvent ? dossier : nil, at: at, actor: actor, data: data,
                  id: id, expectedVersion: expectedVersion, recordedAt: recordedAt)
    }
}

extension RecordedEvent {
    /// Writes the contract's output line (no newline): the input fields plus
    /// `seq`, `version`, `recordedAt` and `hash`.
    public func writeJSON(into w: inout JSONWriter) {
        w.raw("{")
        w.key("seq", first: true); w.int(Int64(seq))
        w.key("type"); w.string(event.type.name)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        if let v = version { w.key("version"); w.int(Int64(v)) }
        w.key("at"); w.timestamp(event.at)
        if let a = event.actor { w.key("actor"); w.string(a) }
        w.key("data"); w.object(event.data)
        if let id = event.id { w.key("id"); w.string(id) }
        if let ev = event.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        w.key("recordedAt"); w.timestamp(recordedAt)
        w.key("hash"); w.hex(hash)
        w.raw("}")
    }

    public var jsonLine: String {
        var w = JSONWriter()
        writeJSON(into: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The canonical encoding the hash chain covers: the output line without
    /// `hash`, as compact JSON with members sorted by key at every depth.
    /// Anyone can recompute a chain from an export with any JSON library.
    public var canonicalBytes: [UInt8] {
        // Members in the byte order of their keys: actor, at, data, dossier,
        // expectedVersion, id, recordedAt, seq, type, version.
        var w = JSONWriter(capacity: 320)
        w.raw("{")
        var first = true
        if let a = event.actor { w.key("actor", first: true); w.string(a); first = false }
        w.key("at", first: first); w.string(event.at.text)
        w.key("data"); w.object(event.data, sortedKeys: true)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        if let ev = event.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        if let id = event.id { w.key("id"); w.string(id) }
        w.key("recordedAt"); w.string(recordedAt.text)
        w.key("seq"); w.int(Int64(seq))
        w.key("type"); w.string(event.type.name)
        if let v = version { w.key("version"); w.int(Int64(v)) }
        w.raw("}")
        return w.bytes
    }

    /// SHA-256 over `previous` (32 bytes) followed by `canonicalBytes`.
    public func chainedHash(previous: SHA256.Digest) -> SHA256.Digest {
        var h = SHA256()
        previous.bytes.withUnsafeBytes { h.update($0) }
        canonicalBytes.withUnsafeBytes { h.update($0) }
        return h.finalize()
    }
}
