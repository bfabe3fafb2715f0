import Testing
import DossierRules
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

    /// One line of a `dossiers` feed.
    struct RowLine: Equatable {
        var seq: UInt64
        var dossier: String
        var row: JSONValue
    }

    /// The lines of a `dossiers` feed of `t` after `start`, fetched in
    /// batches of 97 events so that batches end inside dossiers' histories.
    static func dossierRows(_ t: TemporaryLedger, after start: UInt64, filter: SubscriptionFilter = .init()) throws -> [RowLine] {
        var feed = try SubscriptionFeed(ledger: t.ledger, kind: .dossiers, filter: filter, after: start)
        var position = start, lines: [RowLine] = []
        while true {
            var w = JSONWriter()
            let scanned = try feed.next(after: position, limit: 97, into: &w)
            for text in w.bytes.split(separator: 0x0A) {
                let line = try JSONParser.parse(Array(text)).objectValue ?? [:]
                lines.append(RowLine(seq: UInt64(line["seq"]?.intValue ?? -1), dossier: line["dossier"]?.stringValue ?? "",
                                     row: line["row"] ?? .null))
            }
            if scanned == position { return lines }
            position = scanned
        }
    }

    /// `state`'s row as a `dossiers` feed line shows it, with `reference`.
    static func row(_ state: DossierState, reference: ReferenceData) throws -> JSONValue {
        var w = JSONWriter()
        w.object(state.json(reference: reference))
        return try JSONParser.parse(w.bytes)
    }

    /// The `dossiers` feed shows, after each event, the row the live
    /// projection held for its dossier then; resumed halfway or filtered,
    /// it shows the same rows for the events it delivers.
    @Test func theDossiersFeedShowsTheRowTheLiveProjectionHeldAfterEachEvent() throws {
        let dossiers = FollowedStatesTests.dossiers, seed = FollowedStatesTests.seed
        let whole = try TemporaryLedger.generatedProvince(dossiers: dossiers, seed: seed)
        let count = UInt64(TemporaryLedger.generatedLines(dossiers: dossiers, seed: seed).count)
        let reference = try whole.ledger.store.read { try whole.ledger.reference(in: $0) }
        let all = try Self.dossierRows(whole, after: 0)
        #expect(all.map(\.seq) == all.map(\.seq).sorted() && Set(all.map(\.seq)).count == all.count)
        for position in [count / 3, 2 * count / 3, count] {
            let upTo = try TemporaryLedger.generatedProvince(dossiers: dossiers, seed: seed, prefix: Int(position))
            var last: [String: JSONValue] = [:]
            for line in all where line.seq <= position { last[line.dossier] = line.row }
            let live = try FollowedStatesTests.liveStates(upTo).mapValues { try Self.row($0, reference: reference) }
            #expect(live.count > 50)
            #expect(last == live, "at seq \(position)")
        }

        let resumed = try Self.dossierRows(whole, after: count / 2)
        #expect(resumed == all.filter { $0.seq > count / 2 })
        let processed = try Self.dossierRows(whole, after: 0, filter: SubscriptionFilter(types: [.dossierProcessed]))
        #expect(processed.count > 100)
        #expect(processed == all.filter { line in processed.contains { $0.seq == line.seq } })
        let processedSeqs = try whole.ledger.store.read { txn in
            var seqs: [UInt64] = []
            try whole.ledger.store.forEachRecord(from: 1, in: txn) { seq, raw in
                if try RecordView(raw, seq: seq).type == .dossierProcessed { seqs.append(seq) }
                return true
            }
            return seqs
        }
        #expect(processed.map(\.seq) == processedSeqs)
        let processedLater = try Self.dossierRows(whole, after: count / 2, filter: SubscriptionFilter(types: [.dossierProcessed]))
        #expect(processedLater == processed.filter { $0.seq > count / 2 })

        // A feed cannot be asked for a batch before the seq it has followed to.
        var feed = try SubscriptionFeed(ledger: whole.ledger, kind: .dossiers, after: 0)
        var w = JSONWriter()
        let scanned = try feed.next(after: 0, limit: 50, into: &w)
        #expect(scanned == 50)
        #expect(throws: LedgerError.self) { _ = try feed.next(after: 10, into: &w) }
    }

    /// After a procedure is defined again, back-dated to its first
    /// definition, the `dossiers` feed still shows the rows the live
    /// projection holds: each event folded with the reference data as the
    /// log stood at it, not as it stands now.
    @Test func theDossiersFeedAgreesWithTheLiveProjectionAfterABackDatedDefinition() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let revised = Fixture.lines()[6].replacingOccurrences(of: #""processingDays":3"#, with: #""processingDays":12"#)
            .replacingOccurrences(of: #""budgetHours":16"#, with: #""budgetHours":80"#)
            .replacingOccurrences(of: #""id":"fx-007""#, with: #""id":"fx-revised""#)
        #expect(revised != Fixture.lines()[6])
        try t.append([revised])
        let (reference, live) = try t.ledger.store.read { txn in (try t.ledger.reference(in: txn), try FollowedStatesTests.liveStates(t)) }
        var last: [String: JSONValue] = [:]
        for line in try Self.dossierRows(t, after: 0) { last[line.dossier] = line.row }
        let expected = try live.mapValues { try Self.row($0, reference: reference) }
        #expect(!expected.isEmpty)
        #expect(last == expected)
    }
}
