import Dispatch
import Foundation
import Testing
import LedgerStore
import LedgerContract
@testable import Projections

/// A batch streamed into its transaction a chunk at a time (`append(chunks:)`,
/// what `import` does) is one atomic batch, as if appended whole.
@Suite struct StreamedAppendTests {
    /// The prepared events of contract lines, numbered from `firstLine`.
    static func prepared(_ lines: some Collection<String>, firstLine: Int = 1) throws -> [PreparedEvent] {
        try Ledger.parse(lines: lines.enumerated().map { ($0.offset + firstLine, Array($0.element.utf8)) }).map(PreparedEvent.init)
    }

    /// A closure giving `events` in chunks of `size`, then nil.
    static func chunks(_ events: [PreparedEvent], size: Int) -> () throws -> [PreparedEvent]? {
        var start = 0
        return {
            guard start < events.count else { return nil }
            defer { start += size }
            return Array(events[start..<min(start + size, events.count)])
        }
    }

    static let recordedAt = try! Timestamp(rfc3339: "2026-01-01T00:00:00+07:00")

    @Test func aStreamedBatchStoresWhatTheWholeBatchStores() throws {
        let lines = TemporaryLedger.generatedLines(dossiers: 300, seed: 7)
        let whole = try TemporaryLedger(), streamed = try TemporaryLedger()
        let events = try Self.prepared(lines)
        let wholeReport = try whole.ledger.append(events, recordedAt: Self.recordedAt)
        let streamedReport = try streamed.ledger.append(chunks: Self.chunks(events, size: 97), recordedAt: Self.recordedAt)
        #expect(streamedReport == wholeReport)
        #expect(streamedReport.storedCount == lines.count)
        let heads = try [whole, streamed].map { t in try t.ledger.store.read { try t.ledger.store.head(in: $0) } }
        #expect(heads[0].seq == heads[1].seq && heads[0].hash == heads[1].hash, "the same chain, hash for hash")
        #expect(try streamed.ledger.store.verifyChain().holds)
        #expect(try streamed.ledger.projectionDifferences().isEmpty)
        // Streamed again: every event is already stored, nothing is added.
        let again = try streamed.ledger.append(chunks: Self.chunks(events, size: 500), recordedAt: Self.recordedAt)
        #expect(again.stored == nil && again.alreadyStored.count == lines.count)
    }

