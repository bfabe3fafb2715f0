import Foundation
import Testing

/// audit and replay as an inspector and an auditor run them.
@Suite struct AuditCommandTests {
    func ledgerWithFixture() throws -> String {
        let ledger = try Tool.initialisedLedger()
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        return ledger
    }

    @Test func auditDossierReconstructsTheProcessControlSlip() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["audit", "dossier", "H40.22-240304-0001", "--format", "json", "--as-of", "2024-03-20"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let o = Tool.objects(r.stdout)[0]
        let holds = o["holds"] as! [[String: Any]]
        #expect(holds.map { $0["officer"] as? String } == ["cb-002", "cb-003"])
        // cb-002: Mon 09:20–14:00 (3h10), Tue 10:00–15:00 (3h30), 16:00:05–17:00, Wed 07:30–09:00 = 9.17 h of 16.
        #expect(holds[0]["heldHours"] as? Double == 9.17)
        #expect(holds[0]["budgetHours"] as? Double == 16)
        #expect(holds[1]["heldHours"] as? Double == 25.5)
        #expect(holds[1]["outcome"] as? String == "late")
        let pauses = o["pauses"] as! [[String: Any]]
        #expect(pauses.map { $0["reason"] as? String } == ["supplement", "obligation"])
        // Supplement wait Mon 14:00 → Tue 10:00: 3 + 2.5 = 5.5 working hours.
        #expect(pauses[0]["workingHours"] as? Double == 5.5)
        // After reception Mon 09:15 + 24 h: Mon 6.25, Tue 8, Wed 8, Thu 07:30 + 1.75 → Thu 09:15.
        // Unknown while paused; after the supplement (3.25 h used, 20.75 left from Tue 10:00): Thu 16:15;
        // after the obligation wait: Fri 07:45:05.
        let dueChanges = o["dueAt"] as! [[String: Any]]
        #expect(dueChanges.map { $0["seq"] as? Int } == [10, 12, 13, 14, 16])
        #expect(dueChanges.map { $0["dueAt"] as? String } == ["2024-03-07T09:15:00+07:00", nil, "2024-03-07T16:15:00+07:00", nil, "2024-03-08T07:45:05+07:00"])
        #expect((o["apology"] as? [String: Any])?["seq"] as? Int == 19)
        #expect((o["violations"] as! [[String: Any]]).contains { $0["code"] as? String == "late" })
        #expect((o["events"] as! [Any]).count == 16)
        let text = try Tool.run(["audit", "dossier", "H40.22-240304-0001", "--as-of", "2024-03-20"], ledger: ledger).stdout
        #expect(text.contains("process control slip (form 05)"))
        #expect(text.contains("Lê Minh Đức"))
    }

