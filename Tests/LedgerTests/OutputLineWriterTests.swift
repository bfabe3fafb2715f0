import Testing
import LMDB
import LedgerStore
@testable import Projections

/// Subscription catch-up writes output lines straight from stored records;
/// they must be byte for byte the lines `RecordedEvent.writeJSON` gives.
@Suite struct OutputLineWriterTests {
    func compareEveryLine(_ t: TemporaryLedger) throws -> Int {
        let store = t.ledger.store
        var lines = OutputLineWriter(store: store)
        return try store.read { txn in
            var compared = 0
            try store.forEachRecord(in: txn) { seq, raw in
                var direct = JSONWriter()
                try lines.write(raw, seq: seq, into: &direct, in: txn)
                var decoded = JSONWriter()
                try store.decode(raw, seq: seq, in: txn).writeJSON(into: &decoded)
                #expect(String(decoding: direct.bytes, as: UTF8.self) == String(decoding: decoded.bytes, as: UTF8.self))
                compared += 1
                return true
            }
            return compared
        }
    }

    @Test func theFixtureTranscodesToTheDecodedLines() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        #expect(try compareEveryLine(t) == Fixture.lines().count)
    }

    @Test func awkwardDataTranscodesToTheDecodedLines() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        try t.append([
            Fixture.received(#"D-\"quoted\"\\x"#, "2024-03-04T09:00:00"),
            #"{"type":"dossier.assigned","dossier":"D-\"quoted\"\\x","at":"2024-03-04T09:10:00.5Z","actor":"cb-001","data":{"to":"cb-002","step":"Thẩm định","note":"tab\tnew\nline \u0001 \u001f ✓ 😀","nested":{"list":[1,-7,0.1,1.0,1e300,-0.0,2.5e-8,true,false,null,[],{}],"deep":{"x":[{"y":"z"}]}}},"id":"id-ü-1","recordedAt":"2024-03-04T02:10:00.123456789-05:30"}"#,
            #"{"type":"dossier.fee_paid","dossier":"D-\"quoted\"\\x","at":"2024-03-04T09:20:00+07:00","data":{"amount":150000.75,"online":true},"expectedVersion":2}"#,
        ], recordedAt: "2024-03-04T09:30:00.25+07:00")
        #expect(try compareEveryLine(t) == Fixture.reference.count + 3)
    }

    @Test func damagedBytesGiveACorruptErrorNotACrash() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let store = t.ledger.store
        var lines = OutputLineWriter(store: store)
        try store.read { txn in
            let good = Array(try txn.get(store.tables.events, key: Key.u64(12))!)
            for cut in [1, 10, 40, good.count - 1] {
                var w = JSONWriter()
                #expect(throws: LedgerError.self) {
                    try Array(good[0..<cut]).withUnsafeBytes { try lines.write($0, seq: 12, into: &w, in: txn) }
                }
            }
            var flipped = good
            flipped[0] = 99
            var w = JSONWriter()
            #expect(throws: LedgerError.self) { try flipped.withUnsafeBytes { try lines.write($0, seq: 12, into: &w, in: txn) } }
        }
    }
}
