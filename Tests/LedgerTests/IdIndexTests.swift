import Foundation
import Testing
import LedgerStore
import LedgerContract
@testable import Projections

/// The id index. An id after every stored id and every id before it in the
/// transaction is entered at the index's end when the transaction
/// finishes; any other is looked up and entered at once. Whatever the order
/// the ids arrive in, each event is stored once, a repeated id is found (in
/// its own batch or an earlier one), and the index names each event's seq.
@Suite struct IdIndexTests {
    static func id(of line: String) throws -> String {
        try #require(try Event(jsonLine: line).id)
    }

    /// `line` with its event's id (the one before `recordedAt`; an officer's reference event has another in its `data`) replaced.
    static func line(_ line: String, withID id: String) throws -> String {
        let range = try #require(line.range(of: #""id":"[^"]*","recordedAt""#, options: .regularExpression))
        return line.replacingCharacters(in: range, with: #""id":"\#(id)","recordedAt""#)
    }

    @Test func idsInAnyOrderAreEachStoredOnce() throws {
        let lines = TemporaryLedger.generatedLines(dossiers: 120, seed: 3)
        let half = lines.count / 2
        var second = Array(lines[half...])
        let ids = try second.map(Self.id(of:))
        #expect(ids == ids.sorted(by: Key.precedes), "the generator's ids arrive in order")
        // An id between two of the batch's own, entered at once: the batch's ids in order are then entered one by one.
        second[50] = try Self.line(second[50], withID: ids[20] + "x")
        // An id before every stored one.
        second[60] = try Self.line(second[60], withID: "0-late-entry")
        // Repeats: an event of this batch, and one of the first batch.
        second.append(second[5])
        second.append(lines[3])

        let t = try TemporaryLedger()
        try t.append(Array(lines[..<half]))
        let report = try t.append(second)
        #expect(report.storedCount == second.count - 2)
        #expect(report.alreadyStored.map(\.seq) == [UInt64(half + 6), 4])
        let stored = Array(lines[..<half]) + second.dropLast(2)
        let storedIDs = try stored.map(Self.id(of:))
        let seqs = try t.ledger.store.read { txn in try storedIDs.map { try t.ledger.store.seq(forID: $0, in: txn) } }
        #expect(seqs == (1...stored.count).map { UInt64($0) })
        #expect(try t.ledger.store.verifyChain().holds)
        #expect(try t.ledger.projectionDifferences().isEmpty)

        let again = try t.append(stored)
        #expect(again.stored == nil && again.alreadyStored.count == stored.count)
    }

    @Test func anIdRepeatedWithOtherContentInItsBatchIsRefused() throws {
        let lines = Array(TemporaryLedger.generatedLines(dossiers: 20, seed: 5).prefix(40))
        let t = try TemporaryLedger()
        var batch = Array(lines[..<30])
        batch.append(try Self.line(lines[30], withID: Self.id(of: lines[12])))
        #expect(throws: AppendRefusal.self) { try t.append(batch) }
        let head = try t.ledger.store.read { try t.ledger.store.head(in: $0) }
        #expect(head.seq == 0, "nothing of the refused batch is written")
        try t.append(Array(lines[..<30]))
        #expect(try t.ledger.store.verifyChain().holds)
    }
}
