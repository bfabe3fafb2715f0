import Testing
import LedgerContract

/// Text read back from stored bytes: well-formed UTF-8 becomes the same
/// string the standard library's validation gives, and anything else is
/// refused (the record is reported damaged) rather than repaired.
struct StoredTextTests {
    func stored(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { String(storedUTF8: $0) }
    }

    @Test func wellFormedTextReadsBackAsItWasWritten() {
        for text in ["", "H40.22-240304-0002", "Nguyễn Thị Hồng Nhung", "Cấp giấy phép xây dựng", "€ 𝄞 ✓"] {
            #expect(stored(Array(text.utf8)) == text)
        }
    }

    @Test func illFormedBytesAreRefused() {
        let cases: [[UInt8]] = [
            [0x80],                              // a continuation byte alone
            [0x41, 0xC3],                        // a sequence cut short at the end
            [0xE1, 0xBB, 0x41],                  // a three-byte sequence cut short before ASCII
            [0xF0, 0x9F, 0x98, 0x41, 0x42, 0x43], // four bytes cut to three, then ASCII
            [0xC0, 0xAF],                        // an overlong '/'
            [0xED, 0xA0, 0x80],                  // a UTF-16 surrogate
            [0xF4, 0x90, 0x80, 0x80],            // past U+10FFFF
            [0xFF, 0x41],
        ]
        for bytes in cases { #expect(stored(bytes) == nil, "\(bytes)") }
    }

    /// Short sequences of bytes, many of them ill-formed, give what
    /// `String(validating:as:)` gives.
    @Test func agreesWithTheStandardLibrarysValidation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0x9F, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xBB, 0xA0]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 1...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(stored(bytes) == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
    }
}
