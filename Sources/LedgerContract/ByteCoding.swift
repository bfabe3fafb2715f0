#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends the primitives of the binary record format to a growable buffer;
/// each write checks room once and stores bytes through a pointer.
///
/// Not copyable: a writer owns its buffer alone (pass it `inout`, or move
/// it with `consume`), so a write never has to ask whether another copy
/// shares the bytes. Not thread-safe; one writer per encoding loop.
public struct ByteWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0

    @inlinable public init(capacity: Int = 128) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Calls `body` with the bytes written so far (valid only during the call).
    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The bytes written so far, where they lie: valid until the next write
    /// or `removeAll`, and while the writer lives.
    @inlinable public var unsafeBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets the bytes written, keeping the buffer for the next ones.
    @inlinable public mutating func removeAll() { count = 0 }

    /// Bytes written so far.
    @inlinable public var byteCount: Int { count }

    /// Room for `n` more bytes; returns where they go.
    @inlinable @inline(__always) mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(count &+ n > capacity) { grow(n) }
        return base + count
    }

    @usableFromInline @inline(never) mutating func grow(_ n: Int) {
        let newCapacity = Swift.max(2 * capacity, count + n)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = newCapacity
    }

    @inlinable @inline(__always) public mutating func u8(_ v: UInt8) {
        room(1).pointee = v
        count &+= 1
    }

    /// LEB128 unsigned varint.
    @inlinable @inline(__always) public mutating func varint(_ v: UInt64) {
        count &+= Self.writeVarint(v, to: room(Self.maxVarintBytes))
    }

    /// The most bytes a varint takes.
    public static let maxVarintBytes = 10

    /// Writes `v`'s LEB128 varint at `p` (room for `maxVarintBytes`); returns how many bytes.
    @inlinable @inline(__always) public static func writeVarint(_ v: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var v = v
        var n = 0
        while v >= 0x80 { p[n] = UInt8(truncatingIfNeeded: v) | 0x80; v >>= 7; n &+= 1 }
        p[n] = UInt8(truncatingIfNeeded: v)
        return n &+ 1
    }

    /// Zig-zag signed varint.
    @inlinable @inline(__always) public mutating func svarint(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    /// Length (varint) and UTF-8 bytes; the bytes are copied inline (this is
    /// `String.withUTF8Bytes` written out), since row encoding calls it for every string.
    @inlinable public mutating func blob(_ s: String) {
        let lent: Void? = s.utf8.withContiguousStorageIfAvailable { raw(UnsafeRawBufferPointer($0), withLength: true) }
        if lent == nil {
            var s = s
            s.withUTF8 { raw(UnsafeRawBufferPointer($0), withLength: true) }
        }
    }

    @inlinable public mutating func raw(_ b: [UInt8]) {
        b.withUnsafeBytes { raw($0, withLength: false) }
    }

    @inlinable public mutating func raw(_ b: UnsafeRawBufferPointer, withLength: Bool = false) {
        if withLength { varint(UInt64(b.count)) }
        guard let from = b.baseAddress, b.count > 0 else { return }
        UnsafeMutableRawPointer(room(b.count)).copyMemory(from: from, byteCount: b.count)
        count &+= b.count
    }

    @inlinable public mutating func double(_ d: Double) {
        let p = room(8)
        let bits = d.bitPattern
        for k in 0..<8 { p[k] = UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(k))) }
        count &+= 8
    }
}

/// Why stored bytes could not be decoded.
public struct RecordDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    @inlinable public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Reads the primitives of the binary record format; every read is bounds
/// checked so damaged bytes give an error, never a crash.
public struct ByteReader {
    public let buffer: UnsafeRawBufferPointer
    public var offset = 0

    @inlinable public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inlinable public var isAtEnd: Bool { offset == buffer.count }

    // The reads below are inlined into the scans; the errors are built out
    // of line (`endsEarly`, `varintSlow`, `runsPast`) so that the fast paths
    // stay small.

