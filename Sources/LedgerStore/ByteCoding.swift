/// Appends the primitives of the binary record format to a byte array.
public struct ByteWriter {
    public var bytes: [UInt8] = []

    @inlinable public init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    @inlinable @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }

    /// LEB128 unsigned varint.
    @inlinable @inline(__always) public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// Zig-zag signed varint.
    @inlinable @inline(__always) public mutating func svarint(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    @inlinable public mutating func blob(_ s: String) {
        var s = s
        s.withUTF8 { varint(UInt64($0.count)); bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    @inlinable public mutating func double(_ d: Double) {
        let bits = d.bitPattern
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(k)))) }
    }
}

/// Why stored bytes could not be decoded.
public struct RecordDecodingError: Error, Sendable, CustomStringConvertible {
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

    @inlinable public mutating func u8() throws(RecordDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw RecordDecodingError(reason: "record ends early at byte \(offset)") }
        defer { offset += 1 }
        return buffer[offset]
    }

    @inlinable public mutating func varint() throws(RecordDecodingError) -> UInt64 {
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

    @inlinable public mutating func svarint() throws(RecordDecodingError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inlinable public mutating func bytes(_ n: Int) throws(RecordDecodingError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= buffer.count - offset else { throw RecordDecodingError(reason: "length \(n) runs past the record at byte \(offset)") }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])
    }

    public mutating func blob() throws(RecordDecodingError) -> String {
        let n = try varint()
        guard n <= UInt64(buffer.count) else { throw RecordDecodingError(reason: "length \(n) runs past the record at byte \(offset)") }
        let b = try bytes(Int(n))
        guard let s = String(validating: b.bindMemory(to: UInt8.self), as: UTF8.self) else {
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
    public static func u32u32(_ a: UInt32, _ b: UInt32) -> [UInt8] { u32(a) + u32(b) }

    public static func readU64(_ b: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(b[offset + k]) }
        return v
    }

    public static func readU32(_ b: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 8 | UInt32(b[offset + k]) }
        return v
    }
}
