import Foundation
import Testing

/// show, dossiers, violations, kpi and rebuild as a user runs them.
@Suite struct ProjectionCommandTests {
    func ledgerWithFixture() throws -> String {
        let ledger = try Tool.initialisedLedger()
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        return ledger
    }

    @Test func showGivesTheStableFields() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["show", "H40.22-240304-0001", "--format", "json"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let o = Tool.objects(r.stdout)[0]
        #expect(o["state"] as? String == "returned")
        #expect(o["receivedAt"] as? String == "2024-03-04T09:15:00+07:00")
        #expect(o["dueAt"] as? String == "2024-03-08T07:45:05+07:00")
        #expect(o["outcome"] as? String == "late")
        #expect(o["supplementRequests"] as? Int == 1)
        for field in ["dossier", "procedure", "agency", "channel", "processedAt", "holder", "step"] { #expect(o.keys.contains(field)) }
        #expect(try Tool.run(["show", "nope"], ledger: ledger).status == 66)
    }

    @Test func dossiersFilterByStateAndAgencyInEachFormat() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let inProgress = Tool.objects(try Tool.run(["dossiers", "--state", "in_progress", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(inProgress.map { $0["dossier"] as? String } == ["H40.22-240306-0001"])
        #expect(inProgress[0]["holder"] as? String == "cb-002")
        let csv = try Tool.run(["dossiers", "--agency", "H40.22", "--format", "csv"], ledger: ledger).stdout
        #expect(csv.hasPrefix("\u{FEFF}dossier,state,procedure"))
        #expect(csv.split(separator: "\n").count == 6)
        let none = try Tool.run(["dossiers", "--agency", "H40"], ledger: ledger).stdout
        #expect(none.split(separator: "\n").count == 2)   // header and rule only
        #expect(try Tool.run(["dossiers", "--state", "flying"], ledger: ledger).status == 64)
    }

    @Test func violationsAsOfAnInstantWithEvidence() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let steps = Tool.objects(try Tool.run(["violations", "--code", "step_overdue", "--as-of", "2024-03-20T00:00:00+07:00", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(steps.count == 2)
        let approval = steps.first { $0["officer"] as? String == "cb-003" }!
        #expect(approval["step"] as? String == "Phê duyệt")
        #expect(approval["heldHours"] as? Double == 25.5)
        #expect(approval["evidence"] as? [Int] == [18, 20])
        // Before the dossier's due instant nothing is overdue in progress.
        let early = Tool.objects(try Tool.run(["violations", "--code", "overdue_in_progress", "--as-of", "2024-03-07", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(early.isEmpty)
        let later = Tool.objects(try Tool.run(["violations", "--code", "overdue_in_progress", "--as-of", "2024-03-20", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(later.map { $0["dossier"] as? String } == ["H40.22-240306-0001"])
        #expect(try Tool.run(["violations", "--code", "slow"], ledger: ledger).status == 64)
    }

    @Test func kpiTableShowsBandsAsWordsOffATerminal() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let table = try Tool.run(["kpi", "--rollup", "--period", "year", "--as-of", "2024-12-31"], ledger: ledger)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("100.0% green"))
        #expect(table.stdout.contains("0.0% red"))
        #expect(!table.stdout.contains("\u{1B}["))
        let lines = Tool.objects(try Tool.run(["kpi", "--rollup", "--period", "month", "--format", "ndjson", "--as-of", "2024-12-31"], ledger: ledger).stdout)
        #expect(lines.map { "\($0["agency"]!) \($0["period"]!)" } == ["H40 2024-03", "H40.22 2024-03"])
        #expect(lines[0]["received"] as? Int == 5)
        #expect(lines[0]["late"] as? Int == 1)
        #expect((lines[0]["band"] as? [String: Any])?["onTimeRate"] as? String == "red")
        let strict = Tool.objects(try Tool.run(["kpi", "--period", "year", "--format", "ndjson", "--bands", "onlineShare=10,5,1"], ledger: ledger).stdout)
        #expect((strict[0]["band"] as? [String: Any])?["onlineShare"] as? String == "green")
        #expect(try Tool.run(["kpi", "--period", "week"], ledger: ledger).status == 64)
    }

    @Test func rebuildThenVerifyAgree() throws {
        let ledger = try ledgerWithFixture()
        defer { Tool.remove(ledger) }
        let before = try Tool.run(["kpi", "--period", "day", "--format", "ndjson", "--as-of", "2024-12-31"], ledger: ledger).stdout
        let r = try Tool.run(["rebuild"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("from 35 events (5 dossiers)"))
        #expect(try Tool.run(["kpi", "--period", "day", "--format", "ndjson", "--as-of", "2024-12-31"], ledger: ledger).stdout == before)
        let v = try Tool.run(["verify"], ledger: ledger)
        #expect(v.status == 0)
        #expect(v.stdout.contains("projections match a rebuild"))
    }
}

@Suite struct WorkingHoursSettingTests {
    /// A ledger created with other working hours counts due instants in them.
    @Test func initWithWorkingHoursMovesDueInstants() throws {
        let reference = Array(Tool.fixtureLines()[0..<8])
        // 2.000001 takes 4 working hours; received Tuesday 12:00.
        let received = #"{"type":"dossier.received","dossier":"W-1","at":"2024-03-05T12:00:00+07:00","actor":"cb-001","data":{"procedure":"2.000001","agency":"H40.22","channel":"direct"}}"#
        var dues: [String] = []
        for hours in [nil, "08:00-12:00,13:30-17:30"] {
            let ledger = Tool.temporaryLedger()
            defer { Tool.remove(ledger) }
            let created = try Tool.run(["init"] + (hours.map { ["--working-hours", $0] } ?? []), ledger: ledger)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(try Tool.run(["append", Tool.file(reference + [received], beside: ledger)], ledger: ledger).status == 0)
            let o = Tool.objects(try Tool.run(["show", "W-1", "--format", "json"], ledger: ledger).stdout)[0]
            dues.append(o["dueAt"] as? String ?? "")
        }
        #expect(dues == ["2024-03-05T17:00:00+07:00", "2024-03-05T17:30:00+07:00"])
        let bad = Tool.temporaryLedger()
        defer { Tool.remove(bad) }
        #expect(try Tool.run(["init", "--working-hours", "17:00-08:00"], ledger: bad).status == 64)
    }
}
