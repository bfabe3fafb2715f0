import Dispatch
import Foundation
import Synchronization
import Testing
import LMDB
import LedgerStore
import LedgerContract
@testable import Projections

/// How one group commit treats its batches: all of them in one transaction,
/// each undone alone when it fails, whatever the failure.
@Suite struct GroupCommitIsolationTests {
    static func batch(_ lines: [String]) throws -> PendingAppend {
        let parsed = try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) })
        return PendingAppend(events: .batch(parsed.map(PreparedEvent.init)), recordedAt: try Timestamp(rfc3339: "2026-01-01T00:00:00+07:00"))
    }

    static func assigned(_ code: String, _ at: String, to officer: String = "cb-002") -> String {
        Fixture.event("dossier.assigned", code, at, #"{"to":"\#(officer)","step":"Thẩm định"}"#)
    }

    func lastTransaction(_ ledger: Ledger) throws -> Int { try ledger.store.environment.info.lastTransactionID }

    /// A batch whose storage fails (an `id` longer than LMDB's 511-byte key
    /// limit, which the id index cannot hold: the contract refuses such an
    /// id in NDJSON, but a program handing events to the ledger can give one;
    /// not a refusal, an error of `mdb_put`) fails alone; the batches before
    /// and after it in the group are committed.
    @Test func aStorageErrorFailsOnlyItsOwnBatch() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        var tooLong = try Ledger.parse(lines: [(1, Array(Fixture.received("B", "2024-03-04T09:00:00").utf8)),
                                               (2, Array(Fixture.received("LONG", "2024-03-04T09:00:00").utf8))])
        tooLong[1].event.id = String(repeating: "x", count: 600)
        let group = [try Self.batch([Fixture.received("A", "2024-03-04T09:00:00")]),
                     PendingAppend(events: .batch(tooLong.map(PreparedEvent.init)), recordedAt: try Timestamp(rfc3339: "2026-01-01T00:00:00+07:00")),
                     try Self.batch([Self.assigned("A", "2024-03-04T09:10:00")])]
        let before = try lastTransaction(ledger)
        ledger.commit(group)
        #expect(try lastTransaction(ledger) == before + 1)
        let outcomes = group.map { $0.wait() }
        #expect(try outcomes[0]?.get().stored == 9...9)
        #expect(try outcomes[2]?.get().stored == 10...10)
        guard case .failure(let error)? = outcomes[1] else {
            Issue.record("the batch with a 600-byte id was stored")
            return
        }
        #expect(!(error is AppendRefusal))
        let (head, a, b) = try ledger.store.read { txn in
            (try ledger.store.head(in: txn), try ledger.dossier("A", in: txn), try ledger.dossier("B", in: txn))
        }
        #expect(head.seq == 10)
        #expect(a?.version == 2)
        #expect(b == nil)
        #expect(try ledger.store.verifyChain().holds)
        #expect(try ledger.projectionDifferences().isEmpty)
    }

    /// A refused batch that changed a dossier before its refusal leaves the
    /// dossier's state as the earlier batches of the group left it, for the
    /// later batches to build on.
    @Test func aRefusedBatchUndoesItsDossierChangesWithinTheGroup() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let group = [try Self.batch([Fixture.received("X", "2024-03-04T09:00:00")]),
                     try Self.batch([Self.assigned("X", "2024-03-04T09:10:00"), Self.assigned("X", "2024-03-04T09:20:00", to: "cb-404")]),
                     try Self.batch([Self.assigned("X", "2024-03-04T09:30:00")])]
        ledger.commit(group)
        let outcomes = group.map { $0.wait() }
        #expect(try outcomes[0]?.get().storedCount == 1)
        #expect(try outcomes[2]?.get().storedCount == 1)
        guard case .failure(let refusal as AppendRefusal)? = outcomes[1] else {
            Issue.record("the batch assigning cb-404 was not refused")
            return
        }
        #expect(refusal.line == 2)
        let x = try ledger.store.read { txn in try ledger.dossier("X", in: txn) }
        #expect(x?.version == 2)
        #expect(try ledger.projectionDifferences().isEmpty)
    }

    /// A refused batch that named a dossier new to the group leaves nothing
    /// of it: the next batch's new dossier takes its place in the
    /// transaction's bookkeeping and is stored with its own events only.
    @Test func aNewDossierOfARefusedBatchLeavesNoTrace() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let group = [try Self.batch([Fixture.received("A", "2024-03-04T09:00:00")]),
                     try Self.batch([Fixture.received("B", "2024-03-04T09:00:00"), Self.assigned("B", "2024-03-04T09:20:00", to: "cb-404")]),
                     try Self.batch([Fixture.received("C", "2024-03-04T09:00:00"), Self.assigned("C", "2024-03-04T09:30:00")]),
                     try Self.batch([Self.assigned("A", "2024-03-04T09:40:00")])]
        ledger.commit(group)
        let outcomes = group.map { $0.wait() }
        #expect(try outcomes[0]?.get().stored == 9...9)
        #expect(try outcomes[2]?.get().stored == 10...11)
        #expect(try outcomes[3]?.get().stored == 12...12)
        guard case .failure(is AppendRefusal)? = outcomes[1] else {
            Issue.record("the batch assigning cb-404 was not refused")
            return
        }
        let (a, b, c, streamOfC) = try ledger.store.read { txn in
            (try ledger.dossier("A", in: txn), try ledger.dossier("B", in: txn), try ledger.dossier("C", in: txn),
             try ledger.store.seqs(ofDossier: "C", in: txn))
        }
        #expect(a?.version == 2)
        #expect(b == nil)
        #expect(c?.version == 2)
        #expect(c?.currentHolding?.officer == "cb-002")
        #expect(streamOfC == [10, 11])
        #expect(try ledger.store.verifyChain().holds)
        #expect(try ledger.projectionDifferences().isEmpty)
    }

    /// Every batch waiting joins the commit: 200 batches, one transaction.
    @Test func aGroupHasNoCap() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let group = try (0..<200).map { i in try Self.batch([Fixture.received("N-\(i)", "2024-03-04T09:00:00")]) }
        let before = try lastTransaction(ledger)
        ledger.commit(group)
        #expect(try lastTransaction(ledger) == before + 1)
        for request in group { #expect(try request.wait()?.get().storedCount == 1) }
        #expect(try ledger.store.read { txn in try ledger.store.head(in: txn) }.seq == 208)
    }

    /// 64 threads append at once: every append returns stored (the lead
    /// passes from caller to caller), appends share commits, and the log and
    /// projections agree.
    @Test func sixtyFourWritersAllReturnAndShareCommits() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        let ledger = t.ledger
        let threads = 64, batchesPerThread = 10
        let before = try lastTransaction(ledger)
        let stored = Mutex(0)
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            // Threads of their own: a dispatch pool would run only as many at once as there are cores.
            Thread {
                defer { done.leave() }
                for b in 0..<batchesPerThread {
                    let code = "M-\(thread)-\(b)"
                    let lines = [Fixture.received(code, "2024-03-04T09:00:00"), Self.assigned(code, "2024-03-04T09:10:00")]
                    do {
                        let parsed = try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) })
                        let report = try ledger.append(parsed)
                        stored.withLock { $0 += report.storedCount }
                    } catch {
                        Issue.record("thread \(thread) batch \(b): \(error)")
                    }
                }
            }.start()
        }
        done.wait()
        let appends = threads * batchesPerThread
        #expect(stored.withLock { $0 } == 2 * appends)
        let commits = try lastTransaction(ledger) - before
        #expect(commits < appends, "no two appends shared a commit")
        #expect(try ledger.store.read { txn in try ledger.store.head(in: txn) }.seq == UInt64(8 + 2 * appends))
        #expect(try ledger.store.verifyChain().holds)
        #expect(try ledger.projectionDifferences().isEmpty)
    }
}
