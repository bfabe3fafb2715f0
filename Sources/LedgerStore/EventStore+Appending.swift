import LedgerContract
import LMDB

/// Appends events to the log inside one write transaction.
///
/// Create it at the start of `environment.write {}`, call `append` for each
/// event in order, `finish` before the closure returns, and `publish` after
/// the transaction committed. Until `publish`, nothing outside the
/// transaction has changed, so an aborted or retried transaction leaves the
/// store exactly as it was.
public struct Appender {
    public let store: EventStore
    /// The last event appended so far (the stored head before the first append).
    public private(set) var head: Head
    private let stringBase: UInt32
    private var newStrings: [String] = []
    private var newStringIDs: [String: UInt32] = [:]
    private var nextDossierNumber: UInt32

    public init(store: EventStore, in txn: Transaction) throws {
        self.store = store
        try store.strings.withLock { try $0.catchUp(in: txn, table: store.tables.strings) }
        stringBase = store.strings.withLock { $0.count }
        head = try store.head(in: txn)
        nextDossierNumber = try txn.withCursor(store.tables.dossierCodes) { cursor in
            try cursor.last().map { Key.readU32($0.key) + 1 } ?? 1
        }
    }

    /// The index key of an event without an `id`: 0x00 and the SHA-256 of
    /// its content (type, dossier, at, actor, data), so that appending the
    /// same event twice stores it once.
    public static func contentKey(of event: Event) -> [UInt8] {
        var o = JSONObject()
        if let a = event.actor { o["actor"] = .string(a) }
        o["at"] = .string(event.at.text)
        o["data"] = .object(event.data)
        if let d = event.dossier { o["dossier"] = .string(d) }
        o["type"] = .string(event.type.name)
        var w = JSONWriter()
        w.object(o, sortedKeys: true)
        return [0] + SHA256.hash(w.bytes).bytes
    }

    private static func identityKey(of event: Event) -> [UInt8] {
        if let id = event.id { return Array(id.utf8) }
        return contentKey(of: event)
    }

    /// The seq under which this event (same `id`, or same content when it
    /// has no id) is already stored, including earlier appends of this
    /// transaction.
    public func storedSeq(of event: Event, in txn: Transaction) throws -> UInt64? {
        try txn.get(store.tables.ids, key: Self.identityKey(of: event)).map { Key.readU64($0) }
    }

    /// The dossier's current version (0 when it has no events yet).
    public func version(ofDossier code: String, in txn: Transaction) throws -> UInt32 {
        try store.stream(ofDossier: code, in: txn)?.version ?? 0
    }

    /// Stores `event` as the next seq. `recordedAt` is used when the event
    /// carries none. Checks nothing but storage: validation is the caller's.
    public mutating func append(_ event: Event, recordedAt: Timestamp, in txn: Transaction) throws -> RecordedEvent {
        var event = event
        if event.recordedAt == nil { event.recordedAt = recordedAt }
        let seq = head.seq + 1
        let tables = store.tables
        var dossierNumber: UInt32?
        var version: UInt32?
        if let code = event.dossier {
            let current = try store.stream(ofDossier: code, in: txn)
            let number = current?.number ?? nextDossierNumber
            if current == nil {
                nextDossierNumber += 1
                try txn.put(tables.dossierCodes, key: Key.u32(number), value: Array(code.utf8), flags: .append)
            }
            let v = (current?.version ?? 0) + 1
            try txn.put(tables.dossiers, key: Array(code.utf8), value: Key.u32u32(number, v))
            try txn.put(tables.streams, key: Key.u32(number), value: Key.u64(seq), flags: .appendDuplicate)
            dossierNumber = number
            version = v
        } else {
            try txn.put(tables.references, key: Key.u64(seq), value: [event.type.rawValue], flags: .append)
        }
        var recorded = RecordedEvent(seq: seq, version: version, event: event, hash: .zero)
        recorded.hash = recorded.chainedHash(previous: head.hash)
        let record = try RecordCodec.encode(recorded, dossierNumber: dossierNumber) { text in
            try intern(text, in: txn)
        }
        do {
            try txn.put(tables.events, key: Key.u64(seq), value: record, flags: .append)
            try txn.put(tables.ids, key: Self.identityKey(of: event), value: Key.u64(seq), flags: .noOverwrite)
        } catch let e as LMDBError {
            throw e.adding(context: "seq \(seq)").adding(context: event.dossier.map { "dossier \($0)" } ?? event.type.name)
        }
        head = Head(seq: seq, hash: recorded.hash)
        return recorded
    }

    private mutating func intern(_ text: String, in txn: Transaction) throws -> UInt32 {
        if let id = store.strings.withLock({ $0.ids[text] }), id <= stringBase { return id }
        if let id = newStringIDs[text] { return id }
        let id = stringBase + UInt32(newStrings.count) + 1
        newStrings.append(text)
        newStringIDs[text] = id
        try txn.put(store.tables.strings, key: Key.u32(id), value: Array(text.utf8), flags: .append)
        try txn.put(store.tables.stringIDs, key: Array(text.utf8), value: Key.u32(id))
        return id
    }

    /// Writes the new head. Call once, after the last `append`.
    public func finish(in txn: Transaction) throws {
        try txn.put(store.tables.meta, key: Array("head".utf8), value: Key.u64(head.seq) + head.hash.bytes)
    }

    /// Shares the strings this transaction added with later transactions of
    /// this process. Call only after the commit succeeded.
    public func publish() {
        store.strings.withLock { cache in
            guard cache.count == stringBase else { return } // someone caught up already; they will again
            for text in newStrings {
                cache.texts.append(text)
                cache.ids[text] = cache.count
            }
        }
    }
}