    /// Events prepared for the ledger (`EventPreparer`, their records'
    /// ends encoded ahead with the committed string ids, as `import` does)
    /// are stored byte for byte as the append itself would store them,
    /// strings not committed yet and events without a `recordedAt` included.
    @Test func recordsEncodedAheadAreTheAppendsOwn() throws {
        var lines = TemporaryLedger.generatedLines(dossiers: 200, seed: 11)
        // A dossier's first event again, for two new dossiers: one naming a data key no event names
        // (a string the first batch does not commit), one without a recordedAt of its own.
        let opening = try #require(lines.first { $0.contains(#""type":"dossier.submitted""#) })
        func renamed(_ line: String, to code: String) throws -> String {
            let dossier = try #require(line.range(of: #""dossier":"[^"]*""#, options: .regularExpression))
            return line.replacingCharacters(in: dossier, with: #""dossier":"\#(code)""#)
                .replacingOccurrences(of: #","id":"[^"]*""#, with: "", options: .regularExpression)
        }
        lines.append(try renamed(opening, to: "NEW-1").replacingOccurrences(of: #""data":{"#, with: #""data":{"ghiChú":"Hồ sơ nộp lại","#))
        lines.append(try renamed(opening, to: "NEW-2").replacingOccurrences(of: #","recordedAt":"[^"]*""#, with: "", options: .regularExpression))
        let split = lines.count * 2 / 3
        let ahead = try TemporaryLedger(), plain = try TemporaryLedger()
        let first = try Self.prepared(lines[..<split])
        for t in [ahead, plain] { try t.ledger.append(chunks: Self.chunks(first, size: 500), recordedAt: Self.recordedAt) }
        let rest = try Ledger.parse(lines: lines[split...].enumerated().map { ($0.offset + split + 1, Array($0.element.utf8)) })
        var preparer = ahead.ledger.preparer()
        let prepared = rest.map { preparer.prepare($0) }
        let encodedAhead = prepared.filter { $0.recordTail != nil }.count
        #expect(encodedAhead > rest.count / 2, "most of the second batch names only committed strings")
        #expect(encodedAhead < rest.count, "the new strings and the event without recordedAt are left to the append")
        #expect(prepared.last?.recordTail == nil)
        _ = try ahead.ledger.append(chunks: Self.chunks(prepared, size: 300), recordedAt: Self.recordedAt)
        _ = try plain.ledger.append(chunks: Self.chunks(rest.map(PreparedEvent.init), size: 300), recordedAt: Self.recordedAt)
        let records = try [ahead, plain].map { t in
            try t.ledger.store.read { txn in
                var all: [[UInt8]] = []
                try t.ledger.store.forEachRecord(in: txn) { _, bytes in all.append(Array(bytes)); return true }
                return all
            }
        }
        #expect(records[0].count == lines.count && records[1].count == lines.count)
        let differing = zip(records[0], records[1]).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(differing == nil, "the same records, byte for byte (seq \((differing ?? 0) + 1) differs)")
        #expect(try ahead.ledger.store.verifyChain().holds)
        #expect(try ahead.ledger.projectionDifferences().isEmpty)
    }

    /// A bad event in a late chunk refuses the whole batch: the chunks
    /// before it, appended in the same transaction, are not stored.
    @Test func aRefusalInALateChunkLeavesNothingOfTheBatch() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        var lines: [String] = []
        for i in 0..<400 { lines.append(Fixture.received("S-\(i)", "2024-03-04T09:00:00")) }
        lines.append(Fixture.event("dossier.assigned", "S-7", "2024-03-04T09:20:00", #"{"to":"cb-404","step":"Thẩm định"}"#))
        let events = try Self.prepared(lines, firstLine: 9)
        #expect {
            try t.ledger.append(chunks: Self.chunks(events, size: 50), recordedAt: Self.recordedAt)
        } throws: { error in
            guard let refusal = error as? AppendRefusal else { return false }
            return refusal.line == 409 && refusal.rule.contains("cb-404")
        }
        let (head, first) = try t.ledger.store.read { txn in (try t.ledger.store.head(in: txn), try t.ledger.dossier("S-0", in: txn)) }
        #expect(head.seq == UInt64(Fixture.reference.count))
        #expect(first == nil)
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }

    /// What the chunk source throws (a line that is not JSON, a read error)
    /// ends the batch with nothing of it stored.
    @Test func aFailingChunkSourceLeavesNothingOfTheBatch() throws {
        struct ReadFailed: Error {}
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let events = try Self.prepared((0..<100).map { Fixture.received("F-\($0)", "2024-03-04T09:00:00") })
        var given = 0
        #expect(throws: ReadFailed.self) {
            try t.ledger.append(chunks: {
                given += 1
                if given == 3 { throw ReadFailed() }
                return Array(events[(given - 1) * 10..<given * 10])
            }, recordedAt: Self.recordedAt)
        }
        #expect(try t.ledger.store.read { try t.ledger.store.head(in: $0) }.seq == UInt64(Fixture.reference.count))
        #expect(try t.ledger.store.verifyChain().holds)
    }

    /// The map cannot be grown under a streamed batch and its transaction
    /// cannot run twice: when the map fills anyway, the append fails with
    /// nothing written, the map has grown, and the same batch then goes in.
    @Test func aMapFilledUnderAStreamedBatchFailsItWholeAndGrows() throws {
        let t = try TemporaryLedger(mapSize: 1 << 20)
        try t.append(Fixture.reference)
        var lines: [String] = []
        for i in 0..<1_500 {
            lines.append(Fixture.event("dossier.received", "M-\(i)", "2024-03-04T09:00:00", actor: nil,
                                       #"{"procedure":"1.004227","agency":"H40.22","channel":"direct","note":"\#(String(repeating: "khiếu nại ", count: 40))"}"#))
        }
        let events = try Self.prepared(lines)
        let mapBefore = try t.ledger.store.environment.info.mapSize
        #expect {
            try t.ledger.append(chunks: Self.chunks(events, size: 100), recordedAt: Self.recordedAt, reserving: 0)
        } throws: { error in
            "\(error)".contains("the map filled while a streamed batch was appended; nothing of the batch was written")
        }
        #expect(try t.ledger.store.read { try t.ledger.store.head(in: $0) }.seq == UInt64(Fixture.reference.count))
        #expect(try t.ledger.store.environment.info.mapSize > mapBefore)
        let report = try t.ledger.append(chunks: Self.chunks(events, size: 100), recordedAt: Self.recordedAt)
        #expect(report.storedCount == lines.count)
        #expect(try t.ledger.store.verifyChain().holds)
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }

    /// A streamed batch commits alone while other threads' batches share
    /// commits around it: each is stored once, in one piece.
    @Test func aStreamedBatchAmongGroupedAppends() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let streamedLines = (0..<2_000).map { Fixture.received("B-\($0)", "2024-03-04T09:00:00") }
        let streamedEvents = try Self.prepared(streamedLines)
        DispatchQueue.concurrentPerform(iterations: 5) { thread in
            if thread == 0 {
                let report = try! ledger.append(chunks: Self.chunks(streamedEvents, size: 64), recordedAt: Self.recordedAt)
                #expect(report.storedCount == streamedLines.count)
                if let stored = report.stored { #expect(stored.count == streamedLines.count) }
                return
            }
            for b in 0..<30 {
                let events = try! Self.prepared([Fixture.received("T-\(thread)-\(b)", "2024-03-04T09:00:00")])
                #expect(try! ledger.append(events).storedCount == 1)
            }
        }
        let head = try ledger.store.read { try ledger.store.head(in: $0) }
        #expect(head.seq == UInt64(Fixture.reference.count + streamedLines.count + 4 * 30))
        #expect(try ledger.store.verifyChain().holds)
        #expect(try ledger.projectionDifferences().isEmpty)
    }
}
