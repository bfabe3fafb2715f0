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

    /// A timestamp's RFC 3339 text in quotes.
    public mutating func timestamp(_ t: Timestamp) {
        bytes.append(UInt8(ascii: "\""))
        t.write(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Lower-case hex of `digest` in quotes, written straight into the buffer.
    public mutating func hex(_ digest: SHA256.Digest) {
        digest.bytes.withUnsafeBytes { hex(bytes: $0) }
    }

    /// Lower-case hex of `raw` in quotes.
    public mutating func hex(bytes raw: UnsafeRawBufferPointer) {
        let digits: StaticString = "0123456789abcdef"
        bytes.append(UInt8(ascii: "\""))
        for b in raw {
            bytes.append(digits.utf8Start[Int(b >> 4)])
            bytes.append(digits.utf8Start[Int(b & 15)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func int(_ i: Int64) {
        if i < 0 {
            bytes.append(UInt8(ascii: "-"))
            if i == .min { raw("9223372036854775808"); return }
        }
        var v = i.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[19 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            bytes.append(contentsOf: d[(20 - n)...])
        }
    }

    public mutating func double(_ d: Double) {
        if d.rounded() == d && abs(d) < 1e15 {
            // An integral double keeps a fraction so it reads back as a double.
            raw(String(Int64(d))); raw(".0")
        } else {
            raw(d.description)
        }
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

    public mutating func object(_ o: JSONObject, sortedKeys: Bool = false) {
        bytes.append(UInt8(ascii: "{"))
        let members = sortedKeys ? o.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : o.members
        for (i, m) in members.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(m.key)
            bytes.append(UInt8(ascii: ":"))
            value(m.value, sortedKeys: sortedKeys)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes `"key":` after a comma unless it is the object's first member.
    public mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }
}