    @Test func asOfAndKnownAtShowWhereBackdatingHides() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let reference = Array(Tool.fixtureLines()[0..<8])
        let lines = reference + [
            #"{"type":"dossier.received","dossier":"B-1","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"2.000001","agency":"H40.22","channel":"direct"},"recordedAt":"2024-03-04T09:00:05+07:00"}"#,
            // Claims to have been processed on time on Monday, but was recorded on Friday.
            #"{"type":"dossier.processed","dossier":"B-1","at":"2024-03-04T12:00:00+07:00","actor":"cb-001","data":{"outcome":"approved"},"recordedAt":"2024-03-08T16:00:00+07:00"}"#,
        ]
        #expect(try Tool.run(["append", Tool.file(lines, beside: ledger)], ledger: ledger).status == 0)
        func state(_ option: String, _ t: String) throws -> String? {
            Tool.objects(try Tool.run(["show", "B-1", "--format", "json", option, t], ledger: ledger).stdout).first?["state"] as? String
        }
        #expect(try state("--as-of", "2024-03-05T12:00:00+07:00") == "processed")
        #expect(try state("--known-at", "2024-03-05T12:00:00+07:00") == "received")
        #expect(try state("--known-at", "2024-03-08T16:00:00+07:00") == "processed")
        // What the ledger knew on Wednesday: overdue in progress; what had happened: nothing wrong.
        let known = Tool.objects(try Tool.run(["violations", "--known-at", "2024-03-06", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(known.map { $0["code"] as? String } == ["overdue_in_progress"])
        let happened = Tool.objects(try Tool.run(["violations", "--as-of", "2024-03-06", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(happened.map { $0["code"] as? String } == ["backdated_entry"])
        // Before any of it, nothing.
        #expect(try Tool.run(["show", "B-1", "--as-of", "2024-03-01"], ledger: ledger).status == 66)
        let kpi = Tool.objects(try Tool.run(["kpi", "--known-at", "2024-03-06", "--period", "month", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(kpi.first?["processed"] as? Int == 0)
        #expect(try Tool.run(["show", "B-1", "--as-of", "2024-03-05", "--known-at", "2024-03-05"], ledger: ledger).status == 64)
    }

    @Test func officerDelaysAndHandovers() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let officer = Tool.objects(try Tool.run(["audit", "officer", "cb-003", "--format", "json", "--as-of", "2024-03-20"], ledger: ledger).stdout)[0]
        #expect(officer["stepsHeld"] as? Int == 1)
        #expect(officer["stepsOverBudget"] as? Int == 1)
        #expect(officer["hoursOverBudget"] as? Double == 21.5)
        #expect(officer["wentLateWhileHeld"] as? [String] == ["H40.22-240304-0001"])
        let requester = Tool.objects(try Tool.run(["audit", "officer", "cb-002", "--format", "json", "--as-of", "2024-03-20"], ledger: ledger).stdout)[0]
        #expect(requester["supplementRequests"] as? Int == 1)
        #expect(requester["repeatedSupplementRequests"] as? Int == 0)
        #expect(try Tool.run(["audit", "officer", "cb-999"], ledger: ledger).status == 66)

        let delays = Tool.objects(try Tool.run(["audit", "delays", "--by", "step", "--format", "ndjson", "--as-of", "2024-03-20"], ledger: ledger).stdout)
        #expect(delays.first?["step"] as? String == "Thẩm định")   // two holds, the most hours
        #expect(delays.first?["count"] as? Int == 2)
        let handovers = Tool.objects(try Tool.run(["audit", "handovers", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(handovers.map { "\($0["from"]!)→\($0["to"]!)" } == ["cb-002→cb-003"])
        #expect(try Tool.run(["audit", "delays", "--by", "colour"], ledger: ledger).status == 64)
        #expect(try Tool.run(["audit", "everything"], ledger: ledger).status == 64)
    }

    /// A code typed with its accent written the other way finds no dossier
    /// (codes are their bytes), and the refusal names the dossier held.
    @Test func aCodeTypedWithTheOtherSpellingNamesTheDossierHeld() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let stored = "H40.22-\u{DA}", typed = "H40.22-U\u{301}"
        let line = #"{"type":"dossier.received","dossier":"\#(stored)","at":"2024-03-07T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"}}"#
        #expect(try Tool.run(["append", "-"], ledger: ledger, stdin: Data((line + "\n").utf8)).status == 0)
        for command in [["show"], ["history"], ["audit", "dossier"]] {
            let r = try Tool.run(command + [typed], ledger: ledger)
            #expect(r.status == 66, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("it holds dossier \(stored), the same code with its accents written as single letters"), "\(command): \(r.stderr)")
            #expect(try Tool.run(command + [stored], ledger: ledger).status == 0, "\(command)")
        }
        let unknown = try Tool.run(["show", "NOPE-1"], ledger: ledger)
        #expect(unknown.status == 66)
        #expect(!unknown.stderr.contains("it holds"), "\(unknown.stderr)")
    }

    /// Two dossiers whose codes differ only in how an accent is written (one
    /// scalar, or a letter and a combining mark) are two dossiers an officer handled.
    @Test func anOfficerHandlesEachSpellingOfACodeAsADossier() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        func handled() throws -> Int? {
            Tool.objects(try Tool.run(["audit", "officer", "cb-002", "--format", "json", "--as-of", "2024-03-20"], ledger: ledger).stdout).first?["dossiersHandled"] as? Int
        }
        let before = try #require(try handled())
        let lines = ["H40.22-\u{DA}", "H40.22-U\u{301}"].flatMap { code in [
            #"{"type":"dossier.received","dossier":"\#(code)","at":"2024-03-07T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"}}"#,
            #"{"type":"dossier.assigned","dossier":"\#(code)","at":"2024-03-07T09:10:00+07:00","actor":"cb-001","data":{"to":"cb-002","step":"Thẩm định"}}"#,
        ] }
        let append = try Tool.run(["append", "-"], ledger: ledger, stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(append.status == 0, "\(append.stderr)")
        #expect(try handled() == before + 2)
        // Both are overdue on the site, each with a page of its own.
        let site = ledger + "-site"
        let r = try Tool.run(["site", "--out", site, "--as-of", "2024-03-20"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let pages = Set(try FileManager.default.contentsOfDirectory(atPath: site + "/dossier"))
        #expect(pages.isSuperset(of: ["H40.22-~C3~9A.html", "H40.22-U~CC~81.html"]), "\(pages.sorted())")
    }
}

@Suite struct ReplayCommandTests {
    @Test func replayWritesAReadOnlyProjectionSetAsOfAnInstant() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        var lines = Tool.fixtureLines()
        lines = lines.map { line in
            // Recorded as it happened, so --as-of and --known-at agree here.
            guard let at = line.range(of: #""at":"[^"]+""#, options: .regularExpression), !line.contains("recordedAt") else { return line }
            let value = line[at].dropFirst(6).dropLast()
            return String(line.dropLast()) + #","recordedAt":"\#(value)"}"#
        }
        let appended = try Tool.run(["append", Tool.file(lines, beside: ledger)], ledger: ledger)
        #expect(appended.status == 0, "\(appended.stderr)")
        let out = (ledger as NSString).deletingLastPathComponent + "/as-of-0305"
        let r = try Tool.run(["replay", "--as-of", "2024-03-05", "--out", out], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let dossiers = Tool.objects(try String(contentsOfFile: out + "/dossiers.ndjson", encoding: .utf8))
        // By the end of 5 March: A in progress (supplement back, obligation paid), B rejected, C withdrawn, D suspended; E not yet.
        #expect(dossiers.map { $0["dossier"] as? String } == ["H40.22-240304-0001", "H40.22-240304-0002", "H40.22-240305-0001", "H40.22-240305-0002"])
        #expect(dossiers.map { $0["state"] as? String } == ["in_progress", "rejected", "withdrawn", "suspended"])
        let manifest = Tool.objects(try String(contentsOfFile: out + "/manifest.json", encoding: .utf8))[0]
        #expect(manifest["ledgerHeadSeq"] as? Int == 35)
        // Read-only files in a read-only directory (checked by mode bits: root may write anything).
        for path in [out, out + "/dossiers.ndjson", out + "/manifest.json"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode & 0o222 == 0, "\(path) is writable: \(String(mode, radix: 8))")
        }
        #expect(try Tool.run(["replay", "--as-of", "2024-03-05", "--out", out], ledger: ledger).status == 73)
        #expect(try Tool.run(["replay", "--out", out + "2"], ledger: ledger).status == 64)
    }
}
