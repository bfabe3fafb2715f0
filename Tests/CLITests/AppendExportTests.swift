import Foundation
import Testing

/// append → export round trips, atomic refusal and idempotency, as a user sees them.
@Suite struct AppendExportTests {
    @Test func everyContractTypeRoundTripsThroughAppendAndExport() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let append = try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        #expect(append.status == 0, "\(append.stderr)")
        #expect(append.stdout.contains("stored 35 events: seq 1–35"))

        let export = try Tool.run(["export"], ledger: ledger)
        #expect(export.status == 0)
        let input = Tool.fixtureLines().map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let output = Tool.objects(export.stdout)
        #expect(output.count == input.count)
        let types = Set(output.compactMap { $0["type"] as? String })
        #expect(types.count == 22, "every contract type is in the fixture: \(types.sorted())")
        var versions: [String: Int] = [:]
        for (i, (given, stored)) in zip(input, output).enumerated() {
            // Everything given comes back unchanged…
            for (key, value) in given {
                #expect(NSDictionary(dictionary: [key: value]).isEqual(to: [key: stored[key] as Any]), "line \(i + 1) field \(key)")
            }
            // …plus the fields the ledger adds.
            #expect(stored["seq"] as? Int == i + 1)
            #expect((stored["hash"] as? String)?.count == 64)
            #expect(stored["recordedAt"] is String)
            if let dossier = given["dossier"] as? String {
                versions[dossier, default: 0] += 1
                #expect(stored["version"] as? Int == versions[dossier])
            } else {
                #expect(stored["version"] == nil)
            }
        }
        let verify = try Tool.run(["verify"], ledger: ledger)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("35 events verified"))
    }

    /// JSON allows an empty key and an empty string; both are stored, come
    /// back unchanged and keep the chain verifiable.
    @Test func anEmptyKeyAndAnEmptyStringRoundTrip() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let line = #"{"type":"dossier.rated","dossier":"H40.22-240304-0001","at":"2024-03-20T09:00:00+07:00","data":{"":"","score":5,"note":{"":[""]}}}"#
        let append = try Tool.run(["append", "-"], ledger: ledger, stdin: Data((line + "\n").utf8))
        #expect(append.status == 0, "\(append.stderr)")
        let export = try Tool.run(["export", "--from", "36"], ledger: ledger)
        let stored = try #require(Tool.objects(export.stdout).first)
        let data = try #require(stored["data"] as? [String: Any])
        #expect(data.count == 3)
        #expect(data[""] as? String == "")
        #expect(data["score"] as? Int == 5)
        #expect((data["note"] as? [String: Any])?[""] as? [String] == [""])
        let verify = try Tool.run(["verify"], ledger: ledger)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// Text that differs only in how an accent is written — one precomposed
    /// scalar, or a letter and a combining mark, as different keyboards
    /// type Vietnamese — is different text to the ledger (Swift's `==`
    /// holds it equal): each event comes back with the bytes it was given,
    /// whether the two spellings meet in one batch or in two, and the chain
    /// verifies.
    @Test func textSpelledWithACombiningAccentIsKeptByteForByte() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let composed = "\u{DA}", combining = "U\u{301}"   // Ú
        #expect(composed == combining)
        func received(_ accent: String, _ n: Int) -> String {
            #"{"type":"dossier.received","dossier":"H40.22-\#(accent)-\#(n)","at":"2024-03-05T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct","ghi ch\#(accent)":"\#(accent)"},"id":"nfc-\#(n)-\#(accent.unicodeScalars.count)"}"#
        }
        // Two batches, one spelling each; then one batch with both.
        let batches = [[received(composed, 1)], [received(combining, 1)], [received(composed, 2), received(combining, 2)]]
        for batch in batches {
            let append = try Tool.run(["append", "-"], ledger: ledger, stdin: Data((batch.joined(separator: "\n") + "\n").utf8))
            #expect(append.status == 0, "\(append.stderr)")
        }
        let given = batches.joined().map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let stored = Tool.objects(try Tool.run(["export", "--from", "36"], ledger: ledger).stdout)
        #expect(stored.count == 4)
        for (g, s) in zip(given, stored) {
            let code = try #require(g["dossier"] as? String)
            #expect(Array((s["dossier"] as? String ?? "").utf8) == Array(code.utf8), "the code as given: \(code.unicodeScalars.count) scalars")
            #expect(s["version"] as? Int == 1, "\(code.unicodeScalars.count) scalars: a dossier of its own")
            let givenKeys = Set(((g["data"] as? [String: Any]) ?? [:]).keys.map { Array($0.utf8) })
            let storedData = (s["data"] as? [String: Any]) ?? [:]
            #expect(Set(storedData.keys.map { Array($0.utf8) }) == givenKeys)
            let accented = storedData.first { $0.key.hasPrefix("ghi ch") }
            #expect(Array(((accented?.value as? String) ?? "").utf8) == Array(code.split(separator: "-")[1].utf8))
        }
        // The first event's id again, with the other spelling: not a retry of it.
        let reused = received(combining, 1).replacingOccurrences(of: "nfc-1-2", with: "nfc-1-1")
        let conflict = try Tool.run(["append", "-"], ledger: ledger, stdin: Data((reused + "\n").utf8))
        #expect(conflict.status != 0)
        #expect(conflict.stderr.contains("already stored at seq 36 with different content"), "\(conflict.stderr)")
        let retry = try Tool.run(["append", "-"], ledger: ledger, stdin: Data((received(composed, 1) + "\n").utf8))
        #expect(retry.status == 0, "\(retry.stderr)")
        let verify = try Tool.run(["verify"], ledger: ledger)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func exportFiltersBySeqAndDossier() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let range = Tool.objects(try Tool.run(["export", "--from", "10", "--to", "12"], ledger: ledger).stdout)
        #expect(range.map { $0["seq"] as? Int } == [10, 11, 12])
        let one = Tool.objects(try Tool.run(["export", "--dossier", "H40.22-240304-0002"], ledger: ledger).stdout)
        #expect(one.map { $0["type"] as? String } == ["dossier.received", "dossier.rejected"])
        #expect(one.map { $0["version"] as? Int } == [1, 2])
    }

    @Test func aBadLineInTheMiddleStoresNothing() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        var lines = Tool.fixtureLines()
        // Line 12: a supplement request without its items.
        lines[11] = lines[11].replacingOccurrences(of: #""items":["Bản vẽ thiết kế"],"#, with: "")
        let bad = Tool.file(lines, beside: ledger)
        let r = try Tool.run(["append", bad], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 12"))
        #expect(r.stderr.contains("H40.22-240304-0001"))
        #expect(r.stderr.contains("data.items"))
        #expect(r.stderr.contains("nothing written"))
        #expect(try Tool.run(["export"], ledger: ledger).stdout.isEmpty)
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
    }

    @Test func reimportingTheSameFileStoresNothingNew() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let first = try Tool.run(["import", Tool.fixture("small-province.ndjson"), "--batch", "7"], ledger: ledger)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("imported 35 events (seq 1–35)"))
        let before = try Tool.run(["stats"], ledger: ledger).stdout
        let again = try Tool.run(["import", Tool.fixture("small-province.ndjson"), "--batch", "7"], ledger: ledger)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("imported 0 events, 35 already stored"))
        #expect(try Tool.run(["stats"], ledger: ledger).stdout == before)
    }

    @Test func anInterruptedImportResumesWithoutDuplicates() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        // The first run stops at a refused line 30 (batches of 10: lines 1–20 stored).
        var broken = lines
        broken[29] = #"{"type":"dossier.received","dossier":"X","at":"not a time"}"#
        let r = try Tool.run(["import", Tool.file(broken, beside: ledger), "--batch", "10"], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 30"))
        #expect(r.stderr.contains("seq 1–20"))
        // Fixed and re-run: the rest is stored, nothing twice.
        let fixed = try Tool.run(["import", Tool.file(lines, beside: ledger), "--batch", "10"], ledger: ledger)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("imported 15 events (seq 21–35), 20 already stored"))
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }

    /// A batch is read into its transaction a chunk of 4,096 lines at a
    /// time (`ImportCommand.chunkSize`): a bad line in a later chunk still
    /// refuses the whole batch, and only the batches before it stay.
    @Test func aBadLineLateInALargeBatchRefusesTheWholeBatch() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        var lines = Array(Tool.fixtureLines()[0..<8])
        for i in 0..<10_000 {
            lines.append(#"{"type":"dossier.received","dossier":"C-\#(i)","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"},"id":"c-\#(i)"}"#)
        }
        var broken = lines
        broken[9_499] = #"{"type":"dossier.received","dossier":"C-x","at":"2024-03-04T09:00:00","data":{}}"#
        // One batch (the default size): nothing stored.
        let whole = try Tool.run(["import", Tool.file(broken, beside: ledger)], ledger: ledger)
        #expect(whole.status == 65)
        #expect(whole.stderr.contains("line 9500"), "\(whole.stderr)")
        #expect(whole.stderr.contains("nothing was stored"))
        #expect(whole.stderr.contains("refused, nothing written: line 9500"), "\(whole.stderr)")
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
        // Batches of 6,000: the first (lines 1–6000, two chunks) stays; nothing of the second (three chunks).
        let split = try Tool.run(["import", Tool.file(broken, beside: ledger), "--batch", "6000"], ledger: ledger)
        #expect(split.status == 65)
        #expect(split.stderr.contains("the 6000 events before this batch were stored (seq 1–6000)"), "\(split.stderr)")
        #expect(split.stderr.contains("refused, nothing of its batch written: line 9500"), "\(split.stderr)")
        #expect(!split.stderr.contains("refused, nothing written"), "the first batch was written: \(split.stderr)")
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           6000"))
        let fixed = try Tool.run(["import", Tool.file(lines, beside: ledger), "--batch", "6000"], ledger: ledger)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("imported 4008 events (seq 6001–10008), 6000 already stored"), "\(fixed.stdout)")
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }

    /// Large events end a chunk before its 4,096 lines (at 1 MiB of input,
    /// `ImportCommand.chunkBytes`): every line still lands once, in order,
    /// and a bad line in a later chunk still refuses its whole batch.
    @Test func largeEventsAreReadInSmallerChunksAndNoneIsLostAtTheirEdges() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let note = String(repeating: "ghi chú ", count: 400)   // about 4 KB a line: a chunk ends near 260 lines
        var lines = Array(Tool.fixtureLines()[0..<8])
        for i in 0..<1_500 {
            lines.append(#"{"type":"dossier.received","dossier":"L-\#(i)","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct","note":"\#(note)"},"id":"l-\#(i)"}"#)
        }
        var broken = lines
        broken[1_299] = #"{"type":"dossier.received","dossier":"L-x","at":"2024-03-04T09:00:00","data":{}}"#
        let refused = try Tool.run(["import", Tool.file(broken, beside: ledger), "--batch", "1000"], ledger: ledger)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 1300"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the 1000 events before this batch were stored (seq 1–1000)"), "\(refused.stderr)")
        let fixed = try Tool.run(["import", Tool.file(lines, beside: ledger), "--batch", "1000"], ledger: ledger)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("imported 508 events (seq 1001–1508), 1000 already stored"), "\(fixed.stdout)")
        // Each dossier's one event, in input order.
        let exported = try Tool.run(["export"], ledger: ledger).stdout.split(separator: "\n")
        #expect(exported.count == 1_508)
        let firstOutOfPlace = zip(exported.dropFirst(8), 0...).first { line, i in !line.contains(#""dossier":"L-\#(i)""#) }?.1
        #expect(firstOutOfPlace == nil, "event of L-\(firstOutOfPlace ?? -1) is not where the input had it")
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }

    @Test func aRepeatedIDReportsTheOriginalSeqAndDifferentContentIsAConflict() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        try Tool.run(["append", Tool.file(Array(lines[0..<9]), beside: ledger)], ledger: ledger)
        let again = try Tool.run(["append", Tool.file([lines[8]], beside: ledger)], ledger: ledger)
        #expect(again.status == 0)
        #expect(again.stdout.contains("stored nothing new; 1 already stored (line 1 → seq 9)"))
        let changed = lines[8].replacingOccurrences(of: "08:00:00", with: "08:01:00")
        let conflict = try Tool.run(["append", Tool.file([changed], beside: ledger)], ledger: ledger)
        #expect(conflict.status == 65)
        #expect(conflict.stderr.contains("id \"fx-009\" is already stored at seq 9 with different content"))
    }

    @Test func anExpectedVersionConflictExits75AndWritesNothing() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        try Tool.run(["append", Tool.file(Array(lines[0..<10]), beside: ledger)], ledger: ledger)
        let head = try Tool.run(["stats"], ledger: ledger).stdout
        let stale = #"{"type":"dossier.assigned","dossier":"H40.22-240304-0001","at":"2024-03-04T09:20:00+07:00","actor":"cb-001","data":{"to":"cb-002","step":"Thẩm định"},"expectedVersion":1}"#
        let r = try Tool.run(["append", Tool.file([stale], beside: ledger)], ledger: ledger)
        #expect(r.status == 75)
        #expect(r.stderr.contains("expectedVersion 1 but the dossier is at version 2"))
        #expect(try Tool.run(["stats"], ledger: ledger).stdout == head)
        let fresh = stale.replacingOccurrences(of: #""expectedVersion":1"#, with: #""expectedVersion":2"#)
        #expect(try Tool.run(["append", Tool.file([fresh], beside: ledger)], ledger: ledger).status == 0)
    }
}
