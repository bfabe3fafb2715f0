import LedgerContract
/// A stored record read in place: the fixed fields decoded, `data` left as
/// its binary bytes, nothing allocated. Scans that look at a few fields of
/// every event (rebuild, replays, subscription catch-up) read records this
/// way instead of building a `RecordedEvent` with its JSON object.
///
/// A view points into LMDB's memory map: it is valid only while the
/// transaction that read the record is open. Every length and tag is
/// checked, so damaged bytes give a `RecordDecodingError`, never a crash.
public struct RecordView {
    public let seq: UInt64
    public let type: EventType
    /// The 32 bytes of the chained hash.
    public let hash: UnsafeRawBufferPointer
    /// The dossier's number in the dossier table (0 for reference events).
    public let dossierNumber: UInt32
    /// Version in the dossier's stream (0 for reference events).
    public let version: UInt32
    public let at: Timestamp
    public let recordedAt: Timestamp
    /// String id of the actor (0 when there is none).
    public let actorID: UInt32
    /// The producer's id bytes, when the event has one.
    public let id: UnsafeRawBufferPointer?
    public let expectedVersion: UInt32?
    /// The binary JSON object of `data` (see `RecordCodec`): read it with `DataReader`.
    public let data: UnsafeRawBufferPointer

    public var isDossierEvent: Bool { dossierNumber != 0 }

    // Inlinable, with the instants' reads inlined and the errors built out
    // of line, so that a scan reads a header without a call per field.
    @inlinable @inline(__always)
    public init(_ buffer: UnsafeRawBufferPointer, seq: UInt64) throws(RecordDecodingError) {
        self.seq = seq
        var r = ByteReader(buffer)
        let format = try r.u8()
        guard format == RecordCodec.formatVersion else { throw Self.fault("unknown record format", format) }
        let code = try r.u8()
        guard let type = EventType(rawValue: code) else { throw Self.fault("unknown type code", code) }
        self.type = type
        let flags = try r.u8()
        guard flags & ~0x0F == 0 else { throw Self.fault("unknown flags", flags) }
        hash = try r.bytes(32)
        if flags & 1 != 0 {
            let number = try r.varint()
            let v = try r.varint()
            guard number > 0, number <= UInt64(UInt32.max), v <= UInt64(UInt32.max) else { throw Self.fault("dossier number out of range") }
            dossierNumber = UInt32(number)
            version = UInt32(v)
        } else {
            dossierNumber = 0
            version = 0
        }
        guard type.isDossierEvent == (dossierNumber != 0) else { throw Self.fault("dossier flag does not match the type") }
        at = try Self.readTimestamp(&r, base: 0)
        recordedAt = try Self.readTimestamp(&r, base: at.seconds)
        actorID = flags & 2 != 0 ? try DataReader.stringID(&r) : 0
        if flags & 4 != 0 {
            let n = try r.varint()
            guard n <= UInt64(buffer.count) else { throw Self.fault("id length runs past the record", n) }
            id = try r.bytes(Int(n))
        } else {
            id = nil
        }
        if flags & 8 != 0 {
            let v = try r.varint()
            guard v <= UInt64(UInt32.max) else { throw Self.fault("expectedVersion out of range") }
            expectedVersion = UInt32(v)
        } else {
            expectedVersion = nil
        }
        data = UnsafeRawBufferPointer(rebasing: buffer[r.offset...])
    }

    @usableFromInline @inline(never)
    static func fault(_ reason: String, _ value: (any BinaryInteger)? = nil) -> RecordDecodingError {
        RecordDecodingError(reason: value.map { "\(reason) \($0)" } ?? reason)
    }

    @inlinable @inline(__always)
    static func readTimestamp(_ r: inout ByteReader, base: Int64) throws(RecordDecodingError) -> Timestamp {
        let seconds = base &+ (try r.svarint())
        guard Timestamp.eventSeconds.contains(seconds) else { throw fault("time out of range") }
        let meta = try r.varint()
        let zz = meta >> 2
        let offset = Int64(bitPattern: (zz >> 1) ^ (0 &- (zz & 1)))
        guard offset > -24 * 60, offset < 24 * 60 else { throw fault("offset out of range") }
        var nanos: Int32 = 0
        var digits: UInt8 = 0
        if meta & 1 != 0 {
            let n = try r.varint()
            digits = try r.u8()
            guard n < 1_000_000_000, digits >= 1, digits <= 9 else { throw fault("fraction out of range") }
            nanos = Int32(n)
        }
        return Timestamp(seconds: seconds, nanoseconds: nanos, offsetMinutes: Int16(offset), fractionDigits: digits, isZulu: meta & 2 != 0)
    }
}

