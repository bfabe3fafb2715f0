import Testing
import DossierRules
import LMDB
import LedgerStore
import LedgerContract
@testable import Projections

/// Every fold reads stored records in place (`RecordView`, `DossierEvent.Reader`):
/// the facts it gives the rules must be what the decoded event's JSON says.
@Suite struct DossierEventReaderTests {
    /// Every dossier event of the ledger, read both ways.
    func bothReadings(_ t: TemporaryLedger) throws -> [(inPlace: DossierEvent, decoded: DossierEvent)] {
        let store = t.ledger.store
        return try store.read { txn in
            let reader = DossierEvent.Reader(strings: try store.stringTexts(in: txn))
            var pairs: [(DossierEvent, DossierEvent)] = []
            // One event reused for every record, as the fold reads them: nothing of an
            // earlier event may remain in it.
            var reused = DossierEvent(type: .dossierReceived, seq: 0, version: 0, at: 0, recordedAt: 0)
            try store.forEachRecord(in: txn) { seq, raw in
                let view = try RecordView(raw, seq: seq)
                if view.isDossierEvent {
                    let fresh = try reader.event(view)
                    try reader.read(view, into: &reused)
                    #expect(reused == fresh, "seq \(seq): a reused event differs from a fresh one")
                    pairs.append((fresh, Self.facts(of: try store.decode(raw, seq: seq, in: txn))))
                }
                return true
            }
            return pairs
        }
    }

    /// The facts of a decoded event as its JSON says them: the first member
    /// of each name, read as `JSONObject[name]?.stringValue` (…`numberValue`,
    /// `boolValue`, `intValue`) would.
    static func facts(of r: RecordedEvent) -> DossierEvent {
        let e = r.event
        var d = DossierEvent(type: e.type, seq: r.seq, version: r.version ?? 0, at: e.at.seconds, recordedAt: r.recordedAt.seconds, actor: e.actor)
        let data = e.data
        d.procedure = data["procedure"]?.stringValue
        d.agency = data["agency"]?.stringValue
        d.channel = data["channel"]?.stringValue
        d.to = data["to"]?.stringValue
        d.step = data["step"]?.stringValue
        d.part = data["part"]?.stringValue
        d.outcome = data["outcome"]?.stringValue
        d.newDueAt = data["newDueAt"]?.stringValue.flatMap { try? Timestamp(rfc3339: $0) }?.seconds
        d.amount = data["amount"]?.numberValue
        d.online = data["online"]?.boolValue
        d.score = data["score"]?.intValue
        d.resource = data["resource"]?.stringValue
        d.activity = data["activity"]?.stringValue
        d.voidedSeq = data["seq"]?.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
        return d
    }

    @Test func theFixtureReadsTheSameInPlaceAndDecoded() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let pairs = try bothReadings(t)
        #expect(pairs.count > 20)
        for (inPlace, decoded) in pairs { #expect(inPlace == decoded) }
        #expect(pairs.contains { $0.inPlace.to != nil && $0.inPlace.step != nil })
        #expect(pairs.contains { $0.inPlace.voidedSeq != nil })
    }

    @Test func oddDataReadsTheSameWayAndFoldsAsLive() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        // Fields of other kinds than the rules expect, nested values
        // and long codes that are not interned all read as the decoded JSON does.
        try t.append([
            Fixture.received("D-1", "2024-03-04T09:00:00"),
            Fixture.event("dossier.assigned", "D-1", "2024-03-04T09:10:00",
                          #"{"to":"cb-002","step":"Thẩm định","note":{"a":[1,2.5,"x\n",null,{"b":true}]}}"#),
            Fixture.event("dossier.fee_paid", "D-1", "2024-03-04T09:20:00", #"{"amount":150000,"online":true,"receipt":"R-\u0001"}"#),
            Fixture.event("dossier.digitised", "D-1", "2024-03-04T09:30:00", #"{"part":"input","online":"yes","amount":[1]}"#),
            Fixture.event("dossier.apology_issued", "D-1", "2024-03-05T09:30:00",
                          #"{"reason":"\#(String(repeating: "chậm ", count: 30))","newDueAt":"2024-03-12T10:00:00+07:00"}"#),
            Fixture.event("dossier.processed", "D-1", "2024-03-06T09:30:00", #"{"outcome":"approved"}"#),
        ])
        let pairs = try bothReadings(t)
        for (inPlace, decoded) in pairs { #expect(inPlace == decoded) }
        let assigned = pairs.first { $0.inPlace.type == .dossierAssigned }!.inPlace
        #expect(assigned.step == "Thẩm định")
        #expect(pairs.first { $0.inPlace.type == .dossierFeePaid }!.inPlace.amount == 150000)
        #expect(pairs.first { $0.inPlace.type == .dossierApologyIssued }!.inPlace.newDueAt != nil)
        #expect(try t.ledger.projectionDifferences().isEmpty)
        try t.ledger.rebuildProjections()
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }
}
