import LedgerContract
import LMDB

/// Transcodes stored records straight to the contract's output line
/// (EVENTS.md), and to the hash chain's canonical form
/// (`chainedHash(_:previous:in:)`, which `verify` uses), without building
/// a `RecordedEvent`.
///
/// Guarantees:
/// - For every record that decodes, the line is byte for byte the line
///   `RecordedEvent.writeJSON` writes for `EventStore.decode` of the same
///   bytes: the same escaping (`JSONWriter.string`), number and timestamp
///   formatters (`JSONWriter.writeInt`, `withDoubleText`,
///   `Timestamp.write(to:)`), member order and optional fields.
/// - Bytes that do not decode (including text that is not UTF-8 and
///   timestamps outside the years 0000–9999, which no input can give) throw
///   `LedgerError(.corrupt, "…seq N: stored bytes do not decode: …")`, as
///   `decode` does; nothing traps. Unknown string ids and dossier numbers
///   throw the same errors as `decode`.
///
/// String ids resolve through a cache of each string's quoted, escaped JSON
/// (filled from the whole string table at the first miss, refilled when an
/// id is past it); dossier numbers through a fixed-size cache of quoted
/// codes, direct-mapped by number (`codeSlots`). Both are valid for every
/// later transaction of the store, since ids and numbers are never reused.
///
/// Holds caches and a line buffer: use one transcoder from one thread.
public struct OutputLineTranscoder {
    public let store: EventStore
    /// Quoted JSON of string id `id` is `stringBytes[stringEnds[id - 1]..<stringEnds[id]]`.
    private var stringBytes: [UInt8] = []
    private var stringEnds: [Int] = [0]
    /// UTF-8 bytes of string id `id`, unquoted, for sorting keys: `rawStringBytes[rawStringEnds[id - 1]..<rawStringEnds[id]]`.
    private var rawStringBytes: [UInt8] = []
    private var rawStringEnds: [Int] = [0]
    /// Quoted JSON codes of dossiers seen lately, in slots of
    /// `codeSlotWidth` bytes from `codeSlotOrigin`: number `n` is in slot
    /// `n % codeSlots` when the slot's first four bytes hold `n`
    /// (0xFFFFFFFF: empty); then come a length byte and the quoted code, so
    /// that a lookup reads one cache line, not a number and then a code
    /// kept apart. Numbers follow the order dossiers first appeared in, so
    /// the dossiers in flight at once have nearby numbers and rarely share
    /// a slot, and the cache stays within `maximumCodeSlots` whatever the
    /// number of dossiers. Allocated at first use, with a slot per dossier
    /// the ledger holds then (a power of two, at least 1,024) up to that
    /// bound, and allocated again, larger, when a transcoder that follows
    /// the log meets a dossier numbered past twice its slots (numbers are
    /// given in order, from one).
    private var codeSlotBytes: [UInt8] = []
    /// Where the first slot begins in `codeSlotBytes`: on a cache line of
    /// the storage it was allocated in (a copy of the transcoder that
    /// copies the bytes keeps the same offsets, on whatever lines they fall).
    private var codeSlotOrigin = 0
    /// The slots of the cache (0 until sized at first use).
    private var codeSlots: Int
    /// Whether the cache sizes itself by the ledger's dossiers (else tests set `codeSlots`).
    private let sizesCodeCache: Bool
    /// 2^18 slots (16 MB): a busy province's year (a million dossiers) has
    /// a few hundred thousand numbers in flight at once, and a miss costs a
    /// B-tree search.
    static let maximumCodeSlots = 1 << 18
    private static let codeSlotWidth = 64
    /// What `loadCodeSlots` read (kept, so that the loads are made).
    private var codeSlotsLoaded: UInt8 = 0
    /// `,"type":"…"` for each type code, the same way.
    private var typeBytes: [UInt8] = []
    private var typeSpans: [UInt64] = Array(repeating: 0, count: 256)
    private let line = LineStorage()
    private var dates = Timestamp.DateCache()

    public init(store: EventStore) { self.init(store: store, codeSlots: 0) }

