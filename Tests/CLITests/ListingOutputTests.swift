import Foundation
import Testing
import Synchronization
import SystemIO

/// The listing commands write their rows on a second thread
/// (`BatchConsumer`, a batch of rows at a time) while they walk the ledger.
@Suite struct ListingOutputTests {
    /// A listing longer than many batches gives the same rows, in the same
    /// order, as NDJSON, CSV and a table: none lost, none repeated, none
    /// moved across a batch's edge.
    @Test func aLongListingGivesTheSameRowsInEveryFormat() throws {
        let ledger = try Tool.generatedProvince(dossiers: 1200, seed: 5)
        defer { Tool.remove(ledger) }
        let asOf = ["--as-of", "2025-12-31"]
        let ndjson = try Tool.run(["violations"] + asOf + ["--format", "ndjson"], ledger: ledger)
        let csv = try Tool.run(["violations"] + asOf + ["--format", "csv"], ledger: ledger)
        let table = try Tool.run(["violations"] + asOf, ledger: ledger)
        #expect(ndjson.status == 0 && csv.status == 0 && table.status == 0, "\(ndjson.stderr)\(csv.stderr)\(table.stderr)")
        let fromJSON = ndjson.stdout.split(separator: "\n").map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return "\(object?["dossier"] ?? "?") \(object?["code"] ?? "?")"
        }
        #expect(fromJSON.count > 2 * 256, "a listing of \(fromJSON.count) rows fills fewer than two batches of 256")
        #expect(Set(fromJSON).count > fromJSON.count / 2)
        // CSV: a byte-order mark and a header, then one line per row (dossier, code first).
        let fromCSV = csv.stdout.split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: " ")
        }
        #expect(fromCSV == fromJSON)
        // Table: a header and a rule, then one line per row (dossier, code first).
        let fromTable = table.stdout.split(separator: "\n").dropFirst(2).map { line in
            line.split(separator: " ").prefix(2).joined(separator: " ")
        }
        #expect(fromTable == fromJSON)
    }

    /// Batches are consumed in the order sent, `atEnd` after the last; a
    /// failure of the consumer reaches the sender, and the batches after
    /// it are not consumed.
    @Test func aBatchConsumerKeepsOrderAndReportsItsFailure() throws {
        struct Refused: Error, Equatable { let batch: Int }
        let seen = Mutex<[Int]>([])
        let ended = Mutex(false)
        let consumer = BatchConsumer<[Int]>({ batch in
            seen.withLock { $0.append(contentsOf: batch) }
        }, atEnd: { ended.withLock { $0 = true } })
        for i in 0..<200 { try consumer.send([2 * i, 2 * i + 1]) }
        #expect(!ended.withLock { $0 } || seen.withLock { $0.count } == 400)
        try consumer.finish()
        #expect(seen.withLock { $0 } == Array(0..<400))
        #expect(ended.withLock { $0 })

        let failing = BatchConsumer<Int>({ batch in
            if batch == 3 { throw Refused(batch: batch) }
            seen.withLock { $0.append(batch) }
        })
        seen.withLock { $0 = [] }
        var refusedAt: Int?
        for i in 0..<100 {
            do { try failing.send(i) } catch let e as Refused {
                #expect(e == Refused(batch: 3))
                refusedAt = i
                break
            }
        }
        #expect(refusedAt.map { $0 > 3 } ?? true)
        #expect(throws: Refused(batch: 3)) { try failing.finish() }
        #expect(seen.withLock { $0 } == [0, 1, 2])
    }

    /// A producer that fails abandons its consumer: the batch being
    /// consumed completes, the one waiting is dropped, `atEnd` does not
    /// run, and the thread has left when `abandon()` returns. After
    /// `finish()`, `abandon()` changes nothing.
    @Test func anAbandonedConsumerStopsWithoutItsEnd() throws {
        let seen = Mutex<[Int]>([])
        let ended = Mutex(false)
        let abandoning = Mutex(false)
        let firstMayEnd = DispatchSemaphore(value: 0)
        let consumer = BatchConsumer<Int>({ batch in
            if batch == 0 { firstMayEnd.wait() }
            seen.withLock { $0.append(batch) }
        }, atEnd: { ended.withLock { $0 = true } })
        try consumer.send(0)
        try consumer.send(1)   // returns once batch 0 is taken: 1 is waiting
        Thread.detachNewThread {
            while !abandoning.withLock({ $0 }) { usleep(1_000) }
            usleep(50_000)
            firstMayEnd.signal()
        }
        abandoning.withLock { $0 = true }
        consumer.abandon()
        #expect(seen.withLock { $0 } == [0])
        usleep(20_000)
        #expect(seen.withLock { $0 } == [0])
        #expect(!ended.withLock { $0 })

        let finished = BatchConsumer<Int>({ batch in seen.withLock { $0.append(batch) } }, atEnd: { ended.withLock { $0 = true } })
        try finished.send(2)
        try finished.finish()
        finished.abandon()
        #expect(seen.withLock { $0 } == [0, 2])
        #expect(ended.withLock { $0 })
    }
}
