import LedgerContract
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
@usableFromInline enum RecordCodec {
    @usableFromInline static var formatVersion: UInt8 { 1 }

    /// Where the hash lies in a record.
    static let hashRange = 3..<35

    /// `data` members whose string values are codes worth interning.
    static let internedFields: Set<String> = [
        "procedure", "agency", "channel", "to", "step", "part", "outcome", "level", "parent", "online", "activity", "resource",
    ]

    static func encode(_ r: RecordedEvent, dossierNumber: UInt32?, intern: (String) throws -> UInt32) rethrows -> [UInt8] {
        try encode(r.event, version: r.version, recordedAt: r.recordedAt, hash: r.hash, dossierNumber: dossierNumber, intern: intern)
    }

    /// The record of `e` with `recordedAt` in place of its own (the
    /// appender's stamp for an event that carries none), without a copy of
    /// the event.
    static func encode(_ e: Event, version: UInt32?, recordedAt: Timestamp, hash: SHA256.Digest, dossierNumber: UInt32?,
                       intern: (String) throws -> UInt32) rethrows -> [UInt8] {
        var w = ByteWriter(capacity: 160)
        try encode(e, version: version, recordedAt: recordedAt, hash: hash, dossierNumber: dossierNumber, into: &w, intern: intern)
        return w.bytes
    }

    /// `encode(_:version:recordedAt:hash:dossierNumber:intern:)` written at the end of `w`.
    static func encode(_ e: Event, version: UInt32?, recordedAt: Timestamp, hash: SHA256.Digest, dossierNumber: UInt32?,
                       into w: inout ByteWriter, intern: (String) throws -> UInt32) rethrows {
        encodeHead(e, version: version, hash: hash, dossierNumber: dossierNumber, into: &w)
        try encodeTail(e, recordedAt: recordedAt, into: &w, intern: intern)
    }

    /// A record's first part, through the dossier number and version: what
    /// only the appender knows.
    static func encodeHead(_ e: Event, version: UInt32?, hash: SHA256.Digest, dossierNumber: UInt32?, into w: inout ByteWriter) {
        w.u8(formatVersion)
        w.u8(e.type.rawValue)
        var flags: UInt8 = 0
        if dossierNumber != nil { flags |= 1 }
        if e.actor != nil { flags |= 2 }
        if e.id != nil { flags |= 4 }
        if e.expectedVersion != nil { flags |= 8 }
        w.u8(flags)
        hash.withUnsafeBytes { w.raw($0) }
        if let n = dossierNumber {
            w.varint(UInt64(n))
            w.varint(UInt64(version ?? 0))
        }
    }

    /// A record's second part, from its instants on: the event's own
    /// content, with its strings as `intern` numbers them.
    static func encodeTail(_ e: Event, recordedAt: Timestamp, into w: inout ByteWriter, intern: (String) throws -> UInt32) rethrows {
        writeTimestamp(e.at, base: 0, into: &w)
        writeTimestamp(recordedAt, base: e.at.seconds, into: &w)
        if let a = e.actor { w.varint(UInt64(try intern(a))) }
        if let id = e.id { w.blob(id) }
        if let ev = e.expectedVersion { w.varint(UInt64(ev)) }
        try writeObject(e.data, into: &w, intern: intern)
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
        try decode(try RecordView(buffer, seq: seq), dossierCode: dossierCode, string: string)
    }

    /// Decodes the record `view` reads.
    static func decode(_ view: RecordView, dossierCode: (UInt32) throws -> String, string: (UInt32) throws -> String) throws -> RecordedEvent {
        let seq = view.seq
        let dossier = view.isDossierEvent ? try dossierCode(view.dossierNumber) : nil
        let actor = view.actorID != 0 ? try string(view.actorID) : nil
        var id: String?
        if let bytes = view.id {
            guard let s = String(storedUTF8: bytes) else {
                throw RecordDecodingError(reason: "id is not valid UTF-8")
            }
            id = s
        }
        var (count, reader) = try DataReader.object(view.data)
        let data = try readObject(&reader, count: count, string: string)
        guard reader.isAtEnd else { throw RecordDecodingError(reason: "\(view.data.count - reader.reader.offset) unexpected bytes after the record") }
        let event = Event(type: view.type, dossier: dossier, at: view.at, actor: actor, data: data, id: id,
                          expectedVersion: view.expectedVersion, recordedAt: view.recordedAt)
        return RecordedEvent(seq: seq, version: view.isDossierEvent ? view.version : nil, event: event,
                             hash: SHA256.Digest(view.hash))
    }

    private static func readObject(_ r: inout DataReader, count: Int, string: (UInt32) throws -> String) throws -> JSONObject {
        var members: [JSONMember] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            let (keyID, value) = try r.member()
            members.append(JSONMember(key: try string(keyID), value: try jsonValue(value, string: string)))
        }
        return JSONObject(members: members)
    }

    static func jsonValue(_ v: DataValue, string: (UInt32) throws -> String) throws -> JSONValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .text(let bytes):
            guard let s = String(storedUTF8: bytes) else {
                throw RecordDecodingError(reason: "text is not valid UTF-8")
            }
            return .string(s)
        case .interned(let id): return .string(try string(id))
        case .list(let count, var reader):
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try jsonValue(try reader.value(), string: string)) }
            return .array(items)
        case .object(let count, var reader):
            return .object(try readObject(&reader, count: count, string: string))
        }
    }
}
