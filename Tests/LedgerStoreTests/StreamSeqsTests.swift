import Testing
@testable import LedgerStore
import LedgerContract

/// A dossier's stream grows in place, one seq at a time, into exactly the
/// stored form of all its seqs, also where the last seq at its front needs
/// one more byte.
struct StreamSeqsTests {
    @Test(arguments: [
        [1, 2, 3],
        [5, 127, 128, 129],                      // the last seq's varint grows from one byte to two
        [100, 16_383, 16_384, 2_000_000, 2_097_152],
        [1, 300, 300_000, 300_000_000, 1 << 40, 1 << 62],
    ] as [[UInt64]])
    func appendingGivesTheStoredFormOfTheSeqs(_ seqs: [UInt64]) throws {
        var stream: [UInt8] = []
        for (i, seq) in seqs.enumerated() {
            try StreamSeqs.append(seq, to: &stream)
            #expect(stream == StreamSeqs.encode(Array(seqs[...i])), "after seq \(seq)")
            var decoded: [UInt64] = []
            try stream.withUnsafeBytes { try StreamSeqs.decode($0, into: &decoded) }
            #expect(decoded == Array(seqs[...i]))
        }
    }

    @Test func aSeqNotAfterTheLastIsRefused() throws {
        var stream = StreamSeqs.encode([3, 9])
        #expect(throws: RecordDecodingError.self) { try StreamSeqs.append(9, to: &stream) }
        #expect(stream == StreamSeqs.encode([3, 9]), "nothing written")
        var damaged: [UInt8] = [0x80, 0x80]
        #expect(throws: RecordDecodingError.self) { try StreamSeqs.append(1, to: &damaged) }
    }
}