    /// A transcoder whose cache of dossier codes has `codeSlots` slots (a
    /// power of two; tests make it tiny), or 0: sized at first use.
    package init(store: EventStore, codeSlots: Int) {
        precondition(codeSlots >= 0 && codeSlots & (codeSlots - 1) == 0, "codeSlots must be a power of two, or 0")
        self.store = store
        self.codeSlots = codeSlots
        sizesCodeCache = codeSlots == 0
        for type in EventType.allCases {
            var w = JSONWriter(capacity: 48)
            w.key("type")
            w.string(type.name)
            typeSpans[Int(type.rawValue)] = UInt64(typeBytes.count) << 16 | UInt64(w.bytes.count)
            typeBytes.append(contentsOf: w.bytes)
        }
    }

    /// Appends the output line of the record `raw` stored at `seq` (no newline).
    /// - Throws: `LedgerError(.corrupt)` naming the seq when the bytes do not decode.
    public mutating func append(_ raw: UnsafeRawBufferPointer, seq: UInt64, to w: inout JSONWriter, in txn: Transaction) throws {
        try append(try store.view(raw, seq: seq), to: &w, in: txn)
    }

    /// Appends the output line of `view`, read in `txn` (no newline).
    /// - Throws: `LedgerError(.corrupt)` naming the seq when `data` does not decode.
    public mutating func append(_ view: RecordView, to w: inout JSONWriter, in txn: Transaction) throws {
        try render(view, hashForm: false, in: txn) { w.bytes.append(contentsOf: $0) }
    }

    /// Appends the output line of the event at `seq` (no newline); false when there is none.
    public mutating func appendLine(seq: UInt64, to w: inout JSONWriter, in txn: Transaction) throws -> Bool {
        guard let raw = try txn.get(store.tables.events, key: Key.u64(seq)) else { return false }
        try append(raw, seq: seq, to: &w, in: txn)
        return true
    }

    /// The hash the record `view` must carry after `previous`: SHA-256 over
    /// `previous` and `CanonicalEncoding.hashForm`, written here from the
    /// binary record. The same digest `RecordedEvent.chainedHash(previous:)`
    /// gives for `EventStore.decode` of the same bytes.
    /// - Throws: `LedgerError(.corrupt)` naming the seq when the bytes do not decode.
    public mutating func chainedHash(_ view: RecordView, previous: SHA256.Digest, in txn: Transaction) throws -> SHA256.Digest {
        try withHashForm(view, in: txn) { form in
            var h = SHA256()
            previous.withUnsafeBytes { h.update($0) }
            h.update(form)
            return h.finalize()
        }
    }

    /// Calls `body` with `CanonicalEncoding.hashForm` of the record `view`
    /// (the bytes the chain hashes after the previous hash), written from
    /// the binary record; the bytes are valid only during `body`.
    /// - Throws: `LedgerError(.corrupt)` naming the seq when the bytes do not decode.
    public mutating func withHashForm<R>(_ view: RecordView, in txn: Transaction, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try render(view, hashForm: true, in: txn, body)
    }

    /// Writes the output line of `view` (or its hash form) into the line buffer and lends it to `body`.
    private mutating func render<R>(_ view: RecordView, hashForm: Bool, in txn: Transaction, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let line = self.line
        line.sink.count = 0
        do {
            if hashForm { try writeHashForm(view, to: &line.sink, in: txn) } else { try write(view, to: &line.sink, in: txn) }
        } catch let e as RecordDecodingError {
            throw store.undecodable(seq: view.seq, e)
        }
        return try body(UnsafeRawBufferPointer(start: line.sink.base, count: line.sink.count))
    }

    // MARK: The hash form

