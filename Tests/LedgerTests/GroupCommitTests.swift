import Dispatch
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
}
