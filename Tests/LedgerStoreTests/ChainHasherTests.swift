import Testing
@testable import LedgerStore
import LedgerContract

/// The chain hashed beside the writer is the chain hashed in line.
struct ChainHasherTests {
    static let recordedAt = try! Timestamp(rfc3339: "2024-03-01T08:00:00+07:00")

    static func link(_ i: Int) throws -> ChainHasher.Link {
        let event = try Event(jsonLine: #"{"type":"dossier.received","dossier":"H40.22-240301-\#(String(10_000 + i % 97).dropFirst())","at":"2024-03-01T08:00:00+07:00","data":{"procedure":"1.004227","agency":"H40.22","channel":"online","note":"\#(String(repeating: "x", count: i % 300))"}}"#)
        return ChainHasher.Link(canonical: CanonicalEncoding(event), seq: UInt64(1000 + i), version: UInt32(i / 97 + 1), recordedAt: recordedAt)
    }

    static func inLine(_ links: [ChainHasher.Link], after start: SHA256.Digest) -> [SHA256.Digest] {
        var previous = start
        return links.map { link in
            previous = link.canonical.chainedHash(seq: link.seq, version: link.version, recordedAt: link.recordedAt, previous: previous)
            return previous
        }
    }

    /// Below the worker's threshold, across it, and with batches undone on
    /// the way (while a worker may be hashing), the links gathered and handed
    /// over as the appender does (`LinkBuffer`, its copy kept in a batch's
    /// mark): the hashes are those of the links kept, each after the one before it.
    @Test(arguments: [0, 5, ChainHasher.threshold, 3 * ChainHasher.threshold + 17])
    func hashesMatchTheChainHashedInLine(count: Int) throws {
        let start = SHA256.hash(Array("head before".utf8))
        let hasher = ChainHasher(after: start)
        var buffer = ChainHasher.LinkBuffer()
        var kept: [ChainHasher.Link] = []
        var i = 0
        while kept.count < count {
            let link = try Self.link(i)
            i += 1
            buffer.add(link, to: hasher)
            kept.append(link)
            // Every 150th event starts a batch of 40 that is undone.
            if i % 150 == 0 {
                let mark = buffer
                for j in 0..<40 { buffer.add(try Self.link(10_000 + i + j), to: hasher) }
                buffer = mark
                hasher.truncate(to: kept.count - buffer.links.count)
                #expect(hasher.count + buffer.links.count == kept.count)
            }
        }
        buffer.handOver(to: hasher)
        #expect(hasher.hashes() == Self.inLine(kept, after: start))
    }
}
