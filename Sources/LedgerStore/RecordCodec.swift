/// The binary record of one event (format 1).
///
/// ```
/// u8 format (1) · u8 type code · u8 flags · 32 bytes hash
/// [dossier number varint · version varint]       flags & 1
/// at: svarint seconds · varint meta [· varint nanos · u8 digits]
/// recordedAt: svarint (seconds − at seconds) · varint meta [· nanos · digits]
/// [actor string id varint]                      flags & 2
/// [id: varint length · bytes]                   flags & 4
/// [expectedVersion varint]                      flags & 8
/// data: binary JSON object
/// ```
/// A timestamp's meta is zigzag(offset minutes) << 2 | Z << 1 | has fraction.
/// Binary JSON tags: 0 null, 1 false, 2 true, 3 int (svarint), 4 double
/// (8 bytes), 5 text, 6 interned text (string id), 7 list, 8 object (count,
/// then interned key id and value per member).
///
/// Object keys, actors and the values of code-like fields (`internedFields`)
/// are interned to small integers through the ledger's string table; free
/// text stays inline.
enum RecordCodec {
    static let formatVersion: UInt8 = 1

    /// `data` members whose string values are codes worth interning.
    static let internedFields: Set<String> = [
        "procedure", "agency", "channel", "to", "step", "part", "outcome", "level", "parent", "online", "activity", "resource",
    ]

    static func encode(_ r: RecordedEvent, dossierNumber: UInt32?, intern: (String) throws -> UInt32) rethrows -> [UInt8] {
        var w = ByteWriter(capacity: 160)
        let e = r.event
        w.u8(formatVersion)
        w.u8(e.type.rawValue)
        var flags: UInt8 = 0
        if dossierNumber != nil { flags |= 1 }
        if e.actor != nil { flags |= 2 }
        if e.id != nil { flags |= 4 }
        if e.expectedVersion != nil { flags |= 8 }
        w.u8(flags)
        w.raw(r.hash.bytes)
        if let n = dossierNumber {
            w.varint(UInt64(n))
            w.varint(UInt64(r.version ?? 0))
        }
        writeTimestamp(e.at, base: 0, into: &w)
        writeTimestamp(r.recordedAt, base: e.at.seconds, into: &w)
        if let a = e.actor { w.varint(UInt64(try intern(a))) }
        if let id = e.id { w.blob(id) }
        if let ev = e.expectedVersion { w.varint(UInt64(ev)) }
        try writeObject(e.data, into: &w, intern: intern)
        return w.bytes
    }

    private static func writeTimestamp(_ t: Timestamp, base: Int64, into w: inout ByteWriter) {
        w.svarint(t.seconds &- base)
        let hasFraction = t.fractionDigits > 0
        let meta = UInt64(bitPattern: (Int64(t.offsetMinutes) << 1) ^ (Int64(t.offsetMinutes) >> 63)) << 2
            | (t.isZulu ? 2 : 0) | (hasFraction ? 1 : 0)
        w.varint(meta)
        if hasFraction {
            w.varint(UInt64(t.nanoseconds))
            w.u8(t.fractionDigits)
        }
    }

    private static func writeObject(_ o: JSONObject, into w: inout ByteWriter, intern: (String) throws -> UInt32) rethrows {
        w.varint(UInt64(o.members.count))
        for m in o.members {
            w.varint(UInt64(try intern(m.key)))
            if case .string(let s) = m.value, internedFields.contains(m.key), s.utf8.count <= 64 {
                w.u8(6)
                w.varint(UInt64(try intern(s)))
            } else {
                try writeValue(m.value, into: &w, intern: intern)
            }
        }
    }

    private static func writeValue(_ v: JSONValue, into w: inout ByteWriter, intern: (String) throws -> UInt32) rethrows {
        switch v {
        case .null: w.u8(0)
        case .bool(let b): w.u8(b ? 2 : 1)
        case .int(let i): w.u8(3); w.svarint(i)
        case .double(let d): w.u8(4); w.double(d)
        case .string(let s): w.u8(5); w.blob(s)
        case .array(let a):
            w.u8(7)
            w.varint(UInt64(a.count))
            for item in a { try writeValue(item, into: &w, intern: intern) }
        case .object(let o):
            w.u8(8)
            try writeObject(o, into: &w, intern: intern)
        }
    }