    /// `CanonicalEncoding.hashForm`: members in the byte order of their keys
    /// (actor, at, data, dossier, expectedVersion, id, recordedAt, seq, type,
    /// version), `data` sorted at every depth.
    private mutating func writeHashForm(_ v: RecordView, to o: inout ByteSink, in txn: Transaction) throws {
        o.append("{")
        if v.actorID != 0 {
            o.append("\"actor\":")
            try appendString(v.actorID, to: &o, in: txn)
            o.append(",")
        }
        o.append("\"at\":\"")
        o.appendTimestamp(v.at, dates: &dates)
        o.append("\"")
        // The id is checked before data, as `decode` does, so both report the same first fault.
        let idKind = v.id.map(UTF8Text.classify)
        if idKind == .invalid { throw RecordDecodingError(reason: "id is not valid UTF-8") }
        o.append(",\"data\":")
        try writeData(v, sortedKeys: true, to: &o, in: txn)
        if v.isDossierEvent {
            o.append(",\"dossier\":")
            try appendCode(v.dossierNumber, to: &o, in: txn)
        }
        if let ev = v.expectedVersion {
            o.append(",\"expectedVersion\":")
            o.appendDecimal(UInt64(ev))
        }
        if let id = v.id, let idKind {
            o.append(",\"id\":")
            Self.appendText(id, idKind, to: &o)
        }
        o.append(",\"recordedAt\":\"")
        o.appendTimestamp(v.recordedAt, dates: &dates)
        o.append("\",\"seq\":")
        o.appendDecimal(v.seq)
        appendType(v.type, to: &o)
        if v.isDossierEvent {
            o.append(",\"version\":")
            o.appendDecimal(UInt64(v.version))
        }
        o.append("}")
        try Self.checkYears(v.at, "at")
        try Self.checkYears(v.recordedAt, "recordedAt")
    }

    // MARK: The line

    private mutating func write(_ v: RecordView, to o: inout ByteSink, in txn: Transaction) throws {
        o.append("{\"seq\":")
        o.appendDecimal(v.seq)
        appendType(v.type, to: &o)
        if v.isDossierEvent {
            o.append(",\"dossier\":")
            try appendCode(v.dossierNumber, to: &o, in: txn)
            o.append(",\"version\":")
            o.appendDecimal(UInt64(v.version))
        }
        o.append(",\"at\":\"")
        o.appendTimestamp(v.at, dates: &dates)
        o.append("\"")
        if v.actorID != 0 {
            o.append(",\"actor\":")
            try appendString(v.actorID, to: &o, in: txn)
        }
        // The id is checked before data, as `decode` does, so both report the same first fault.
        let idKind = v.id.map(UTF8Text.classify)
        if idKind == .invalid { throw RecordDecodingError(reason: "id is not valid UTF-8") }
        o.append(",\"data\":")
        try writeData(v, sortedKeys: false, to: &o, in: txn)
        if let id = v.id, let idKind {
            o.append(",\"id\":")
            Self.appendText(id, idKind, to: &o)
        }
        if let ev = v.expectedVersion {
            o.append(",\"expectedVersion\":")
            o.appendDecimal(UInt64(ev))
        }
        o.append(",\"recordedAt\":\"")
        o.appendTimestamp(v.recordedAt, dates: &dates)
        o.append("\",\"hash\":\"")
        o.reserve(2 * v.hash.count)
        JSONWriter.writeHex(v.hash, to: o.end)
        o.count += 2 * v.hash.count
        o.append("\"}")
        // Checked last, so any other fault is reported first, as `decode` reports it.
        try Self.checkYears(v.at, "at")
        try Self.checkYears(v.recordedAt, "recordedAt")
    }

    /// The record's `data` object; with `sortedKeys`, members sorted by the
    /// UTF-8 bytes of their keys at every depth (`JSONWriter.object(_:sortedKeys:)`).
    private mutating func writeData(_ v: RecordView, sortedKeys: Bool, to o: inout ByteSink, in txn: Transaction) throws {
        var (count, reader) = try DataReader.object(v.data)
        try writeObject(count: count, &reader, sortedKeys: sortedKeys, to: &o, in: txn)
        guard reader.isAtEnd else {
            throw RecordDecodingError(reason: "\(v.data.count - reader.reader.offset) unexpected bytes after the record")
        }
    }

