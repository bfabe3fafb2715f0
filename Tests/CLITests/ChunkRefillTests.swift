import Foundation
import Testing
import SystemIO
import Projections
@testable import LedgerCLI

/// `import` refills each chunk the writer is done with in place
/// (`InputSource.readChunk(reusing:)`): a chunk read into a spare holds the
/// lines read, in order, and nothing of the spare, whether the spare held
/// more events than were read or fewer.
@Suite struct ChunkRefillTests {
    @Test func aChunkReadIntoASpareHoldsTheLinesReadAndNothingElse() throws {
        let directory = NSTemporaryDirectory() + "chunk-refill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.create(at: directory + "/ledger")
        let ids = (1...50).map { "r-\($0)" }
        let lines = ids.enumerated().map { i, id in
            #"{"type":"dossier.received","dossier":"H40.22-240304-"# + String(1000 + i)
                + #"","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"},"id":""#
                + id + #""}"#
        }
        let path = directory + "/events.ndjson"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd)

        var spare: [PreparedEvent]?
        var read: [(line: Int, id: String?)] = []
        // Each chunk is read into the one before: larger, smaller, one event, and the last shorter than its limit.
        for (limit, expected) in [(7, 7), (3, 3), (10, 10), (1, 1), (12, 12), (9, 9), (20, 8)] {
            let chunk = try #require(try InputSource.readChunk(&reader, limit: limit, byteLimit: .max, preparingFor: ledger, reusing: spare))
            #expect(chunk.count == expected)
            read += chunk.map { ($0.input.line, $0.input.event.id) }
            spare = chunk
        }
        #expect(read.map(\.line) == Array(1...50))
        #expect(read.map(\.id) == ids)
        #expect(try InputSource.readChunk(&reader, limit: 5, byteLimit: .max, preparingFor: ledger, reusing: spare) == nil)
    }
}
