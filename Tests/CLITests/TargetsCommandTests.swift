import Foundation
import Testing

/// `targets` and the targets feed as a department head and a dashboard use them.
@Suite struct TargetsCommandTests {
    static func target(_ holder: String, _ measure: String, _ value: Double, _ period: String, at: String = "2024-01-02T08:00:00") -> String {
        let field = holder.hasPrefix("cb-") ? "officer" : "agency"
        return #"{"type":"target.assigned","at":"\#(at)+07:00","data":{"\#(field)":"\#(holder)","measure":"\#(measure)","value":\#(value),"period":"\#(period)"}}"#
    }

    static func dossier(_ d: String, received: String, processed: String) -> [String] {
        [#"{"type":"dossier.received","dossier":"\#(d)","at":"\#(received)+07:00","actor":"cb-001","data":{"procedure":"2.000001","agency":"H40.22","channel":"direct"}}"#,
         #"{"type":"dossier.processed","dossier":"\#(d)","at":"\#(processed)+07:00","actor":"cb-001","data":{"outcome":"approved"}}"#]
    }

    /// The fixture's reference data, a yearly on-time target for H40.22 revised in May, and
    /// three dossiers: two processed on time in Q1, one late in April.
    func ledger() throws -> String {
        let ledger = try Tool.initialisedLedger()
        let lines: [String] = Array(Tool.fixtureLines().prefix(8)) + [
            Self.target("H40.22", "onTimeRate", 0.9, "2024"),
            Self.target("H40.22", "onTimeRate", 0.6, "2024", at: "2024-05-02T08:00:00"),
            Self.target("cb-001", "inputDigitisationRate", 0.5, "2024-Q1"),
        ] + Self.dossier("t1", received: "2024-02-05T09:00:00", processed: "2024-02-05T10:00:00")
          + Self.dossier("t2", received: "2024-03-05T09:00:00", processed: "2024-03-05T10:00:00")
          + Self.dossier("t3", received: "2024-04-02T09:00:00", processed: "2024-04-03T10:00:00")
        let r = try Tool.run(["append", Tool.file(lines, beside: ledger)], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        return ledger
    }

    @Test func aReplayBeforeARevisionShowsTheOldTarget() throws {
        let ledger = try ledger()
        defer { Tool.remove(ledger) }
        func row(_ arguments: [String]) throws -> [String: Any] {
            let r = try Tool.run(["targets", "--format", "ndjson", "--agency", "H40.22"] + arguments, ledger: ledger)
            #expect(r.status == 0, "\(r.stderr)")
            return Tool.objects(r.stdout).first { $0["holder"] as? String == "H40.22" } ?? [:]
        }
        let before = try row(["--as-of", "2024-04-30"])
        #expect(before["target"] as? Double == 0.9 && before["period"] as? String == "2024")
        #expect(before["numerator"] as? Int == 2 && before["denominator"] as? Int == 3)
        #expect(before["status"] as? String == "at_risk", "\(before)")
        let after = try row(["--as-of", "2024-06-30"])
        #expect(after["target"] as? Double == 0.6 && after["status"] as? String == "on_track", "\(after)")
        // A quarter reads the year's target; Q1 has ended: met.
        let q1 = try row(["--as-of", "2024-06-30", "--period", "2024-Q1"])
        #expect(q1["assignedFor"] as? String == "2024" && q1["period"] as? String == "2024-Q1" && q1["status"] as? String == "met")
        // The officer's quarter target, with --officer; the table says where a value is missing.
        let officer = Tool.objects(try Tool.run(["targets", "--officer", "cb-001", "--as-of", "2024-04-01", "--period", "2024-Q1", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(officer.count == 1 && officer.first?["status"] as? String == "missed" && officer.first?["holderKind"] as? String == "officer")
        let table = try Tool.run(["targets", "--as-of", "2024-06-30", "--period", "2024-Q1"], ledger: ledger)
        #expect(table.stdout.contains("2024-Q1 (of 2024)") && table.stdout.contains("met"), "\(table.stdout)")
        let csv = try Tool.run(["targets", "--as-of", "2024-06-30", "--format", "csv"], ledger: ledger).stdout
        #expect(csv.hasPrefix("\u{FEFF}holder,holderKind,measure,period"))
        #expect(try Tool.run(["targets", "--period", "2024-13"], ledger: ledger).status == 64)
        #expect(try Tool.run(["targets", "--officer", "cb-999"], ledger: ledger).status == 64)
        #expect(try Tool.run(["targets", "--as-of", "2023-06-30"], ledger: ledger).stdout.contains("no targets in force"))
    }

    @Test func aBadAssignmentIsRefusedByLineAndRule() throws {
        let ledger = try ledger()
        defer { Tool.remove(ledger) }
        let lines = [Self.target("H40", "onTimeRate", 0.8, "2024"), Self.target("H40", "onTimeRate", 80, "2024")]
        let r = try Tool.run(["append", Tool.file(lines, beside: ledger)], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 2") && r.stderr.contains("fraction from 0 to 1"), "\(r.stderr)")
        let rows = Tool.objects(try Tool.run(["targets", "--as-of", "2024-06-30", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(!rows.contains { $0["holder"] as? String == "H40" }, "nothing of the batch was written")
    }

    /// A dashboard follows the status changes: every target as it comes in
    /// force, then only what changes, and nothing twice.
    @Test func theFeedReportsEachStatusChangeOnce() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        // A target for the current year, so that "now" is inside its period.
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let calendar = #"{"type":"calendar.declared","at":"\#(year)-01-01T00:00:00+07:00","data":{"year":\#(year),"holidays":[],"workdays":[]}}"#
        let reference: [String] = [calendar] + Array(Tool.fixtureLines()[1..<8]) + [
            Self.target("H40.22", "onTimeRate", 0.75, "\(year)", at: "\(year)-01-02T08:00:00"),
        ]
        #expect(try Tool.run(["append", Tool.file(reference, beside: ledger)], ledger: ledger).status == 0)
        let first = Tool.objects(try Tool.run(["subscribe", "board", "--projection", "targets"], ledger: ledger).stdout)
        #expect(first.count == 1 && first[0]["from"] is NSNull && first[0]["to"] as? String == "no_data", "\(first)")
        #expect(first[0]["projection"] as? String == "targets" && first[0]["id"] is String)

        // A late dossier in January: 0 of 1 on time, at risk.
        let late = Self.dossier("f1", received: "\(year)-01-08T09:00:00", processed: "\(year)-01-09T10:00:00")
        #expect(try Tool.run(["append", Tool.file(late, beside: ledger)], ledger: ledger).status == 0)
        let second = Tool.objects(try Tool.run(["subscribe", "board", "--projection", "targets"], ledger: ledger).stdout)
        #expect(second.count == 1 && second[0]["from"] as? String == "no_data" && second[0]["to"] as? String == "at_risk", "\(second)")

        // Nothing new: nothing written, even after the idle re-evaluation interval would allow it.
        let third = try Tool.run(["subscribe", "board", "--projection", "targets"], ledger: ledger)
        #expect(third.status == 0 && Tool.objects(third.stdout).isEmpty, "\(third.stdout)")
        // Another subscriber under another name starts from the start and sees the status now.
        let other = Tool.objects(try Tool.run(["subscribe", "other", "--projection", "targets", "--agency", "H40"], ledger: ledger).stdout)
        #expect(other.count == 1 && other[0]["to"] as? String == "at_risk")
        #expect(try Tool.run(["subscribe", "x", "--projection", "targets", "--within", "8"], ledger: ledger).status == 64)
    }
}