    private mutating func writeObject(count: Int, _ r: inout DataReader, sortedKeys: Bool, to o: inout ByteSink, in txn: Transaction) throws {
        guard sortedKeys, count > 1 else {
            o.append("{")
            for i in 0..<count {
                if i > 0 { o.append(",") }
                let (key, value) = try r.member()
                try appendString(key, to: &o, in: txn)
                o.append(":")
                try writeValue(value, sortedKeys: sortedKeys, to: &o, in: txn)
            }
            o.append("}")
            return
        }
        try withUnsafeTemporaryAllocation(of: (keyID: UInt32, value: DataValue).self, capacity: count) { members in
            for i in 0..<count {
                let member = try r.member()
                if Int(member.keyID) >= stringEnds.count { try loadStrings(through: member.keyID, in: txn) }
                // Insertion sort: objects have a few members, usually already in order.
                var j = i
                while j > 0, keyPrecedes(member.keyID, members[j - 1].keyID) {
                    (members.baseAddress! + j).initialize(to: members[j - 1])
                    j -= 1
                }
                (members.baseAddress! + j).initialize(to: member)
            }
            o.append("{")
            for i in 0..<count {
                if i > 0 { o.append(",") }
                try appendString(members[i].keyID, to: &o, in: txn)
                o.append(":")
                try writeValue(members[i].value, sortedKeys: true, to: &o, in: txn)
            }
            o.append("}")
        }
    }

