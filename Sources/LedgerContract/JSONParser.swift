/// Why a line is not JSON, and where (0-based byte offset in the line).
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "malformed JSON at byte \(offset + 1): \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes: one value, nothing after it
/// but whitespace. Strings must be valid UTF-8; nesting is limited to
/// `maxDepth` so no input can exhaust the stack.
///
/// - Complexity: O(n) in the input bytes.
public struct JSONParser {
    public static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var p = JSONParser(buffer)
        try p.refuseByteOrderMark()
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.i != buffer.count { throw p.fail("unexpected text after the value") }
        return v
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { b in
            do throws(JSONSyntaxError) { return .success(try parse(b)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// A member's value in a line's top-level object (`parseLineObject`).
    package enum LineValue {
        /// A string of ASCII without escapes nor control characters: its bytes, in the line.
        case text(UnsafeBufferPointer<UInt8>)
        /// Any other value, built.
        case value(JSONValue)
    }

    /// Parses `buffer` as `parse(_:)` does (the same checks, the same
    /// errors), for a line whose value is an object, without building the
    /// object: hands each member to `member`, in order, with its name and
    /// value (strings of plain ASCII left as their bytes), before the rest
    /// of the line is parsed. Each name is first shown to `isRepeated`:
    /// true refuses it as a repeat of one before; else its value is parsed
    /// and `member` called, before the next name is shown. Returns false
    /// when the value is not an object (nothing handed).
    package static func parseLineObject(_ buffer: UnsafeBufferPointer<UInt8>, isRepeated: (_ name: String) -> Bool,
                                        member: (_ name: String, _ value: LineValue) -> Void) throws(JSONSyntaxError) -> Bool {
        var p = JSONParser(buffer)
        try p.refuseByteOrderMark()
        p.skipWhitespace()
        guard p.i < buffer.count, buffer[p.i] == UInt8(ascii: "{") else {
            _ = try parse(buffer)   // its syntax errors first, as for any line
            return false
        }
        try p.parseMembers { p, name, nameOffset throws(JSONSyntaxError) in
            if isRepeated(name) { throw Self.repeated(name, at: nameOffset) }
            try p.skipColon()
            let value: LineValue
            if p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "\""), let text = p.plainText() {
                value = .text(text)
            } else {
                value = .value(try p.parseValue(depth: 1))
            }
            member(name, value)
        }
        p.skipWhitespace()
        if p.i != buffer.count { throw p.fail("unexpected text after the value") }
        return true
    }

    /// Refuses a UTF-8 byte order mark at the start of the input.
    private func refuseByteOrderMark() throws(JSONSyntaxError) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw fail("a UTF-8 byte order mark (EF BB BF) before the JSON; save the file as UTF-8 without it")
        }
    }

    /// The string at `i` (on its quote) when it is ASCII without escapes
    /// nor control characters, with `i` moved past it; else nil, `i` unmoved.
    private mutating func plainText() -> UnsafeBufferPointer<UInt8>? {
        var j = i + 1
        while j < bytes.count {
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                defer { i = j + 1 }
                return UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
            }
            if c >= 0x80 || c < 0x20 || c == UInt8(ascii: "\\") { return nil }
            j += 1
        }
        return nil
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: i) }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else {
            throw fail("expected \(word)")
        }
        i += w.count
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of line") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
            return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
            i += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard i < bytes.count else { throw fail("unterminated list") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']' in a list")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        var members: [JSONMember] = []
        try parseMembers { p, key, keyOffset throws(JSONSyntaxError) in
            if members.contains(where: { $0.key.hasSameUTF8(as: key) }) {   // names are their bytes: é and e + U+0301 are two names
                throw Self.repeated(key, at: keyOffset)
            }
            try p.skipColon()
            if members.isEmpty { members.reserveCapacity(4) }   // one allocation for the usual object, not one per member
            members.append(JSONMember(key: key, value: try p.parseValue(depth: depth)))
        }
        return JSONObject(members: members)
    }

    private static func repeated(_ name: String, at offset: Int) -> JSONSyntaxError {
        JSONSyntaxError(message: "member \"\(name)\" appears twice", offset: offset)
    }

    /// Moves `i` past the colon after a member's name and the whitespace around it.
    private mutating func skipColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
        i += 1
        skipWhitespace()
    }

    /// Parses the object at `i` (on its `{`), leaving `i` past its `}`:
    /// for each member, its name and where the name begins go to `member`,
    /// which parses the rest of the member from `i` (`skipColon`, then the value).
    @inline(__always)
    private mutating func parseMembers(_ member: (inout JSONParser, _ name: String, _ nameOffset: Int) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        i += 1
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let keyOffset = i
            let key = try parseString()
            try member(&self, key, keyOffset)
            skipWhitespace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}' in an object")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        i += 1
        let start = i
        var sawNonASCII = false
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                if !sawNonASCII { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONSyntaxError(message: "string is not valid UTF-8", offset: start)
                }
                return s
            }
            if c >= 0x80 { sawNonASCII = true }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character (byte \(c)) inside a string must be escaped") }
            i += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONSyntaxError(message: "string is not valid UTF-8", offset: start)
                }
                return s
            }
            if c < 0x20 { throw fail("control character (byte \(c)) inside a string must be escaped") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            switch bytes[i] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u") else {
                        throw fail("lone UTF-16 surrogate in \\u escape")
                    }
                    i += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid UTF-16 surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone UTF-16 surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default: throw fail("invalid escape")
            }
            i += 1
        }
        throw JSONSyntaxError(message: "unterminated string", offset: start - 1)
    }

    /// Reads the four hex digits after `\u`; leaves `i` on the last digit.
    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 < bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = bytes[i + k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, (48...57).contains(bytes[i]) else { throw fail("invalid number") }
        if bytes[i] == 48 {
            i += 1
            if i < bytes.count, (48...57).contains(bytes[i]) { throw fail("leading zero in a number") }
        } else {
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
        }
        var integral = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard i < bytes.count, (48...57).contains(bytes[i]) else { throw fail("expected digits after '.'") }
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, (48...57).contains(bytes[i]) else { throw fail("expected digits in the exponent") }
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if integral {
            // Stored as a double it would come back rounded: refused rather than altered.
            guard let v = Int64(text) else {
                throw JSONSyntaxError(message: "integer \(text) is beyond 64 bits (±9223372036854775807): it would not come back as given; write it as a string", offset: start)
            }
            return .int(v)
        }
        guard let d = Double(text), d.isFinite else {
            throw JSONSyntaxError(message: "number out of range", offset: start)
        }
        return .double(d)
    }
}
