import Testing
import LedgerStore
import LedgerContract
@testable import Projections
import Subscriptions

@Suite struct SubscriptionStreamTests {
    /// A Swift service reads events as an AsyncSequence, acknowledges what it
    /// processed, and a new stream resumes right after the acknowledgement.
    @Test func streamResumesAfterTheAcknowledgedSeq() async throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let subscriptions = try Subscriptions(ledger: t.ledger)
        var seen: [UInt64] = []
        for try await e in try SubscriptionStream(subscriptions: subscriptions, name: "svc", follow: false) {
            seen.append(e.seq)
            if e.seq == 17 { try subscriptions.acknowledge("svc", through: 17) }
        }
        #expect(seen == Array(1...35))
        var again: [UInt64] = []
        for try await e in try SubscriptionStream(subscriptions: subscriptions, name: "svc",
                                                  filter: SubscriptionFilter(types: [.dossierAssigned]), follow: false) {
            again.append(e.seq)
        }
        #expect(again == [18, 33, 35])
        // A late acknowledgement never moves the checkpoint back.
        try subscriptions.acknowledge("svc", through: 5)
        #expect(try subscriptions.checkpoint("svc") == 17)
    }
}