    /// Whether string `a`'s UTF-8 bytes sort before string `b`'s (both cached).
    private func keyPrecedes(_ a: UInt32, _ b: UInt32) -> Bool {
        let (a0, a1) = (rawStringEnds[Int(a) - 1], rawStringEnds[Int(a)])
        let (b0, b1) = (rawStringEnds[Int(b) - 1], rawStringEnds[Int(b)])
        return rawStringBytes.withUnsafeBufferPointer { raw in
            UnsafeBufferPointer(rebasing: raw[a0..<a1]).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: raw[b0..<b1]))
        }
    }

    private mutating func writeValue(_ v: DataValue, sortedKeys: Bool, to o: inout ByteSink, in txn: Transaction) throws {
        switch v {
        case .null: o.append("null")
        case .bool(let b): b ? o.append("true") : o.append("false")
        case .int(let i):
            o.reserve(JSONWriter.maxIntBytes)
            o.count += JSONWriter.writeInt(i, to: o.end)
        case .double(let d): JSONWriter.withDoubleText(d) { o.append(UnsafeRawBufferPointer($0)) }
        case .text(let bytes):
            let kind = UTF8Text.classify(bytes)
            if kind == .invalid { throw RecordDecodingError(reason: "text is not valid UTF-8") }
            Self.appendText(bytes, kind, to: &o)
        case .interned(let id): try appendString(id, to: &o, in: txn)
        case .list(let count, var reader):
            o.append("[")
            for i in 0..<count {
                if i > 0 { o.append(",") }
                try writeValue(try reader.value(), sortedKeys: sortedKeys, to: &o, in: txn)
            }
            o.append("]")
        case .object(let count, var reader):
            try writeObject(count: count, &reader, sortedKeys: sortedKeys, to: &o, in: txn)
        }
    }

    /// A timestamp outside the local years 0000–9999 is damage: no input gives one, and its text would be wrong.
    private static func checkYears(_ t: Timestamp, _ field: StaticString) throws(RecordDecodingError) {
        let local = t.seconds &+ Int64(t.offsetMinutes) &* 60
        guard local >= -62_167_219_200 && local <= 253_402_300_799 else {
            throw RecordDecodingError(reason: "\(field) (\(t.seconds) s) is outside the years 0000–9999")
        }
    }

    /// Inline text of the `kind` that `UTF8Text.classify` gave (not `.invalid`),
    /// quoted and escaped as `JSONWriter.string`.
    private static func appendText(_ bytes: UnsafeRawBufferPointer, _ kind: UTF8Text.Kind, to o: inout ByteSink) {
        switch kind {
        case .plain:
            o.reserve(bytes.count + 2)
            o.append("\"")
            o.append(bytes)
            o.append("\"")
        case .needsEscapes, .invalid:
            var w = JSONWriter(capacity: bytes.count + 16)
            w.string(utf8: bytes.bindMemory(to: UInt8.self))
            w.bytes.withUnsafeBytes { o.append($0) }
        }
    }

    // MARK: Caches

    /// `,"type":"…"` of `type`.
    private func appendType(_ type: EventType, to o: inout ByteSink) {
        let span = typeSpans[Int(type.rawValue)]
        Self.copy(typeBytes, start: Int(span >> 16), count: Int(span & 0xFFFF), to: &o)
    }

    @inline(__always) private static func copy(_ bytes: [UInt8], start: Int, count: Int, to o: inout ByteSink) {
        bytes.withUnsafeBytes { o.append(UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
    }

    private mutating func appendString(_ id: UInt32, to o: inout ByteSink, in txn: Transaction) throws {
        let i = Int(id)
        if i >= stringEnds.count {
            try loadStrings(through: id, in: txn)
        }
        let (start, end) = (stringEnds[i - 1], stringEnds[i])
        Self.copy(stringBytes, start: start, count: end - start, to: &o)
    }

    /// Quotes the string table's entries past the cache, reading the table again.
    private mutating func loadStrings(through id: UInt32, in txn: Transaction) throws {
        let texts = try store.stringTexts(in: txn)
        guard id >= 1, Int(id) <= texts.count else {
            throw LedgerError(.corrupt, "string id \(id) is not in the string table")   // as `text(ofString:)`
        }
        var w = JSONWriter(capacity: 64)
        for text in texts[(stringEnds.count - 1)...] {
            w.bytes.removeAll(keepingCapacity: true)
            w.string(text)
            stringBytes.append(contentsOf: w.bytes)
            stringEnds.append(stringBytes.count)
            rawStringBytes.append(contentsOf: text.utf8)
            rawStringEnds.append(rawStringBytes.count)
        }
    }

    /// Loads the cache slots of the codes of `views`' dossiers, before
    /// their forms are written: at a busy year's hundreds of thousands of
    /// dossiers in flight a slot is most often out of the CPU's caches, and
    /// loads made side by side wait for memory together, not one after
    /// another.
    package mutating func loadCodeSlots(of views: [RecordView]) {
        guard !codeSlotBytes.isEmpty else { return }
        codeSlotsLoaded = codeSlotBytes.withUnsafeBytes { slots in
            var sum: UInt8 = 0
            for v in views { sum &+= slots[codeSlot(of: v.dossierNumber)] }
            return sum
        }
    }

    /// Where the slot of dossier number `number` begins in `codeSlotBytes`.
    @inline(__always) private func codeSlot(of number: UInt32) -> Int {
        codeSlotOrigin + (Int(number) & (codeSlots - 1)) * Self.codeSlotWidth
    }

    private mutating func appendCode(_ number: UInt32, to o: inout ByteSink, in txn: Transaction) throws {
        if codeSlotBytes.isEmpty || sizesCodeCache && codeSlots < Self.maximumCodeSlots && Int(number) > 2 * codeSlots {
            if sizesCodeCache {
                let dossiers = max(try store.dossierCount(in: txn), Int(number))
                codeSlots = 1 << 10
                while codeSlots < dossiers, codeSlots < Self.maximumCodeSlots { codeSlots <<= 1 }
            }
            // One slot more than used: the first begins on a cache line, at most a slot into the storage.
            codeSlotBytes = Array(repeating: 0xFF, count: (codeSlots + 1) * Self.codeSlotWidth)
            codeSlotOrigin = codeSlotBytes.withUnsafeBytes { -Int(bitPattern: $0.baseAddress) & (Self.codeSlotWidth - 1) }
        }
        let base = codeSlot(of: number)
        let cached = codeSlotBytes.withUnsafeBytes { slots -> Bool in
            // 0xFFFFFFFF marks an empty slot.
            guard number != .max, slots.loadUnaligned(fromByteOffset: base, as: UInt32.self) == number else { return false }
            o.append(UnsafeRawBufferPointer(rebasing: slots[(base + 5)..<(base + 5 + Int(slots[base + 4]))]))
            return true
        }
        if cached { return }
        var w = JSONWriter(capacity: 32)
        w.string(try store.dossierCode(number: number, in: txn))
        w.bytes.withUnsafeBytes { o.append($0) }
        guard w.bytes.count <= Self.codeSlotWidth - 5 else { return }   // longer than codes are made: not cached
        codeSlotBytes.withUnsafeMutableBytes { slots in
            slots.storeBytes(of: number, toByteOffset: base, as: UInt32.self)
            slots[base + 4] = UInt8(w.bytes.count)
            w.bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: slots[(base + 5)...]).copyMemory(from: $0) }
        }
    }
}