    @inlinable @inline(__always) public mutating func u8() throws(RecordDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw endsEarly() }
        let b = buffer[offset]
        offset &+= 1
        return b
    }

    @usableFromInline @inline(never) func endsEarly() -> RecordDecodingError {
        RecordDecodingError(reason: "record ends early at byte \(offset)")
    }

    /// LEB128 unsigned varint: one byte inline, longer ones in
    /// `varintOfSeveralBytes`; a varint that runs past the record or past
    /// 64 bits is read again by `varintSlow` for its error.
    @inlinable @inline(__always) public mutating func varint() throws(RecordDecodingError) -> UInt64 {
        let i = offset
        let n = buffer.count
        if _fastPath(i < n) {
            let b = buffer[i]
            if b < 0x80 { offset = i &+ 1; return UInt64(b) }   // most varints are one byte
        }
        return try varintOfSeveralBytes()
    }

    /// A varint of two bytes or more (instants, seqs), out of line: while
    /// ten bytes are left it reads them without a bounds check per byte.
    @usableFromInline @inline(never)
    mutating func varintOfSeveralBytes() throws(RecordDecodingError) -> UInt64 {
        let i = offset
        if buffer.count &- i >= 10, let base = buffer.baseAddress {
            let p = base + i
            var result = UInt64(p.load(as: UInt8.self) & 0x7F)
            var k = 1
            while k < 10 {
                let b = p.load(fromByteOffset: k, as: UInt8.self)
                result |= UInt64(b & 0x7F) &<< UInt64(7 &* k)
                k &+= 1
                if b < 0x80 { offset = i &+ k; return result }
            }
            return try varintSlow()   // more than ten bytes: the error
        }
        var j = i
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while j < buffer.count && shift < 64 {
            let b = buffer[j]
            j &+= 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { offset = j; return result }
            shift &+= 7
        }
        return try varintSlow()
    }

    @usableFromInline @inline(never) mutating func varintSlow() throws(RecordDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw RecordDecodingError(reason: "varint too long at byte \(offset)") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inlinable @inline(__always) public mutating func svarint() throws(RecordDecodingError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inlinable @inline(__always) public mutating func bytes(_ n: Int) throws(RecordDecodingError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= buffer.count &- offset else { throw runsPast(n) }
        let start = offset
        offset &+= n
        return UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + start }, count: n)
    }

    @usableFromInline @inline(never) func runsPast(_ n: Int) -> RecordDecodingError {
        RecordDecodingError(reason: "length \(n) runs past the record at byte \(offset)")
    }

    public mutating func blob() throws(RecordDecodingError) -> String {
        let n = try varint()
        guard n <= UInt64(buffer.count) else { throw RecordDecodingError(reason: "length \(n) runs past the record at byte \(offset)") }
        let b = try bytes(Int(n))
        guard let s = String(storedUTF8: b) else {
            throw RecordDecodingError(reason: "text at byte \(offset - Int(n)) is not valid UTF-8")
        }
        return s
    }

    @inlinable public mutating func double() throws(RecordDecodingError) -> Double {
        var bits: UInt64 = 0
        for _ in 0..<8 { bits = bits << 8 | UInt64(try u8()) }
        return Double(bitPattern: bits)
    }
}

/// Big-endian fixed-width keys, so LMDB's byte order is numeric order.
public enum Key {
    public static func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    public static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    public static func u32u32(_ a: UInt32, _ b: UInt32) -> [UInt8] { withU32U32(a, b) { Array($0) } }
    /// Calls `body` with the bytes of `u32u32(a, b)`, lent for the call: no array is made.
    public static func withU32U32<R>(_ a: UInt32, _ b: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: (a.bigEndian, b.bigEndian), body)
    }

    /// LMDB's default key order: bytewise, a prefix before the longer key.
    public static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
        return c != 0 ? c < 0 : a.count < b.count
    }

    /// Whether `a` and `b` hold the same bytes: one `memcmp`, O(1) when the lengths differ.
    @inlinable
    public static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    public static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in precedes(a, b) } }
    }

    /// The order of two strings' UTF-8 bytes as keys (not `<`, which compares Unicode scalars).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.withUTF8Bytes { x in b.withUTF8Bytes { y in precedes(x, y) } }
    }

    /// The big-endian integer at `offset` of a fixed-width key or value.
    /// - Throws: `RecordDecodingError` when the bytes are not all there (damage: never read past them).
    @inlinable
    public static func readU64(_ b: UnsafeRawBufferPointer, at offset: Int = 0) throws(RecordDecodingError) -> UInt64 {
        guard offset >= 0, offset &+ 8 <= b.count else { throw shortValue(8, b.count, offset) }
        return UInt64(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The big-endian integer at `offset` (as `readU64`).
    @inlinable
    public static func readU32(_ b: UnsafeRawBufferPointer, at offset: Int = 0) throws(RecordDecodingError) -> UInt32 {
        guard offset >= 0, offset &+ 4 <= b.count else { throw shortValue(4, b.count, offset) }
        return UInt32(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @usableFromInline @inline(never)
    static func shortValue(_ width: Int, _ count: Int, _ offset: Int) -> RecordDecodingError {
        RecordDecodingError(reason: "a \(width)-byte key or value at offset \(offset) of \(count) bytes is cut short")
    }
}