    /// Decodes a record. `dossierCode` and `string` resolve the interned
    /// numbers; every length and tag is checked.
    static func decode(_ buffer: UnsafeRawBufferPointer, seq: UInt64,
                       dossierCode: (UInt32) throws -> String, string: (UInt32) throws -> String) throws -> RecordedEvent {
        var r = ByteReader(buffer)
        let format = try r.u8()
        guard format == formatVersion else { throw RecordDecodingError(reason: "unknown record format \(format)") }
        let code = try r.u8()
        guard let type = EventType(rawValue: code) else { throw RecordDecodingError(reason: "unknown type code \(code)") }
        let flags = try r.u8()
        guard flags & ~0x0F == 0 else { throw RecordDecodingError(reason: "unknown flags \(flags)") }
        let hashBytes = try r.bytes(32)
        let hash = SHA256.Digest(bytes: Array(hashBytes))
        var dossier: String?
        var version: UInt32?
        if flags & 1 != 0 {
            let number = try r.varint()
            let v = try r.varint()
            guard number <= UInt64(UInt32.max), v <= UInt64(UInt32.max) else { throw RecordDecodingError(reason: "dossier number out of range") }
            dossier = try dossierCode(UInt32(number))
            version = UInt32(v)
        }
        let at = try readTimestamp(&r, base: 0)
        let recordedAt = try readTimestamp(&r, base: at.seconds)
        var actor: String?
        if flags & 2 != 0 { actor = try string(try stringID(&r)) }
        var id: String?
        if flags & 4 != 0 { id = try r.blob() }
        var expectedVersion: UInt32?
        if flags & 8 != 0 {
            let v = try r.varint()
            guard v <= UInt64(UInt32.max) else { throw RecordDecodingError(reason: "expectedVersion out of range") }
            expectedVersion = UInt32(v)
        }
        let data = try readObject(&r, depth: 0, string: string)
        guard r.isAtEnd else { throw RecordDecodingError(reason: "\(buffer.count - r.offset) unexpected bytes after the record") }
        guard type.isDossierEvent == (dossier != nil) else { throw RecordDecodingError(reason: "dossier flag does not match the type") }
        let event = Event(type: type, dossier: dossier, at: at, actor: actor, data: data, id: id,
                          expectedVersion: expectedVersion, recordedAt: recordedAt)
        return RecordedEvent(seq: seq, version: version, event: event, hash: hash)
    }

    private static func stringID(_ r: inout ByteReader) throws -> UInt32 {
        let v = try r.varint()
        guard v > 0, v <= UInt64(UInt32.max) else { throw RecordDecodingError(reason: "string id \(v) out of range") }
        return UInt32(v)
    }

    private static func readTimestamp(_ r: inout ByteReader, base: Int64) throws -> Timestamp {
        let seconds = base &+ (try r.svarint())
        let meta = try r.varint()
        let zz = meta >> 2
        let offset = Int64(bitPattern: (zz >> 1) ^ (0 &- (zz & 1)))
        guard abs(offset) < 24 * 60 else { throw RecordDecodingError(reason: "offset out of range") }
        var nanos: Int32 = 0
        var digits: UInt8 = 0
        if meta & 1 != 0 {
            let n = try r.varint()
            digits = try r.u8()
            guard n < 1_000_000_000, (1...9).contains(digits) else { throw RecordDecodingError(reason: "fraction out of range") }
            nanos = Int32(n)
        }
        return Timestamp(seconds: seconds, nanoseconds: nanos, offsetMinutes: Int16(offset), fractionDigits: digits, isZulu: meta & 2 != 0)
    }

    private static func readObject(_ r: inout ByteReader, depth: Int, string: (UInt32) throws -> String) throws -> JSONObject {
        let count = try r.varint()
        guard count <= UInt64(r.buffer.count) else { throw RecordDecodingError(reason: "member count \(count) too large") }
        var members: [JSONMember] = []
        members.reserveCapacity(Int(count))
        for _ in 0..<count {
            let key = try string(try stringID(&r))
            members.append(JSONMember(key: key, value: try readValue(&r, depth: depth + 1, string: string)))
        }
        return JSONObject(members: members)
    }

    private static func readValue(_ r: inout ByteReader, depth: Int, string: (UInt32) throws -> String) throws -> JSONValue {
        guard depth <= JSONParser.maxDepth + 1 else { throw RecordDecodingError(reason: "nesting too deep") }
        let tag = try r.u8()
        switch tag {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try r.svarint())
        case 4: return .double(try r.double())
        case 5: return .string(try r.blob())
        case 6: return .string(try string(try stringID(&r)))
        case 7:
            let count = try r.varint()
            guard count <= UInt64(r.buffer.count) else { throw RecordDecodingError(reason: "list length \(count) too large") }
            var items: [JSONValue] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<count { items.append(try readValue(&r, depth: depth + 1, string: string)) }
            return .array(items)
        case 8: return .object(try readObject(&r, depth: depth + 1, string: string))
        default: throw RecordDecodingError(reason: "unknown value tag \(tag) at byte \(r.offset - 1)")
        }
    }
}