extension EventStore {
    /// The view of the record `raw` stored at `seq`.
    /// - Throws: `LedgerError(.corrupt)` naming the seq when its header does not decode.
    public func view(_ raw: UnsafeRawBufferPointer, seq: UInt64) throws(LedgerError) -> RecordView {
        do { return try RecordView(raw, seq: seq) } catch { throw undecodable(seq: seq, error) }
    }

    /// The error `decode` gives for bytes that do not decode.
    func undecodable(seq: UInt64, _ error: RecordDecodingError) -> LedgerError {
        LedgerError(.corrupt, "\(path): seq \(seq): stored bytes do not decode: \(error.reason)")
    }
}

/// Sorts inline text for the transcoder in one pass.
enum UTF8Text {
    enum Kind: Equatable {
        /// Not well-formed UTF-8: `String(validating:)` refuses it.
        case invalid
        /// UTF-8 with no byte `JSONWriter.string` escapes: it goes between quotes as is.
        case plain
        /// UTF-8 with a control character, `"` or `\`.
        case needsEscapes
    }

    /// Well-formedness as Unicode's table 3-7 defines it (what `String(validating:as: UTF8.self)`
    /// accepts): no overlong forms, surrogates or code points past U+10FFFF.
    static func classify(_ b: UnsafeRawBufferPointer) -> Kind {
        var plain = true
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c < 0x20 || c == 0x22 || c == 0x5C { plain = false }
                i += 1
                continue
            }
            let trailing: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: trailing = 2; low = 0xA0
            case 0xED: trailing = 2; high = 0x9F
            case 0xE1...0xEF: trailing = 2
            case 0xF0: trailing = 3; low = 0x90
            case 0xF4: trailing = 3; high = 0x8F
            case 0xF1...0xF3: trailing = 3
            default: return .invalid
            }
            guard trailing < n - i, b[i + 1] >= low, b[i + 1] <= high else { return .invalid }
            var k = 2
            while k <= trailing {
                guard b[i + k] & 0xC0 == 0x80 else { return .invalid }
                k += 1
            }
            i += trailing + 1
        }
        return plain ? .plain : .needsEscapes
    }
}

/// A growable byte buffer written through a raw pointer: the line being
/// transcoded. It owns its memory alone (non-copyable), and frees it when it goes.
struct ByteSink: ~Copyable {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    /// Where the next byte goes; `reserve` room first.
    var end: UnsafeMutablePointer<UInt8> { base + count }

    @inline(__always) mutating func reserve(_ n: Int) {
        if capacity - count < n { grow(n) }
    }

    @inline(never) mutating func grow(_ n: Int) {
        let newCapacity = max(2 * capacity, count + n)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always) mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let from = bytes.baseAddress { UnsafeMutableRawPointer(end).copyMemory(from: from, byteCount: bytes.count) }
        count += bytes.count
    }

    @inline(__always) mutating func appendDecimal(_ v: UInt64) {
        reserve(20)
        count += JSONWriter.writeDecimal(v, to: end)
    }

    @inline(__always) mutating func appendTimestamp(_ t: Timestamp, dates: inout Timestamp.DateCache) {
        reserve(Timestamp.maxTextBytes)
        count += t.write(to: end, dates: &dates)
    }

    @inline(__always) mutating func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}

/// The line buffer of a transcoder, shared by its copies (a transcoder is a
/// value; the buffer it writes each line into is reused, not copied).
/// A transcoder is used from one thread and lends the buffer to one line
/// at a time, so accesses never overlap: they are not checked at run time.
final class LineStorage {
    @exclusivity(unchecked) var sink = ByteSink(capacity: 1024)
}