/// One value of a record's binary `data`, read in place. Text points into
/// the record; lists and objects are left as readers positioned on them.
public enum DataValue {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// UTF-8 bytes stored inline (not yet validated).
    case text(UnsafeRawBufferPointer)
    /// A string id of the ledger's string table.
    case interned(UInt32)
    /// A list of `count` values: read them with `reader.value()`.
    case list(count: Int, reader: DataReader)
    /// An object of `count` members: read them with `reader.member()`.
    case object(count: Int, reader: DataReader)
}

/// Reads binary JSON (the `data` of a record) member by member, without
/// allocating. Lists and objects come back as sub-readers; `skip` steps
/// over a value not needed.
public struct DataReader {
    public var reader: ByteReader
    public let depth: Int

    /// A reader of the object at the start of `bytes`; returns it with its member count.
    @inlinable @inline(__always)
    public static func object(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> (count: Int, reader: DataReader) {
        var r = DataReader(reader: ByteReader(bytes), depth: 0)
        let count = try r.count()
        return (count, r)
    }

    @usableFromInline init(reader: ByteReader, depth: Int) {
        self.reader = reader
        self.depth = depth
    }

    public var isAtEnd: Bool { reader.isAtEnd }

    @inlinable @inline(__always)
    static func stringID(_ r: inout ByteReader) throws(RecordDecodingError) -> UInt32 {
        let v = try r.varint()
        guard v > 0, v <= UInt64(UInt32.max) else { throw stringIDOutOfRange(v) }
        return UInt32(v)
    }

    @usableFromInline @inline(never) static func stringIDOutOfRange(_ v: UInt64) -> RecordDecodingError {
        RecordDecodingError(reason: "string id \(v) out of range")
    }

    /// The next member when its value is an interned string (the commonest
    /// member of a dossier event's data): both string ids, consumed. Nil,
    /// with nothing consumed, for a member of any other kind (read it with
    /// `member()`).
    @inlinable @inline(__always)
    public mutating func internedMember() throws(RecordDecodingError) -> (keyID: UInt32, valueID: UInt32)? {
        let start = reader.offset
        let key = try Self.stringID(&reader)
        guard reader.offset < reader.buffer.count, reader.buffer[reader.offset] == 6 else {
            reader.offset = start
            return nil
        }
        reader.offset &+= 1
        return (key, try Self.stringID(&reader))
    }

    @inlinable @inline(__always)
    mutating func count() throws(RecordDecodingError) -> Int {
        let n = try reader.varint()
        guard n <= UInt64(reader.buffer.count) else { throw RecordView.fault("count too large", n) }
        return Int(n)
    }

    /// The next object member: its key's string id and its value.
    public mutating func member() throws(RecordDecodingError) -> (keyID: UInt32, value: DataValue) {
        let key = try Self.stringID(&reader)
        return (key, try value())
    }

    /// The next value. A list or object's reader starts at its first item;
    /// this reader continues after the whole value.
    public mutating func value() throws(RecordDecodingError) -> DataValue {
        guard depth <= JSONParser.maxDepth + 1 else { throw RecordDecodingError(reason: "nesting too deep") }
        let tag = try reader.u8()
        switch tag {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try reader.svarint())
        case 4: return .double(try reader.double())
        case 5:
            let n = try reader.varint()
            guard n <= UInt64(reader.buffer.count) else { throw RecordDecodingError(reason: "length \(n) runs past the record") }
            return .text(try reader.bytes(Int(n)))
        case 6: return .interned(try Self.stringID(&reader))
        case 7, 8:
            let n = try count()
            let inner = DataReader(reader: reader, depth: depth + 1)
            var skipping = inner
            for _ in 0..<n {
                if tag == 8 { _ = try Self.stringID(&skipping.reader) }
                try skipping.skip()
            }
            reader.offset = skipping.reader.offset
            return tag == 7 ? .list(count: n, reader: inner) : .object(count: n, reader: inner)
        default:
            throw RecordDecodingError(reason: "unknown value tag \(tag) at byte \(reader.offset - 1)")
        }
    }

    /// Steps over the next value.
    public mutating func skip() throws(RecordDecodingError) {
        _ = try value()
    }
}
