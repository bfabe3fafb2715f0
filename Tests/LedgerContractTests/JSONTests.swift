import Testing
@testable import LedgerContract

struct JSONTests {
    @Test func parsesAndKeepsMemberOrderAndIntegers() throws {
        let v = try JSONParser.parse(#"{"b":1,"a":[true,null,-2.5,"x\u00e9\n"],"c":{"d":12345678901}}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.members.map(\.key) == ["b", "a", "c"])
        #expect(o["b"] == .int(1))
        #expect(o["a"] == .array([.bool(true), .null, .double(-2.5), .string("xé\n")]))
        #expect(o["c"]?.objectValue?["d"] == .int(12_345_678_901))
    }

    @Test func writesBackCompactAndSorted() throws {
        let v = try JSONParser.parse(#"{ "z" : "Hồ sơ \"A\"", "a" : [1, 2.5] }"#)
        var w = JSONWriter()
        w.value(v)
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"z":"Hồ sơ \"A\"","a":[1,2.5]}"#)
        var s = JSONWriter()
        s.value(v, sortedKeys: true)
        #expect(String(decoding: s.bytes, as: UTF8.self) == #"{"a":[1,2.5],"z":"Hồ sơ \"A\""}"#)
    }

    /// Sorted keys (the canonical form) order the members by their bytes at
    /// every depth, whatever their number and order, and leave the object as it was.
    @Test(arguments: [0, 1, 2, 3, 17, 200])
    func sortedKeysOrderEveryObjectsMembersByTheirBytes(count: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let names = (0..<count).map { "k\(String($0, radix: 7))" + ($0 % 5 == 0 ? "é" : "") }.shuffled(using: &generator)
        let inner = "{" + names.reversed().map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let text = "{" + names.map { "\"\($0)\":" + ($0.hasSuffix("é") ? inner : "\"\($0)\"") }.joined(separator: ",") + "}"
        let v = try JSONParser.parse(text)
        var w = JSONWriter()
        w.value(v, sortedKeys: true)
        let byBytes = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let sortedInner = "{" + byBytes.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let expected = "{" + byBytes.map { "\"\($0)\":" + ($0.hasSuffix("é") ? sortedInner : "\"\($0)\"") }.joined(separator: ",") + "}"
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
        var unsorted = JSONWriter()
        unsorted.value(v)
        #expect(String(decoding: unsorted.bytes, as: UTF8.self) == text)
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "nul", "01", "1.", "\"abc", "{\"a\":1} x", "\"\u{01}\"",
        "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\q\"", "1e999", "9223372036854775808", "-9223372036854775809",
    ])
    func refusesMalformed(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    /// Member names are their bytes: "á" as one scalar and "a" with a
    /// combining accent are two names (Swift's `==` holds them equal), kept
    /// as written and sorted by their bytes; the same bytes twice are refused.
    @Test func namesSpelledWithAndWithoutACombiningAccentAreTwoMembers() throws {
        let v = try JSONParser.parse("{\"a\u{301}\":1,\"\u{E1}\":2}")
        let o = try #require(v.objectValue)
        #expect(o.members.map { Array($0.key.utf8) } == [[0x61, 0xCC, 0x81], [0xC3, 0xA1]])
        var w = JSONWriter()
        w.value(v, sortedKeys: true)
        #expect(w.bytes == Array("{\"a\u{301}\":1,\"\u{E1}\":2}".utf8))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("{\"\u{E1}\":1,\"\u{E1}\":2}") }
    }

    @Test func keepsTheWholeRangeOf64BitIntegers() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse("12345678901234567890.5") == .double(12345678901234567890.5))
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }
}
