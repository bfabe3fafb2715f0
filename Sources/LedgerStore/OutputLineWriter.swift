import LMDB

/// Writes the contract's output line of a stored record straight from its
/// bytes — the same bytes as `RecordedEvent.writeJSON`, without building the
/// event: codes, keys and officer ids come from caches of their quoted,
/// escaped JSON, timestamps are written digit by digit. This is what makes
/// subscription catch-up and export run near the speed of a cursor scan.
///
/// Holds caches for one store; use it from one thread, with records read in
/// transactions of that store.
public struct OutputLineWriter {
    public let store: EventStore
    /// String id → its quoted JSON (`[]` until first used).
    private var quotedStrings: [[UInt8]] = []
    /// Dossier number → its quoted JSON code (`[]` until first used).
    private var quotedCodes: [[UInt8]] = []

    public init(store: EventStore) { self.store = store }

    /// Appends the output line of the record `raw` at `seq` (no newline).
    /// - Throws: `LedgerError(.corrupt)` naming the seq when the bytes do not decode.
    public mutating func write(_ raw: UnsafeRawBufferPointer, seq: UInt64, into w: inout JSONWriter, in txn: Transaction) throws {
        do {
            try write(try RecordView(raw, seq: seq), into: &w, in: txn)
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(store.path): seq \(seq): stored bytes do not decode: \(e.reason)")
        }
    }

    /// Appends the output line of `view` (no newline).
    public mutating func write(_ view: RecordView, into w: inout JSONWriter, in txn: Transaction) throws {
        w.raw("{")
        w.key("seq", first: true); w.int(Int64(view.seq))
        w.key("type"); w.string(view.type.name)
        if view.isDossierEvent {
            w.key("dossier"); try appendCode(view.dossierNumber, to: &w, in: txn)
            w.key("version"); w.int(Int64(view.version))
        }
        w.key("at"); w.timestamp(view.at)
        if view.actorID != 0 { w.key("actor"); try appendString(view.actorID, to: &w, in: txn) }
        w.key("data")
        var (count, reader) = try DataReader.object(view.data)
        try writeObject(count: count, &reader, into: &w, in: txn)
        guard reader.isAtEnd else { throw RecordDecodingError(reason: "unexpected bytes after the record") }
        if let id = view.id { w.key("id"); try appendText(id, to: &w) }
        if let ev = view.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        w.key("recordedAt"); w.timestamp(view.recordedAt)
        w.key("hash"); w.hex(bytes: view.hash)
        w.raw("}")
    }

    private mutating func writeObject(count: Int, _ r: inout DataReader, into w: inout JSONWriter, in txn: Transaction) throws {
        w.bytes.append(UInt8(ascii: "{"))
        for i in 0..<count {
            if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
            let (key, value) = try r.member()
            try appendString(key, to: &w, in: txn)
            w.bytes.append(UInt8(ascii: ":"))
            try writeValue(value, into: &w, in: txn)
        }
        w.bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeValue(_ v: DataValue, into w: inout JSONWriter, in txn: Transaction) throws {
        switch v {
        case .null: w.raw("null")
        case .bool(let b): b ? w.raw("true") : w.raw("false")
        case .int(let i): w.int(i)
        case .double(let d): w.double(d)
        case .text(let bytes): try appendText(bytes, to: &w)
        case .interned(let id): try appendString(id, to: &w, in: txn)
        case .list(let count, var reader):
            w.bytes.append(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                try writeValue(try reader.value(), into: &w, in: txn)
            }
            w.bytes.append(UInt8(ascii: "]"))
        case .object(let count, var reader):
            try writeObject(count: count, &reader, into: &w, in: txn)
        }
    }

    private func appendText(_ bytes: UnsafeRawBufferPointer, to w: inout JSONWriter) throws {
        let utf8 = bytes.bindMemory(to: UInt8.self)
        guard String(validating: utf8, as: UTF8.self) != nil else { throw RecordDecodingError(reason: "text is not valid UTF-8") }
        w.string(utf8: utf8)
    }

    private mutating func appendString(_ id: UInt32, to w: inout JSONWriter, in txn: Transaction) throws {
        try Self.appendQuoted(Int(id), cache: &quotedStrings, to: &w) { try store.text(ofString: id, in: txn) }
    }

    private mutating func appendCode(_ number: UInt32, to w: inout JSONWriter, in txn: Transaction) throws {
        try Self.appendQuoted(Int(number), cache: &quotedCodes, to: &w) { try store.dossierCode(number: number, in: txn) }
    }

    /// Appends entry `i` of `cache`, filling it first with the quoted JSON of `text()`.
    private static func appendQuoted(_ i: Int, cache: inout [[UInt8]], to w: inout JSONWriter, text: () throws -> String) throws {
        if i < cache.count, !cache[i].isEmpty {
            w.bytes.append(contentsOf: cache[i])
            return
        }
        var q = JSONWriter(capacity: 24)
        q.string(try text())
        if i >= cache.count { cache.append(contentsOf: repeatElement([], count: max(i + 1 - cache.count, cache.count))) }
        cache[i] = q.bytes
        w.bytes.append(contentsOf: q.bytes)
    }
}
