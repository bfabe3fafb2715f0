/// A streaming reader of XML elements (what an XES log is made of): start
/// tags with their attributes, end tags, the end of the document. It reads
/// its source a piece at a time, keeping one piece and the construct being
/// read in memory, and checks well-formedness as it goes: tags that match,
/// one root, attribute syntax, entity references, UTF-8, nothing cut short.
/// Text between elements, comments, processing instructions, CDATA sections
/// and the document type declaration are skipped (XES carries none of its
/// data in them).
///
/// Work is linear in the input: each byte is looked at a bounded number of
/// times. Positions are lines and columns (in characters) of the input,
/// from 1. The reader owns its buffer, so it is not copyable.
struct XMLReader: ~Copyable {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let column: Int
        let reason: String
        var description: String { "line \(line), column \(column): \(reason)" }
    }

    enum Item {
        /// A start tag; `selfClosing` for `<name …/>` (no end tag follows).
        /// Its attributes are `attributes` until the next call.
        case start(name: String, selfClosing: Bool)
        case end(name: String)
        case endOfDocument
    }

    /// The longest single construct accepted (a tag with its attributes, a comment).
    static var maxConstructBytes: Int { 64 << 20 }

    /// The attributes of the last start tag, in document order.
    private(set) var attributes: [(name: String, value: String)] = []

    private var source: AnySource
    /// Input bytes `start..<end` are read but not consumed.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 1 << 18
    private var start = 0, end = 0
    private var ended = false
    /// The line of `start`.
    private(set) var line = 1
    /// The column of buffer index `mark` (≤ `start`); columns past it are counted when asked for.
    private var mark = 0, columnAtMark = 1
    /// The open elements, innermost last, with where each opened.
    private var open: [(name: String, line: Int, column: Int)] = []
    private var sawRoot = false
    /// An attribute value being decoded (entity references, white space).
    private var scratch: [UInt8] = []
    /// Recently read names and values too long for Swift's inline strings,
    /// by a hash of their bytes: a log repeats its keys, activities and
    /// resources, which then share one string instead of each allocating its own.
    private var recent = [String?](repeating: nil, count: 1024)
    /// Bytes read from the source so far (for progress).
    private(set) var bytesRead = 0

    init(_ source: AnySource) {
        self.source = source
        bytes = .allocate(capacity: capacity)
    }

    deinit { bytes.deallocate() }

    /// Where the reader is: the line and column of the next character.
    var position: (line: Int, column: Int) { (line, columnAtMark + Self.characters(bytes + mark, start - mark)) }

    /// The column of `start`, counting the characters since the last count.
    private mutating func column() -> Int {
        columnAtMark += Self.characters(bytes + mark, start - mark)
        mark = start
        return columnAtMark
    }

    private static func characters(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var count = 0
        for i in 0..<n where p[i] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    private mutating func fail(_ reason: String) -> Failure { Failure(line: line, column: column(), reason: reason) }

    /// Fails at `k` bytes past `start` (which may hold line breaks).
    private mutating func fail(at k: Int, _ reason: String) -> Failure {
        consume(k, lines: true)
        return fail(reason)
    }

    // MARK: Bytes

    /// Makes at least `n` bytes available from `start`; false when the input ends first.
    @inline(__always)
    private mutating func available(_ n: Int) throws -> Bool {
        end - start >= n ? true : try fill(n)
    }

    /// Reads until `n` bytes are available from `start`, moving the unread
    /// bytes to the front of the buffer or growing it (up to a construct's limit).
    private mutating func fill(_ n: Int) throws -> Bool {
        while end - start < n {
            if ended { return false }
            if start > 0 {
                columnAtMark += Self.characters(bytes + mark, start - mark)
                mark = 0
                if end > start { (bytes).update(from: bytes + start, count: end - start) }
                end -= start
                start = 0
            }
            if end == capacity {
                guard capacity < Self.maxConstructBytes else { throw fail("a construct longer than \(Self.maxConstructBytes) bytes") }
                let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                larger.update(from: bytes, count: end)
                bytes.deallocate()
                bytes = larger
                capacity *= 2
            }
            let got = try source.read(into: UnsafeMutableRawBufferPointer(start: bytes + end, count: capacity - end))
            if got == 0 { ended = true } else { end += got; bytesRead += got }
        }
        return true
    }

    /// Consumes `k` bytes; `lines` when they may hold line breaks.
    @inline(__always)
    private mutating func consume(_ k: Int, lines: Bool = false) {
        if lines {
            for i in start..<(start + k) where bytes[i] == 0x0A { newLine(after: i) }
        }
        start += k
    }

    @inline(__always)
    private mutating func newLine(after i: Int) {
        line += 1
        mark = i + 1
        columnAtMark = 1
    }

    private static func describe(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard try available(1) else { throw fail("the document ends where \(what) was expected") }
        guard bytes[start] == byte else { throw fail("\(what) expected, found \(Self.describe(bytes[start]))") }
        start += 1
    }

    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// Skips white space; whether there was any.
    private mutating func skipSpace() throws -> Bool {
        var skipped = false
        while true {
            if start == end, !(try fill(1)) { return skipped }
            let b = bytes[start]
            guard Self.isSpace(b) else { return skipped }
            if b == 0x0A { newLine(after: start) }
            start += 1
            skipped = true
        }
    }

    /// Whether the input at `start` starts with `text` (not consumed).
    private mutating func lookingAt(_ text: StaticString) throws -> Bool {
        let n = text.utf8CodeUnitCount
        guard try available(n) else { return false }
        for i in 0..<n where bytes[start + i] != text.utf8Start[i] { return false }
        return true
    }

    /// Consumes everything up to and including `terminator`.
    private mutating func skip(past terminator: StaticString, _ what: String) throws {
        let n = terminator.utf8CodeUnitCount
        while true {
            guard try available(n) else { throw fail(at: end - start, "the document ends inside \(what)") }
            if try lookingAt(terminator) { start += n; return }
            consume(1, lines: true)
        }
    }

    // MARK: Names and values

    @inline(__always)
    private static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A || b >= 0x80
    }

    @inline(__always)
    private static func isNameByte(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
    }

    private mutating func name(_ what: String) throws -> String {
        guard try available(1) else { throw fail("the document ends where \(what) was expected") }
        guard Self.isNameStart(bytes[start]) else { throw fail("\(what) expected, found \(Self.describe(bytes[start]))") }
        var k = 1
        var ascii = bytes[start] < 0x80
        while true {
            if start + k == end, !(try fill(k + 1)) { break }
            let b = bytes[start + k]
            guard Self.isNameByte(b) else { break }
            ascii = ascii && b < 0x80
            k += 1
        }
        guard ascii || Self.isValidUTF8(bytes + start, k) else { throw fail("\(what) is not valid UTF-8") }
        let text = string(bytes + start, k)
        start += k
        return text
    }

    /// A quoted attribute value, entity references decoded and white space normalised.
    private mutating func value() throws -> String {
        guard try available(1) else { throw fail("the document ends where a quoted attribute value was expected") }
        let quote = bytes[start]
        guard quote == 0x22 || quote == 0x27 else { throw fail("a quoted attribute value expected") }
        start += 1
        // Find the closing quote; the value is plain when it is ASCII with no reference or white space to rewrite.
        var k = 0
        var plain = true, rewritten = false
        while true {
            if start + k == end, !(try fill(k + 1)) { throw fail(at: k, "the document ends inside an attribute value") }
            let b = bytes[start + k]
            if b == quote { break }
            if b < 0x20 || b >= 0x80 || b == 0x26 || b == 0x3C {
                if b == 0x3C { throw fail(at: k, "'<' inside an attribute value") }
                if b < 0x20, b != 0x09, b != 0x0A, b != 0x0D { throw fail(at: k, "control character \(Self.codePoint(UInt32(b))) inside an attribute value (XML 1.0 allows none)") }
                plain = false
                rewritten = rewritten || b < 0x80
            }
            k += 1
        }
        let text: String
        if plain {
            text = string(bytes + start, k)
        } else if !rewritten {
            guard Self.isValidUTF8(bytes + start, k) else { throw fail("an attribute value is not valid UTF-8") }
            text = string(bytes + start, k)
        } else {
            text = try decodedValue(k)
        }
        consume(k + 1, lines: !plain)
        return text
    }

    /// `n` bytes of valid UTF-8 at `p` as a string: the one read last with
    /// the same bytes and hash slot when there is one.
    private mutating func string(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        guard n <= 64 else { return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) }
        var hash = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            hash ^= UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) &* 0xC2B2_AE3D_27D4_EB4F
            hash ^= UnsafeRawPointer(p + n - 8).loadUnaligned(as: UInt64.self) &* 0x1656_67B1_9E37_79F9
        } else {
            var x: UInt64 = 0
            for i in 0..<n { x = x << 8 | UInt64(p[i]) }
            hash ^= x &* 0xC2B2_AE3D_27D4_EB4F
        }
        let slot = Int(truncatingIfNeeded: (hash ^ hash >> 29) & 1023)
        if let known = recent[slot], known.utf8.count == n,
           known.utf8.withContiguousStorageIfAvailable({ Self.same($0.baseAddress!, p, n) }) == true {
            return known
        }
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        recent[slot] = text
        return text
    }

    @inline(__always)
    private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            guard UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) else { return false }
            i += 8
        }
        while i < n {
            guard a[i] == b[i] else { return false }
            i += 1
        }
        return true
    }

    /// The `k` bytes at `start` as an attribute value: references replaced,
    /// white space characters made spaces (attribute-value normalisation).
    private mutating func decodedValue(_ k: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < k {
            let b = bytes[start + i]
            if b == 0x26 {
                let (scalar, length) = try reference(at: i, limit: k)
                scratch.append(contentsOf: String(Character(scalar)).utf8)
                i += length
                continue
            }
            scratch.append(b == 0x0A || b == 0x09 || b == 0x0D ? 0x20 : b)
            i += 1
        }
        let valid = scratch.withUnsafeBufferPointer { Self.isValidUTF8($0.baseAddress!, $0.count) }
        guard valid else { throw fail("an attribute value is not valid UTF-8") }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// The entity or character reference at `k` bytes past `start` (its `&`),
    /// ending before `limit`: the character it names and its length in bytes.
    private mutating func reference(at k: Int, limit: Int) throws -> (Unicode.Scalar, Int) {
        var n = 1
        while true {
            guard k + n < limit else { throw fail(at: k, "an entity reference without its ';'") }
            if bytes[start + k + n] == 0x3B { break }
            guard n < 16 else { throw fail(at: k, "an entity reference that does not end") }
            n += 1
        }
        let text = String(decoding: UnsafeBufferPointer(start: bytes + start + k + 1, count: n - 1), as: UTF8.self)
        let scalar: Unicode.Scalar?
        switch text {
        case "amp": scalar = "&"
        case "lt": scalar = "<"
        case "gt": scalar = ">"
        case "quot": scalar = "\""
        case "apos": scalar = "'"
        default:
            if text.hasPrefix("#x") {
                scalar = UInt32(text.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if text.hasPrefix("#") {
                scalar = UInt32(text.dropFirst(1)).flatMap(Unicode.Scalar.init)
            } else {
                throw fail(at: k, "unknown entity &\(text);")
            }
        }
        guard let scalar, Self.isXMLCharacter(scalar.value) else {
            throw fail(at: k, "the character reference &\(text); names no character XML 1.0 allows")
        }
        return (scalar, n + 1)
    }

    /// Whether XML 1.0 allows `v` in a document (its production `Char`).
    static func isXMLCharacter(_ v: UInt32) -> Bool {
        v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    static func codePoint(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Whether `n` bytes at `p` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard i + length <= n, p[i + 1] >= low, p[i + 1] <= high else { return false }
            if length > 2 { for j in 2..<length where p[i + j] & 0xC0 != 0x80 { return false } }
            i += length
        }
        return true
    }

    // MARK: Items

    /// Skips text up to the next `<` (after the root, only white space may
    /// come); false at the end of the input.
    private mutating func skipText() throws -> Bool {
        while true {
            if start == end, !(try fill(1)) { return false }
            let b = bytes[start]
            if b == 0x3C { return true }
            if Self.isSpace(b) {
                if b == 0x0A { newLine(after: start) }
                start += 1
                continue
            }
            if open.isEmpty { throw fail(sawRoot ? "content after the root element" : "content before the root element") }
            if b == 0x26 {
                var n = 1
                while try available(n + 1), bytes[start + n] != 0x3B, n < 16 { n += 1 }
                _ = try reference(at: 0, limit: min(end - start, n + 1))
                start += n + 1
                continue
            }
            start += 1
        }
    }

    /// The next start tag, end tag or the end of the document.
    /// - Throws: `Failure` at the first thing that is not well-formed XML, with its line and column.
    mutating func next() throws -> Item {
        while true {
            guard try skipText() else {
                if let innermost = open.last {
                    throw fail("the document ends inside <\(innermost.name)> (opened at line \(innermost.line), column \(innermost.column)): it is cut short")
                }
                guard sawRoot else { throw fail("the document has no root element") }
                return .endOfDocument
            }
            guard try available(2) else { throw fail(at: 1, "the document ends inside a tag") }
            let second = bytes[start + 1]
            if second == 0x21 {   // <!
                if try lookingAt("<!--") { try skip(past: "-->", "a comment"); continue }
                if try lookingAt("<![CDATA[") {
                    guard !open.isEmpty else { throw fail("a CDATA section outside the root element") }
                    try skip(past: "]]>", "a CDATA section")
                    continue
                }
                if try lookingAt("<!DOCTYPE") {
                    guard !sawRoot else { throw fail("a document type declaration after the root element") }
                    try skipDoctype()
                    continue
                }
            } else if second == 0x3F {   // <?
                try skip(past: "?>", "a processing instruction")
                continue
            }
            let tagLine = line, tagColumn = column()
            start += 1   // <
            if second == 0x2F {
                start += 1
                let n = try name("an element name")
                _ = try skipSpace()
                try expect(0x3E, "'>'")
                guard let innermost = open.popLast() else { throw fail("</\(n)> closes no element") }
                guard innermost.name == n else {
                    throw fail("</\(n)> does not close <\(innermost.name)> (opened at line \(innermost.line), column \(innermost.column))")
                }
                return .end(name: n)
            }
            guard !(open.isEmpty && sawRoot) else { throw fail("a second root element") }
            let n = try name("an element name")
            attributes.removeAll(keepingCapacity: true)
            while true {
                let hadSpace = try skipSpace()
                guard try available(1) else { throw fail("the document ends inside the tag <\(n)>") }
                let b = bytes[start]
                if b == 0x2F {
                    start += 1
                    try expect(0x3E, "'>' after '/'")
                    sawRoot = true
                    return .start(name: n, selfClosing: true)
                }
                if b == 0x3E {
                    start += 1
                    sawRoot = true
                    open.append((n, tagLine, tagColumn))
                    return .start(name: n, selfClosing: false)
                }
                guard hadSpace else { throw fail("white space expected between attributes") }
                let attribute = try name("an attribute name")
                _ = try skipSpace()
                try expect(0x3D, "'=' after the attribute name")
                _ = try skipSpace()
                let v = try value()
                guard !attributes.contains(where: { $0.name == attribute }) else { throw fail("attribute \(attribute) given twice in <\(n)>") }
                attributes.append((attribute, v))
            }
        }
    }

    /// A document type declaration, with an internal subset in brackets.
    private mutating func skipDoctype() throws {
        var depth = 0
        while true {
            guard try available(1) else { throw fail("the document ends inside the document type declaration") }
            let b = bytes[start]
            consume(1, lines: true)
            if b == 0x5B { depth += 1 } else if b == 0x5D { depth -= 1 } else if b == 0x3E && depth == 0 { return }
        }
    }
}
