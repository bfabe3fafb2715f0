import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// XES and CSV, for process-mining tools and spreadsheets.
@Suite struct InterchangeTests {
    @Test func xesExportOpensAsXMLAndImportsBackAsAuditableHistories() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let xes = try Tool.run(["export", "--format", "xes"], ledger: ledger)
        #expect(xes.status == 0)
        let document = try XMLDocument(data: Data(xes.stdout.utf8))
        let traces = try document.nodes(forXPath: "//*[local-name()='trace']")
        #expect(traces.count == 5)
        let events = try document.nodes(forXPath: "//*[local-name()='event']")
        #expect(events.count == 27)
        #expect(xes.stdout.contains(#"<string key="concept:name" value="Thẩm định"/>"#))
        #expect(xes.stdout.contains(#"<date key="time:timestamp" value="2024-03-04T09:15:00.000+07:00"/>"#))
        #expect(xes.stdout.contains(#"<string key="org:resource" value="cb-002"/>"#))
        #expect(xes.stdout.contains(#"<date key="ledger:dueAt" value="2024-03-08T07:45:05.000+07:00"/>"#))

        // Imported elsewhere, plain and gzip: the same traces, idempotently, with officers registered.
        let other = try Tool.initialisedLedger()
        defer { Tool.remove(other) }
        let file = (other as NSString).deletingLastPathComponent + "/log.xes"
        try xes.stdout.write(toFile: file, atomically: false, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", file]
        try gzip.run()
        gzip.waitUntilExit()
        let first = try Tool.run(["import", "--format", "xes", file + ".gz", "--agency", "OLD"], ledger: other)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("5 traces, 27 events: imported 31 events"))   // 1 agency, 3 officers, 27 activities
        let again = try Tool.run(["import", "--format", "xes", file, "--agency", "OLD"], ledger: other)
        #expect(again.stdout.contains("imported 0 events, 27 already stored"))
        let audit = Tool.objects(try Tool.run(["audit", "dossier", "H40.22-240304-0001", "--format", "json"], ledger: other).stdout)[0]
        #expect((audit["state"] as? [String: Any])?["state"] as? String == "external")
        #expect((audit["holds"] as! [[String: Any]]).contains { $0["step"] as? String == "Thẩm định" && $0["officer"] as? String == "cb-002" })
        let handovers = Tool.objects(try Tool.run(["audit", "handovers", "--format", "ndjson"], ledger: other).stdout)
        // Received by cb-001, then "Thẩm định" by cb-002.
        #expect(handovers.contains { $0["from"] as? String == "cb-001" && $0["to"] as? String == "cb-002" })
        #expect(!handovers.contains { $0["from"] as? String == $0["to"] as? String })
        #expect(try Tool.run(["verify"], ledger: other).status == 0)
    }

    @Test func aBrokenXESIsRefusedWithNothingWritten() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let file = (ledger as NSString).deletingLastPathComponent + "/bad.xes"
        try #"<log><trace><string key="concept:name" value="T1"/><event><string key="concept:name" value="a"/></event></trace></log>"#
            .write(toFile: file, atomically: false, encoding: .utf8)
        let r = try Tool.run(["import", "--format", "xes", file], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 1: event 1 of trace T1 has no time:timestamp"))
        try "<log><trace>".write(toFile: file, atomically: false, encoding: .utf8)
        let cut = try Tool.run(["import", "--format", "xes", file], ledger: ledger)
        #expect(cut.status == 65)
        #expect(cut.stderr.contains("line 1, column 13: the document ends inside <trace>"), "\(cut.stderr)")
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
    }

    @Test func csvExportStartsWithAByteOrderMark() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let csv = try Tool.run(["export", "--format", "csv", "--dossier", "H40.22-240304-0002"], ledger: ledger).stdout
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "\u{FEFF}seq,type,dossier,version,at,actor,data,id,expectedVersion,recordedAt,hash")
        #expect(lines[2].contains(#"dossier.rejected,H40.22-240304-0002,2,2024-03-04T10:05:00+07:00,cb-001,"{""reason"":""Không thuộc thẩm quyền""}""#))
    }
}
