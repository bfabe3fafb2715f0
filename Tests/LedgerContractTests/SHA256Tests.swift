import Testing
@testable import LedgerContract

/// FIPS 180-4 / NIST CAVP example vectors for SHA-256, with every
/// implementation this machine runs.
struct SHA256Tests {
    static let implementations = SHA256.Implementation.allCases.filter(\.isAvailable)

    @Test(arguments: implementations)
    func emptyMessage(_ implementation: SHA256.Implementation) {
        #expect(SHA256.hash([UInt8](), implementation: implementation).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: implementations)
    func abc(_ implementation: SHA256.Implementation) {
        #expect(SHA256.hash(Array("abc".utf8), implementation: implementation).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: implementations)
    func twoBlockMessage448Bits(_ implementation: SHA256.Implementation) {
        let m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hash(Array(m.utf8), implementation: implementation).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test(arguments: implementations)
    func message896Bits(_ implementation: SHA256.Implementation) {
        let m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(SHA256.hash(Array(m.utf8), implementation: implementation).hex == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test(arguments: implementations)
    func oneMillionA(_ implementation: SHA256.Implementation) {
        var h = SHA256(implementation: implementation)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(h.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: implementations)
    func incrementalUpdatesEqualOneShot(_ implementation: SHA256.Implementation) {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for split in [0, 1, 55, 56, 63, 64, 65, 500, 999] {
            var h = SHA256(implementation: implementation)
            h.update(bytes[..<split])
            h.update(bytes[split...])
            #expect(h.finalize() == SHA256.hash(bytes, implementation: implementation), "split at \(split)")
        }
    }

    /// Every implementation gives the portable code's digest for every
    /// length around the block and padding edges and beyond, fed whole or
    /// in uneven pieces (a block completed from the pending bytes, several
    /// blocks compressed in one call).
    @Test(arguments: implementations)
    func implementationsGiveThePortableDigests(_ implementation: SHA256.Implementation) {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        for length in Array(0...260) + [447, 448, 511, 512, 513, 1000, 4096, 4999] {
            let message = bytes[(length % 5)..<(length % 5 + min(length, 4995))]
            let expected = SHA256.hash(message, implementation: .portable)
            #expect(SHA256.hash(message, implementation: implementation) == expected, "length \(length)")
            var pieces = SHA256(implementation: implementation)
            var start = message.startIndex, step = 1
            while start < message.endIndex {
                let end = min(start + step, message.endIndex)
                pieces.update(message[start..<end])
                start = end
                step = step * 3 + 1
            }
            #expect(pieces.finalize() == expected, "length \(length) in pieces")
        }
    }

    /// `fastest` is one this machine runs, and the SHA extensions wherever
    /// the CPU has them.
    @Test func fastestRunsHere() {
        #expect(SHA256.Implementation.fastest.isAvailable)
        #expect(SHA256.Implementation.fastest == (SHA256.Implementation.shaExtensions.isAvailable ? .shaExtensions : .portable))
    }

    @Test func hexRoundTrip() {
        let d = SHA256.hash(Array("ledger".utf8))
        #expect(SHA256.Digest(hex: d.hex) == d)
        #expect(SHA256.Digest(hex: "zz") == nil)
    }
}
