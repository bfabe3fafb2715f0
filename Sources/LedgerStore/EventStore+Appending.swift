import LedgerContract
import LMDB

/// Appends events to the log inside one write transaction.
///
/// Create it at the start of `environment.write {}`, call `claim` and then
/// `append` for each event in order (each batch's records through one
/// cursor, `EventStore.withLogCursor`), `finish` before the closure returns, and `publish` after
/// the transaction committed. Until `publish`, nothing outside the
/// transaction has changed, so an aborted or retried transaction leaves the
/// store exactly as it was.
///
/// The hash chain is computed beside the writer (`ChainHasher`): records
/// are stored with their hash zero, and `finish` writes the hashes into
/// them. Inside the transaction, before `finish`, the records read back
/// have no hash; nothing there reads it.
///
/// A dossier's stream (`Tables.streams`) and its row in `Tables.dossiers`
/// are kept in memory while the transaction appends to them and written
/// by `finish`, once per dossier however many of its events the
/// transaction holds. Before `finish`, read a dossier's records through
/// `records(ofDossier:in:)` of the appender, which sees them.
///
/// Each dossier the transaction names has a slot (`slot(ofDossier:)`): a
/// number from 0 in the order first named, found by its `DossierKey` once
/// per event, which the caller passes to `append` and may use to index what
/// it keeps per dossier. Undoing a batch (`rollBack(to:)`) forgets the slots it added.
///
/// Package access: the ledger's projections are written in the same
/// transaction by `Ledger.append`, the only way events enter a ledger.
package struct Appender {
    package let store: EventStore
    /// The seq of the last event appended so far (the stored head's before the first append).
    package private(set) var lastSeq: UInt64
    /// The stored head before this transaction.
    private let headBefore: Head
    /// Hashes the chain of this transaction's events.
    private let hasher: ChainHasher
    /// The links not handed to `hasher` yet: `appended` counts them too.
    private var links = ChainHasher.LinkBuffer()
    /// Events appended in this transaction (links handed to `hasher` or gathered in `links`).
    private var appended: Int { Int(lastSeq - headBefore.seq) }
    /// The string ids committed before this transaction (1 through this).
    package let committedStringCount: UInt32
    /// Those strings' ids: the store's cache as it stood when the transaction
    /// began, read without its lock (a copy shares its storage).
    private let committedStringIDs: [ExactText: UInt32]
    /// The strings this transaction interned, in id order after `committedStringCount`.
    package private(set) var newStrings: [String] = []
    private var newStringIDs: [ExactText: UInt32] = [:]
    private var nextDossierNumber: UInt32
    /// The seq the last `claim` gave its key.
    private var claimedSeq: UInt64 = 0
    /// The largest key entered in the id index, in LMDB's order, but for
    /// the keys kept in `claimedAtEnd`: its last key when the transaction
    /// began (empty when it was empty), or a larger one the transaction
    /// entered directly (a claim out of order).
    private var largestEnteredKey: [UInt8]
    /// Keys this transaction claimed after every key of the index and
    /// every key claimed before them, so in key order, with their seqs:
    /// `finish` enters them at the index's end in one appending pass, where
    /// entering each as it came searched the tree.
    private var claimedAtEnd = ClaimedKeys()
    /// The sizes of key LMDB takes: a key of another size is entered at
    /// once, so that its refusal fails its own batch, not the whole commit.
    private let storableKeySizes: ClosedRange<Int>
    /// Per slot: the dossier's key, and its stream once this transaction
    /// appended to it, until `finish` writes it.
    private var touched: [TouchedDossier] = []
    /// The slots of `touched` by their keys' hashes: open addressing with
    /// linear probing over a power-of-two count of entries, at most half of
    /// them used, so that a probe ends after one or two entries.
    private var slotTable = [SlotEntry](repeating: SlotEntry(), count: 256)
    /// The UTF-8 bytes of each slot's code, by slot: a probe compares codes
    /// here, in memory of this thread, without retaining a code string made
    /// on another.
    private var slotCodes = PackedBytes()
    /// The record of the last `append`, written over by the next.
    private let lastRecord = RecordBuffer()

    /// One record's bytes, kept from append to append so that encoding one
    /// allocates nothing: the record of the appender's last `append`
    /// (`recordJustAppended`) until its next.
    package final class RecordBuffer {
        let writer: UnsafeMutablePointer<ByteWriter> = {
            let writer = UnsafeMutablePointer<ByteWriter>.allocate(capacity: 1)
            writer.initialize(to: ByteWriter(capacity: 512))
            return writer
        }()

        deinit {
            writer.deinitialize(count: 1)
            writer.deallocate()
        }

        /// The record's bytes, valid until the appender's next `append`
        /// (which writes over them) and while the appender lives.
        package var bytes: UnsafeRawBufferPointer { writer.pointee.unsafeBytes }
    }

    /// A dossier named in this transaction, at its slot.
    private struct TouchedDossier {
        let key: DossierKey
        var changed: ChangedStream?
    }

    /// An entry of `slotTable`: a slot and its key's hash, or empty (slot -1).
    private struct SlotEntry {
        var hash: UInt64 = 0
        var slot: Int32 = -1
    }

    /// A dossier's stream as this transaction left it so far.
    private struct ChangedStream {
        let number: UInt32
        /// The stream's stored form (`StreamSeqs`), this transaction's seqs included.
        var stream: [UInt8]
        var version: UInt32

        /// A stream read from the store, with room for the seqs this
        /// transaction adds (appending them does not copy it again).
        init(number: UInt32, stored: UnsafeRawBufferPointer, version: UInt32) {
            self.number = number
            self.version = version
            stream = []
            stream.reserveCapacity(stored.count + 32)
            stream.append(contentsOf: stored)
        }

        /// Adds `seq`, the dossier's next version; gives its number and that version.
        mutating func add(_ seq: UInt64) throws(RecordDecodingError) -> (number: UInt32, version: UInt32) {
            try StreamSeqs.append(seq, to: &stream)
            version += 1
            return (number, version)
        }
    }

    package init(store: EventStore, in txn: Transaction) throws {
        self.store = store
        try store.strings.withLock { try $0.catchUp(in: txn, table: store.tables.strings) }
        (committedStringCount, committedStringIDs) = store.strings.withLock { ($0.count, $0.ids) }
        headBefore = try store.head(in: txn)
        lastSeq = headBefore.seq
        hasher = ChainHasher(after: headBefore.hash)
        nextDossierNumber = try txn.withCursor(store.tables.dossierCodes) { cursor in
            try cursor.last().map { try Key.readU32($0.key) + 1 } ?? 1
        }
        largestEnteredKey = try txn.withCursor(store.tables.ids) { cursor in try cursor.last().map { Array($0.key) } ?? [] }
        storableKeySizes = 1...max(1, store.environment.maximumKeySize)
    }

    /// The part of `event`'s record that follows its dossier number and
    /// version (`RecordCodec.encodeTail`), encoded ahead of the append with
    /// the string ids of `strings`: nil when the event has no `recordedAt`
    /// of its own (the append stamps it) or names a string not committed
    /// yet (the append interns it). Safe on any thread. Encodes into
    /// `w` (emptied first), so that one writer serves a whole chunk of events.
    package static func recordTail(of event: Event, strings: CommittedStrings, scratch w: inout ByteWriter) -> [UInt8]? {
        guard let recordedAt = event.recordedAt else { return nil }
        w.removeAll()
        do {
            try RecordCodec.encodeTail(event, recordedAt: recordedAt, into: &w) { text in
                guard let id = strings.ids[ExactText(text)] else { throw NotCommitted() }
                return id
            }
        } catch {
            return nil
        }
        return w.bytes
    }

    private struct NotCommitted: Error {}

    /// Enters `event`, of index key `identityKey`, in
    /// the id index under the next seq, for `append` to store it there; or,
    /// when the key is already stored (this transaction's appends
    /// included), gives its seq and writes nothing.
    ///
    /// A key after every key of the index and every key claimed before it
    /// (ids that arrive in order, as an export's or a generated log's do)
    /// cannot be stored yet: it is kept, without a search, and entered by
    /// `finish`. Any other key is looked up and entered at once, one
    /// search of the index either way. Until `finish`, the index read
    /// directly lacks the keys kept.
    ///
    /// After a claim, `append` the event, or undo the batch: a claimed key
    /// names a seq until the transaction (or the batch's nested one) is undone.
    package mutating func claim(_ event: Event, identityKey: IdentityKey, in txn: Transaction) throws -> UInt64? {
        do {
            // `event` stays out of the closure: capturing it would copy it, retaining each of its strings and arrays.
            return try identityKey.withBytes { key in try claim(key: key, in: txn) }
        } catch let e as LMDBError {
            throw e.adding(context: "seq \(lastSeq + 1)").adding(context: event.dossier.map { "dossier \($0)" } ?? event.type.name)
        }
    }

    private mutating func claim(key identityKey: UnsafeRawBufferPointer, in txn: Transaction) throws -> UInt64? {
        let seq = lastSeq + 1
        let afterLargest = claimedAtEnd.lastPrecedes(identityKey) ?? largestEnteredKey.withUnsafeBytes { Key.precedes($0, identityKey) }
        if afterLargest, storableKeySizes.contains(identityKey.count) {
            claimedAtEnd.append(identityKey, seq: seq)
            claimedSeq = seq
            return nil
        }
        if let kept = claimedAtEnd.seq(of: identityKey) { return kept }
        let claimed = try withUnsafeBytes(of: seq.bigEndian) { value in
            try txn.put(store.tables.ids, key: identityKey, value: value, flags: .noOverwrite)
        }
        if claimed {
            if largestEnteredKey.withUnsafeBytes({ Key.precedes($0, identityKey) }) { largestEnteredKey = Array(identityKey) }
            claimedSeq = seq
            return nil
        }
        guard let stored = try txn.get(store.tables.ids, key: identityKey) else {
            throw LedgerError(.corrupt, "\(store.path): the id index refused a key it does not hold")
        }
        return try Key.readU64(stored)
    }

    /// The slot of dossier `key` in this transaction: the one it has, or
    /// the next number (`slotCount`) when the transaction has not named it
    /// yet. Hashes nothing (the key carries its hash) and compares the code
    /// once; reads and writes nothing of the store.
    /// - Complexity: O(1) on average.
    package mutating func slot(ofDossier key: DossierKey) -> Int {
        let (found, entry) = probe(key)
        if let found { return found }
        let slot = touched.count
        touched.append(TouchedDossier(key: key))
        key.code.withUTF8Bytes { slotCodes.append($0) }
        slotTable[entry] = SlotEntry(hash: key.hash, slot: Int32(slot))
        if 2 * touched.count > slotTable.count { growSlotTable() }
        return slot
    }

    /// The slot of dossier `code` (`slot(ofDossier:)` of its key).
    package mutating func slot(ofDossier code: String) -> Int { slot(ofDossier: DossierKey(code)) }

    /// The slot of `key` if it has one, and the entry of `slotTable` where the probe ended.
    private func probe(_ key: DossierKey) -> (slot: Int?, entry: Int) {
        let mask = slotTable.count - 1
        var i = Int(truncatingIfNeeded: key.hash) & mask
        return key.code.withUTF8Bytes { code in
            while true {
                let entry = slotTable[i]
                if entry.slot < 0 { return (nil, i) }
                if entry.hash == key.hash, slotCodes.withBytes(at: Int(entry.slot), { Key.sameBytes($0, code) }) { return (Int(entry.slot), i) }
                i = (i + 1) & mask
            }
        }
    }

    /// Doubles `slotTable` and enters every slot again.
    private mutating func growSlotTable() {
        slotTable = [SlotEntry](repeating: SlotEntry(), count: 2 * slotTable.count)
        let mask = slotTable.count - 1
        for (slot, dossier) in touched.enumerated() {
            var i = Int(truncatingIfNeeded: dossier.key.hash) & mask
            while slotTable[i].slot >= 0 { i = (i + 1) & mask }
            slotTable[i] = SlotEntry(hash: dossier.key.hash, slot: Int32(slot))
        }
    }

    /// Slots given so far (`slot(ofDossier:)`), numbered from 0.
    package var slotCount: Int { touched.count }

    /// Stores `event`, claimed just before (`claim`), as the next seq;
    /// `canonical` is its canonical encoding. `recordedAt` is used when the
    /// event carries none. Checks nothing but storage: validation is the caller's.
    /// - Parameter slot: for a dossier's event, its dossier's `slot(ofDossier:)`.
    /// - Parameter recordTail: the end of its record encoded beforehand
    ///   (`recordTail(of:strings:scratch:)`), or nil to encode it here.
    /// - Parameter logCursor: a cursor on the log in `txn`
    ///   (`EventStore.withLogCursor`), which the record is appended through.
    /// - Returns: the seq stored; `recordJustAppended` holds its record's bytes.
    @discardableResult
    package mutating func append(_ event: Event, slot: Int?, canonical: CanonicalEncoding, recordTail: [UInt8]? = nil,
                                 recordedAt: Timestamp, in txn: Transaction, through logCursor: Cursor) throws -> UInt64 {
        let recordedAt = event.recordedAt ?? recordedAt
        let seq = lastSeq + 1
        precondition(claimedSeq == seq, "an event appended without a claim of its identity key")
        var dossierNumber: UInt32?
        var version: UInt32?
        // The dossier's entry is read and changed where it lies in `touched`
        // (copied out, it would retain its code and stream), and so is the code in `event`.
        if event.dossier != nil {
            guard let slot, slot < touched.count else { preconditionFailure("a dossier's event appended without its slot") }
            if touched.withUnsafeBufferPointer({ $0[slot].changed == nil }) {
                touched[slot].changed = try openStream(ofDossier: event.dossier!, in: txn)
            }
            do throws(RecordDecodingError) {
                (dossierNumber, version) = try touched[slot].changed!.add(seq)
            } catch {
                throw LedgerError(.corrupt, "\(store.path): the stream of dossier \(event.dossier!) does not decode: \(error.reason)")
            }
        } else {
            try txn.put(store.tables.references, key: Key.u64(seq), value: [event.type.rawValue], flags: .append)
        }
        let writer = lastRecord.writer
        writer.pointee.removeAll()
        if let recordTail, event.recordedAt != nil {
            RecordCodec.encodeHead(event, version: version, hash: .zero, dossierNumber: dossierNumber, into: &writer.pointee)
            recordTail.withUnsafeBytes { writer.pointee.raw($0) }
        } else {
            try RecordCodec.encode(event, version: version, recordedAt: recordedAt, hash: .zero, dossierNumber: dossierNumber,
                                   into: &writer.pointee) { text in
                try intern(text, in: txn)
            }
        }
        do {
            try withUnsafeBytes(of: seq.bigEndian) { key in
                try writer.pointee.withUnsafeBytes { record in try logCursor.put(key: key, value: record, flags: .append) }
            }
        } catch let e as LMDBError {
            throw e.adding(context: "seq \(seq)").adding(context: event.dossier.map { "dossier \($0)" } ?? event.type.name)
        }
        // The link and `lastSeq` advance together: `appended` counts both.
        links.add(ChainHasher.Link(canonical: canonical, seq: seq, version: version, recordedAt: recordedAt), to: hasher)
        lastSeq = seq
        return seq
    }

    /// The stream of dossier `code` as stored, or a new one under the next
    /// dossier number (its code entered in `dossierCodes`).
    private mutating func openStream(ofDossier code: String, in txn: Transaction) throws -> ChangedStream {
        if let current = try store.stream(ofDossier: code, in: txn) {
            guard let raw = try txn.get(store.tables.streams, u32Key: current.number) else {
                throw LedgerError(.corrupt, "\(store.path): dossier \(code) has no stream")
            }
            return ChangedStream(number: current.number, stored: raw, version: current.version)
        }
        let number = nextDossierNumber
        try withUnsafeBytes(of: number.bigEndian) { key in
            try code.withUTF8Bytes { code in _ = try txn.put(store.tables.dossierCodes, key: key, value: code, flags: .append) }
        }
        nextDossierNumber += 1
        return ChangedStream(number: number, stored: UnsafeRawBufferPointer(start: nil, count: 0), version: 0)
    }

    /// The record the last `append` stored, until the next `append`. A
    /// reference of its own: reading it while the caller changes its other
    /// state needs no copy of the appender.
    package var recordJustAppended: RecordBuffer { lastRecord }

    private mutating func intern(_ text: String, in txn: Transaction) throws -> UInt32 {
        let key = ExactText(text)
        if let id = committedStringIDs[key] { return id }
        if let id = newStringIDs[key] { return id }
        let id = committedStringCount + UInt32(newStrings.count) + 1
        newStrings.append(text)
        newStringIDs[key] = id
        try txn.put(store.tables.strings, key: Key.u32(id), value: Array(text.utf8), flags: .append)
        return id
    }

    /// Goes back to `mark`, a copy of this appender taken earlier in the
    /// transaction: the events appended since (a batch undone with its
    /// nested transaction) leave the chain.
    package mutating func rollBack(to mark: Appender) {
        precondition(mark.hasher === hasher, "a mark of another transaction")
        self = mark
        // The mark's links not handed over yet are its own again; the hasher keeps those handed over before it.
        hasher.truncate(to: appended - links.links.count)
    }

    /// The records of dossier `code` in version order, this transaction's
    /// included (as `EventStore.records(ofDossier:in:)` after `finish`).
    package func records(ofDossier code: String, in txn: Transaction) throws -> [RecordView] {
        guard let slot = probe(DossierKey(code)).slot, let changed = touched[slot].changed else {
            return try store.records(ofDossier: code, in: txn)
        }
        var seqs: [UInt64] = []
        do { try changed.stream.withUnsafeBytes { try StreamSeqs.decode($0, into: &seqs) } } catch let error as RecordDecodingError {
            throw LedgerError(.corrupt, "\(store.path): the stream of dossier \(code) does not decode: \(error.reason)")
        }
        return try store.records(code, seqs: seqs, in: txn)
    }

    /// Writes the keys claimed in order (`claim`), each changed stream and
    /// dossier row, each record's hash and the new head. Call once, after
    /// the last `append`: the changed streams are moved out as they are
    /// written.
    package mutating func finish(in txn: Transaction) throws {
        var mappedPages = Environment.MappedPageBudget(store.environment, in: txn)
        try finish(in: txn, mappedPages: &mappedPages)
    }

    /// `finish(in:)`, counting its steps in the batch's `mappedPages`.
    package mutating func finish(in txn: Transaction, mappedPages: inout Environment.MappedPageBudget) throws {
        try enterClaimedAtEnd(in: txn)
        // In number order: the streams table's keys, and roughly the order the dossiers arrived in.
        // Each dossier's number and slot, sorted: the comparisons touch no code or stream.
        var order: [(number: UInt32, slot: Int)] = []
        order.reserveCapacity(touched.count)
        for slot in touched.indices { if let number = touched[slot].changed?.number { order.append((number, slot)) } }
        order.sort { $0.number < $1.number }
        // The streams through one cursor, in key order: LMDB finds a key on the
        // cursor's page without searching the tree from its root, and the
        // dossiers of a batch have mostly recent numbers, close together.
        try txn.withCursor(store.tables.streams) { streamCursor in
            for (_, slot) in order {
                // Moved out, and keyed by the code's bytes in this appender's memory: copying the entry
                // would retain its stream and its code, a string the parse thread made.
                guard let changed = touched[slot].changed.take() else { continue }
                do {
                    try Key.withU32U32(changed.number, changed.version) { entry in
                        try slotCodes.withBytes(at: slot) { code in _ = try txn.put(store.tables.dossiers, key: code, value: entry) }
                        // The stream's key, `Key.u32` of the number, is the entry's first four bytes.
                        try changed.stream.withUnsafeBytes { stream in
                            try streamCursor.put(key: UnsafeRawBufferPointer(rebasing: entry[0..<4]), value: stream)
                        }
                    }
                } catch let e as LMDBError {
                    throw e.adding(context: "dossier \(touched[slot].key.code)").adding(context: "writing its stream")
                }
                try mappedPages.step()
            }
        }
        links.handOver(to: hasher)
        let hashes = hasher.hashes()
        precondition(hashes.count == appended, "the chain's links and the events appended differ")
        guard let last = hashes.last else { return }
        try txn.withCursor(store.tables.events) { cursor in
            var record: [UInt8] = []
            var entry = try cursor.seek(Key.u64(headBefore.seq + 1))
            for (i, hash) in hashes.enumerated() {
                let seq = headBefore.seq + 1 + UInt64(i)
                guard let e = entry, e.key.count == 8, try Key.readU64(e.key) == seq, e.value.count >= RecordCodec.hashRange.upperBound else {
                    throw LedgerError(.corrupt, "\(store.path): seq \(seq), appended in this transaction, is not in the log")
                }
                record.removeAll(keepingCapacity: true)
                record.append(contentsOf: e.value)
                hash.withUnsafeBytes { h in
                    record.withUnsafeMutableBytes { r in UnsafeMutableRawBufferPointer(rebasing: r[RecordCodec.hashRange]).copyMemory(from: h) }
                }
                do {
                    try record.withUnsafeBytes { r in try cursor.put(key: e.key, value: r, flags: .current) }
                } catch let error as LMDBError {
                    throw error.adding(context: "seq \(seq)").adding(context: "writing its hash")
                }
                entry = try cursor.next()
            }
        }
        try txn.put(store.tables.meta, key: Array("head".utf8), value: Key.u64(lastSeq) + last.bytes)
    }

    /// Enters the keys `claim` kept in the id index: appended at its end
    /// through one cursor, or each looked up when a key entered directly in
    /// this transaction sorts after one of them.
    private func enterClaimedAtEnd(in txn: Transaction) throws {
        guard !claimedAtEnd.isEmpty else { return }
        let appending = claimedAtEnd.firstFollows(largestEnteredKey)
        try txn.withCursor(store.tables.ids) { cursor in
            try claimedAtEnd.forEach { key, seq in
                do {
                    try withUnsafeBytes(of: seq.bigEndian) { v in try cursor.put(key: key, value: v, flags: appending ? .append : .noOverwrite) }
                } catch let e as LMDBError {
                    throw e.adding(context: "seq \(seq)").adding(context: "entering its id in the index")
                }
            }
        }
    }

    /// Shares the strings this transaction added with later transactions of
    /// this process. Call only after the commit succeeded.
    package func publish() {
        store.strings.withLock { cache in
            guard cache.count == committedStringCount else { return } // someone caught up already; they will again
            for text in newStrings {
                cache.texts.append(text)
                cache.ids[ExactText(text)] = cache.count
            }
        }
    }
}

extension EventStore {
    /// Runs `body` with a cursor on the log in `txn`, for the appends of a
    /// batch (`Appender.append(…, through:)`): LMDB keeps an appending
    /// cursor on the log's last page, where a put without one (`mdb_put`)
    /// searches the tree from its root for each record. The cursor is
    /// closed when `body` returns; pass it to no append of another
    /// transaction.
    package func withLogCursor<R>(in txn: Transaction, _ body: (Cursor) throws -> R) throws -> R {
        try txn.withCursor(tables.events, body)
    }
}
