import Dispatch
import Foundation
import Testing
import LedgerStore
import LedgerContract
@testable import Projections

@Suite struct GroupCommitTests {
    /// Eight threads append at once: their batches share commits, a refused
    /// batch is undone alone, and every other batch is stored exactly once.
    @Test func concurrentAppendsShareCommitsAndStayAtomic() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let threads = 8, batchesPerThread = 20
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for b in 0..<batchesPerThread {
                let code = "G-\(thread)-\(b)"
                var lines = [Fixture.received(code, "2024-03-04T09:00:00"),
                             Fixture.event("dossier.assigned", code, "2024-03-04T09:10:00", #"{"to":"cb-002","step":"Thẩm định"}"#)]
                if thread == 3 && b == 7 {
                    lines.append(Fixture.event("dossier.assigned", code, "2024-03-04T09:20:00", #"{"to":"cb-404","step":"Thẩm định"}"#))
                }
                let parsed = try! Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) })
                do {
                    let report = try ledger.append(parsed)
                    #expect(report.storedCount == 2)
                } catch let refusal as AppendRefusal {
                    #expect(thread == 3 && b == 7)
                    #expect(refusal.line == 3)
                    #expect(refusal.rule.contains("cb-404"))
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
        let total = UInt64(8 + (threads * batchesPerThread - 1) * 2)
        let (head, refused) = try ledger.store.read { txn in
            (try ledger.store.head(in: txn), try ledger.dossier("G-3-7", in: txn))
        }
        #expect(head.seq == total)
        #expect(refused == nil)
        #expect(try ledger.store.verifyChain().holds)
        #expect(try ledger.projectionDifferences().isEmpty)
    }

    /// Batches that queue while a commit is under way share the next one:
    /// with the writer lock held elsewhere, eight appends take at most two
    /// commits (the first caller's, then everyone who queued behind it).
    @Test func batchesQueuedDuringACommitShareTheNextOne() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let before = try ledger.store.environment.info.lastTransactionID
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let blocker = Thread {
            // Holds LMDB's writer lock, as another process's commit would.
            try? ledger.store.environment.write { _ in
                holding.signal()
                release.wait()
            }
        }
        blocker.start()
        holding.wait()
        let group = DispatchGroup()
        for n in 0..<8 {
            group.enter()
            Thread {   // threads of their own: blocked appends must not starve a shared pool
                let code = "Q-\(n)"
                let parsed = try! Ledger.parse(lines: [(1, Array(Fixture.received(code, "2024-03-04T09:00:00").utf8))])
                #expect((try? ledger.append(parsed))?.storedCount == 1)
                group.leave()
            }.start()
        }
        // Every append is queued (or leading, blocked on the lock) before the lock is let go.
        let deadline = Date().addingTimeInterval(10)
        while ledger.appendQueue.withLock({ $0.waiting.count }) < 7 && Date() < deadline { usleep(1000) }   // the leader took its own
        release.signal()
        group.wait()
        let commits = try ledger.store.environment.info.lastTransactionID - before   // the blocker wrote nothing: no commit of its own
        #expect(commits == 2, "8 batches took \(commits) commits")
        #expect(try ledger.read { try $0.head() }.seq == 8 + 8)
    }
}
