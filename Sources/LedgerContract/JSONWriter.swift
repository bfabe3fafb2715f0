/// Writes JSON text into a byte buffer: compact, UTF-8, non-ASCII left as is.
///
/// `sortedKeys` gives the canonical form the hash chain uses: members sorted
/// by the UTF-8 bytes of their keys, at every depth.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A quoted, escaped string from UTF-8 bytes (which must be valid UTF-8).
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        do {
            var start = 0
            var i = 0
            let count = utf8.count
            while i < count {
                let c = utf8[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C { i += 1; continue }
                if i > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                i += 1
                switch c {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    raw("\\u00")
                    bytes.append(hex.utf8Start[Int(c >> 4)]); bytes.append(hex.utf8Start[Int(c & 15)])
                }
            }
            if count > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A timestamp's RFC 3339 text in quotes (`Timestamp.write(to:)`).
    public mutating func timestamp(_ t: Timestamp) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maxTextBytes + 2) { buffer in
            let p = buffer.baseAddress!
            p[0] = UInt8(ascii: "\"")
            let n = t.write(to: p + 1) + 1
            p[n] = UInt8(ascii: "\"")
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n + 1))
        }
    }

    /// Lower-case hex of `digest` in quotes, written straight into the buffer.
    public mutating func hex(_ digest: SHA256.Digest) {
        digest.withUnsafeBytes { hex(bytes: $0) }
    }

    /// Lower-case hex of `raw` in quotes.
    public mutating func hex(bytes raw: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * raw.count + 2) { buffer in
            let p = buffer.baseAddress!
            p[0] = UInt8(ascii: "\"")
            Self.writeHex(raw, to: p + 1)
            p[2 * raw.count + 1] = UInt8(ascii: "\"")
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(2 * raw.count + 2)]))
        }
    }

    public mutating func int(_ i: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxIntBytes) { buffer in
            let n = Self.writeInt(i, to: buffer.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    public mutating func double(_ d: Double) {
        Self.withDoubleText(d) { bytes.append(contentsOf: $0) }
    }

    public mutating func value(_ v: JSONValue, sortedKeys: Bool = false) {
        switch v {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(item, sortedKeys: sortedKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o): object(o, sortedKeys: sortedKeys)
        }
    }

    /// Writes `o`, its members in their order or, with `sortedKeys`, in the
    /// byte order of their keys (the canonical form). Sorting orders the
    /// members' indices in a temporary buffer (on the stack for an object
    /// of the usual size), not a copy of the members.
    public mutating func object(_ o: JSONObject, sortedKeys: Bool = false) {
        bytes.append(UInt8(ascii: "{"))
        let members = o.members
        if sortedKeys, !members.isEmpty, !zip(members, members.dropFirst()).allSatisfy({ Self.keyPrecedes($0, $1) }) {
            withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { buffer in
                var order = buffer
                for i in members.indices { order[i] = i }
                order.sort { Self.keyPrecedes(members[$0], members[$1]) }
                for (n, i) in order.enumerated() { member(members[i], first: n == 0, sortedKeys: true) }
            }
        } else {
            for (n, m) in members.enumerated() { member(m, first: n == 0, sortedKeys: sortedKeys) }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private static func keyPrecedes(_ a: JSONMember, _ b: JSONMember) -> Bool {
        a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
    }

    private mutating func member(_ m: JSONMember, first: Bool, sortedKeys: Bool) {
        member(m.key, m.value, first: first, sortedKeys: sortedKeys)
    }

    /// Writes `"key":value`, after a comma unless it is the object's first
    /// member: what `object` writes for each member, for an object written
    /// a member at a time without building it.
    public mutating func member(_ key: String, _ value: JSONValue, first: Bool = false, sortedKeys: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
        self.value(value, sortedKeys: sortedKeys)
    }

    /// Writes `"key":` after a comma unless it is the object's first member.
    public mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }
}

/// The digit writers behind `int`, `double`, `hex` and transcoded output
/// lines: each number has one formatter.
extension JSONWriter {
    /// The longest `int` text: `-9223372036854775808`.
    @inlinable package static var maxIntBytes: Int { 20 }

    /// Writes the decimal text of `i` at `out` (room for `maxIntBytes`); returns how many bytes.
    @inlinable @inline(__always)
    package static func writeInt(_ i: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard i < 0 else { return writeDecimal(UInt64(i), to: out) }
        out[0] = UInt8(ascii: "-")
        return 1 + writeDecimal(i.magnitude, to: out + 1)
    }

    /// Writes the decimal digits of `v` at `out` (room for 20); returns how many.
    @inlinable @inline(__always)
    package static func writeDecimal(_ v: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 1
        var rest = v / 10
        while rest > 0 { count += 1; rest /= 10 }
        var v = v
        var k = count
        repeat { k -= 1; out[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10 } while k > 0
        return count
    }

    /// Writes the lower-case hex of `raw` at `out` (room for twice its count).
    @inlinable @inline(__always)
    package static func writeHex(_ raw: UnsafeRawBufferPointer, to out: UnsafeMutablePointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        let d = digits.utf8Start
        for k in 0..<raw.count {
            let b = raw[k]
            out[2 * k] = d[Int(b >> 4)]
            out[2 * k + 1] = d[Int(b & 15)]
        }
    }

    /// Calls `body` with the JSON text of `d`: an integral double below 1e15
    /// keeps a fraction (`5.0`) so it reads back as a double; others are
    /// Swift's shortest round-tripping text.
    @inlinable @inline(__always)
    package static func withDoubleText<R>(_ d: Double, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if d.rounded() == d && abs(d) < 1e15 {
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxIntBytes + 2) { buffer in
                let p = buffer.baseAddress!
                var n = writeInt(Int64(d), to: p)
                p[n] = UInt8(ascii: "."); p[n + 1] = UInt8(ascii: "0"); n += 2
                return try body(UnsafeBufferPointer(rebasing: buffer[..<n]))
            }
        }
        var text = d.description
        return try text.withUTF8(body)
    }
}
