import Foundation
import Testing

/// report 06a, scorecard, deadlines and the warning feed as a user runs them.
@Suite struct ReportCommandTests {
    func province(dossiers: Int = 800, seed: Int = 5) throws -> String { try Tool.generatedProvince(dossiers: dossiers, seed: seed) }

    static let columns = ["carriedOver", "receivedOnline", "receivedDirect", "receivedPostal", "processedEarly", "processedOnTime",
                          "processedLate", "endedOtherwise", "inProgressNotDue", "inProgressOverdue", "pausedNotDue", "pausedOverdue"]

    @Test func form06aInEachFormat() throws {
        let ledger = try province()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["report", "06a", "--rollup", "--period", "quarter", "--as-of", "2025-12-31", "--format", "ndjson"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = Tool.objects(r.stdout)
        #expect(!rows.isEmpty)
        for row in rows {
            for key in ["agency", "period"] + Self.columns { #expect(row[key] != nil, "\(key)") }
            func n(_ k: String) -> Int { row[k] as? Int ?? -1 }
            let left = n("carriedOver") + n("receivedOnline") + n("receivedDirect") + n("receivedPostal")
            let right = Self.columns.dropFirst(4).reduce(0) { $0 + n($1) }
            #expect(left == right, "the books balance: \(row["agency"]!) \(row["period"]!)")
        }
        let byProcedure = Tool.objects(try Tool.run(["report", "06a", "--by", "procedure", "--period", "year", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(byProcedure.allSatisfy { $0["procedure"] is String })
        // CSV: a byte-order mark, Vietnamese names intact.
        let csv = try Tool.run(["report", "06a", "--period", "year", "--format", "csv"], ledger: ledger).stdout
        #expect(csv.hasPrefix("\u{FEFF}agency,agencyName,period,carriedOver"))
        #expect(csv.contains("Nghệ An") || csv.contains("UBND"))
        // The table: the form's two header levels and a totals row.
        let table = try Tool.run(["report", "06a", "--period", "year"], ledger: ledger).stdout
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("received in period") && lines[0].contains("processed in period") && lines[0].contains("paused at end"))
        #expect(lines[1].hasPrefix("agency") && lines[1].contains("carried over"))
        #expect(lines.last?.hasPrefix("total") == true)
        #expect(try Tool.run(["report", "07b"], ledger: ledger).status == 64)
        #expect(try Tool.run(["report", "06a", "--period", "week"], ledger: ledger).status == 64)
        #expect(try Tool.run(["report", "06a", "--explain", "nothing"], ledger: ledger).status == 64)
    }

    /// An agency head disputes the figure: the list behind it has exactly as many dossiers.
    /// Times outside the years a working calendar covers are refused as
    /// usage errors, before any work: a report through 9999 would count
    /// every month up to it.
    @Test func timesOutsideTheCalendarYearsAreUsageErrors() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        for args in [["report", "06a", "--as-of", "9999-12-31"], ["scorecard", "--as-of", "2201-01-01T00:00:00+07:00"],
                     ["report", "06a", "--from", "1899"], ["violations", "--as-of", "0001-01-01"], ["kpi", "--to", "3024-03"]] {
            let r = try Tool.run(args, ledger: ledger)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("expected a time in the years 1900 to 2200"), "\(args): \(r.stderr)")
        }
        #expect(try Tool.run(["report", "06a", "--as-of", "2200-12-31"], ledger: ledger).status == 0)
    }

    @Test func everyFigureIsExplained() throws {
        let ledger = try province()
        defer { Tool.remove(ledger) }
        let scores = Tool.objects(try Tool.run(["scorecard", "--rollup", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(!scores.isEmpty)
        for row in scores {
            for key in ["agency", "period", "score", "measuredMax", "scorePercent", "band", "groups", "indicators", "scorecard"] {
                #expect(row[key] != nil, "\(key)")
            }
        }
        let province = try #require(scores.first { ($0["agency"] as? String)?.contains(".") == false })
        let agency = province["agency"] as! String
        for code in ["P1", "O3", "T1", "S1"] {
            let explained = Tool.objects(try Tool.run(["scorecard", "--rollup", "--agency", agency, "--explain", code, "--format", "ndjson"], ledger: ledger).stdout)
            for row in scores where row["agency"] as? String == agency {
                let indicator = (row["indicators"] as! [[String: Any]]).first { $0["code"] as? String == code }!
                let mine = explained.filter { $0["period"] as? String == row["period"] as? String }
                #expect(mine.filter { $0["part"] as? String == "numerator" }.count == indicator["numerator"] as? Int, "\(code) \(row["period"]!)")
                #expect(mine.filter { $0["part"] as? String == "denominator" }.count == indicator["denominator"] as? Int, "\(code) \(row["period"]!)")
            }
        }
        let report = Tool.objects(try Tool.run(["report", "06a", "--period", "quarter", "--format", "ndjson"], ledger: ledger).stdout)
        let late = Tool.objects(try Tool.run(["report", "06a", "--period", "quarter", "--explain", "processedLate", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(late.count == report.reduce(0) { $0 + ($1["processedLate"] as? Int ?? 0) })
        #expect(late.allSatisfy { $0["dossier"] is String && $0["seq"] is Int && $0["at"] is String })
    }

    @Test func scorecardRulesAreReferenceData() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let national = Tool.objects(try Tool.run(["scorecard", "--rules", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(national.map { $0["code"] as? String } == ["P1", "O1", "O2", "O3", "T1", "T2", "D1", "D2", "S1"])
        #expect(national.reduce(0.0) { $0 + ($1["points"] as? Double ?? 0) } == 56)
        // A bad definition: exit 65, the line and the rule named, nothing written.
        let head = try Tool.run(["stats"], ledger: ledger).stdout
        let bad = [#"{"type":"scorecard.defined","at":"2024-06-01T00:00:00+07:00","data":{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":5,"target":2}]}}"#]
        let refused = try Tool.run(["append", Tool.file(bad, beside: ledger)], ledger: ledger)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 1") && refused.stderr.contains("target must be a fraction in (0, 1]"))
        #expect(try Tool.run(["stats"], ledger: ledger).stdout == head)
        let good = [#"{"type":"scorecard.defined","at":"2024-06-01T00:00:00+07:00","data":{"name":"Tỉnh 2024","indicators":[{"code":"P1","measure":"on_time_share","group":"tiến độ","points":50}],"bands":{"green":95,"yellow":80,"orange":60}}}"#]
        #expect(try Tool.run(["append", Tool.file(good, beside: ledger)], ledger: ledger).status == 0)
        let rules = Tool.objects(try Tool.run(["scorecard", "--rules", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(rules.map { $0["scorecard"] as? String } == ["Tỉnh 2024"])
        let before = Tool.objects(try Tool.run(["scorecard", "--rules", "--as-of", "2024-05-30", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(before.count == 9, "a replay before it sees the national table")
        // The fixture's March is scored with the rules in force at the end of Q1: the national ones.
        let q1 = Tool.objects(try Tool.run(["scorecard", "--format", "ndjson"], ledger: ledger).stdout).first { $0["period"] as? String == "2024-Q1" }
        #expect(q1?["scorecard"] as? String == "766/QĐ-TTg")
    }

    @Test func deadlinesMostUrgentFirst() throws {
        let ledger = try province()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["deadlines", "--as-of", "2025-06-18T10:00:00+07:00", "--format", "ndjson"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = Tool.objects(r.stdout)
        #expect(!lines.isEmpty)
        for key in ["dossier", "agency", "bucket", "dueAt", "hoursLeft", "holder", "step", "stepHoursLeft", "paused"] {
            #expect(lines.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        let order = ["overdue": 0, "due_soon": 1, "not_due": 2]
        let keys = lines.map { (order[$0["bucket"] as! String]!, ($0["hoursLeft"] as? NSNumber)?.doubleValue ?? 0) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 <= $1.1) })
        #expect(lines.filter { $0["bucket"] as? String == "overdue" }.allSatisfy { (($0["hoursLeft"] as? NSNumber)?.doubleValue ?? 0) < 0 })
        #expect(lines.filter { $0["bucket"] as? String == "due_soon" }.allSatisfy { (($0["hoursLeft"] as? NSNumber)?.doubleValue ?? 99) <= 8 })
        let soon = Tool.objects(try Tool.run(["deadlines", "--as-of", "2025-06-18T10:00:00+07:00", "--bucket", "due_soon", "--within", "16", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(soon.allSatisfy { $0["bucket"] as? String == "due_soon" })
        #expect(soon.count >= lines.filter { $0["bucket"] as? String == "due_soon" }.count)
        if let holder = lines.first(where: { $0["holder"] is String })?["holder"] as? String {
            let mine = Tool.objects(try Tool.run(["deadlines", "--as-of", "2025-06-18T10:00:00+07:00", "--holder", holder, "--format", "ndjson"], ledger: ledger).stdout)
            #expect(!mine.isEmpty && mine.allSatisfy { $0["holder"] as? String == holder })
        }
        #expect(try Tool.run(["deadlines", "--bucket", "late"], ledger: ledger).status == 64)
    }

    /// The warning feed killed at random moments and restarted: every
    /// crossing of an uninterrupted run is delivered (repeats carry the same id).
    @Test func theWarningFeedLosesNoCrossingAcrossKills() throws {
        let ledger = try province(dossiers: 1500, seed: 9)
        defer { Tool.remove(ledger) }
        let started = Date()
        let reference = Tool.objects(try Tool.run(["subscribe", "reference", "--projection", "deadlines"], ledger: ledger).stdout)
        let uninterrupted = Date().timeIntervalSince(started)
        #expect(reference.count > 100)
        #expect(Set(reference.map { $0["id"] as! String }).count == reference.count, "ids are unique within one run")
        #expect(reference.allSatisfy { ["due_soon", "overdue"].contains($0["to"] as? String) || ["due_soon", "overdue"].contains($0["from"] as? String) })
        let dir = (ledger as NSString).deletingLastPathComponent
        var delivered: [String] = []
        var finished = false
        var kills = 0
        for round in 0..<20 where !finished {
            let file = dir + "/feed-\(round).ndjson"
            #expect(FileManager.default.createFile(atPath: file, contents: nil))
            let p = Process()
            p.executableURL = Tool.executable
            p.arguments = ["--ledger", ledger, "subscribe", "sms", "--projection", "deadlines"]
            p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Within the first tenth of a whole run's time: a run of the feed can be much quicker than the
            // reference run, which shared the machine with other tests, and the first round must still be cut.
            usleep(UInt32.random(in: 2_000...max(3_000, UInt32(uninterrupted * 100_000))))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 } else { finished = p.terminationStatus == 0 }
            p.waitUntilExit()
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)])
            delivered += Tool.objects(complete).map { $0["id"] as! String }
        }
        if !finished {
            let rest = try Tool.run(["subscribe", "sms", "--projection", "deadlines"], ledger: ledger)
            #expect(rest.status == 0, "\(rest.stderr)")
            delivered += Tool.objects(rest.stdout).map { $0["id"] as! String }
        }
        #expect(kills > 0, "the feed was killed at least once while it ran")
        #expect(Set(delivered) == Set(reference.map { $0["id"] as! String }))
        #expect(try Tool.run(["subscribe", "sms", "--projection", "deadlines"], ledger: ledger).stdout.isEmpty)
    }

    /// A dossier crosses into due_soon with nothing committed: the follower
    /// notices within its polling interval. The ledger works around the
    /// clock (today and tomorrow declared working days if they fall on a
    /// weekend), and the procedure takes 8 working hours and 3.6 seconds, so
    /// a dossier received now is due soon (8 hours left) 3.6 seconds later.
    @Test func aFollowerNoticesATimeCrossingWithNoEvent() throws {
        let ledger = Tool.temporaryLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["init", "--working-hours", "00:00-24:00"], ledger: ledger).status == 0)
        let zone = TimeZone(secondsFromGMT: 7 * 3600)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = Date()
        let days = [now, now.addingTimeInterval(86_400)].map { calendar.dateComponents([.year, .month, .day, .weekday], from: $0) }
        let weekend = days.filter { $0.weekday == 1 || $0.weekday == 7 }.filter { $0.year == days[0].year }
            .map { String(format: "\"%04d-%02d-%02d\"", $0.year!, $0.month!, $0.day!) }
        let year = days[0].year!
        let reference = [
            #"{"type":"calendar.declared","at":"\#(year)-01-01T00:00:00+07:00","data":{"year":\#(year),"holidays":[],"workdays":[\#(weekend.joined(separator: ","))]}}"#,
            #"{"type":"agency.registered","at":"\#(year)-01-01T00:00:00+07:00","data":{"code":"X","name":"UBND xã Thử","level":"commune"}}"#,
            #"{"type":"officer.registered","at":"\#(year)-01-01T00:00:00+07:00","data":{"id":"o1","name":"Cán bộ","agency":"X"}}"#,
            #"{"type":"procedure.defined","at":"\#(year)-01-01T00:00:00+07:00","data":{"code":"P","name":"Thủ tục","processingHours":8.001,"online":"none","steps":[{"name":"Xử lý","budgetHours":8}]}}"#,
        ]
        #expect(try Tool.run(["append", Tool.file(reference, beside: ledger)], ledger: ledger).status == 0)
        let file = (ledger as NSString).deletingLastPathComponent + "/warnings.ndjson"
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let follower = Process()
        follower.executableURL = Tool.executable
        follower.arguments = ["--ledger", ledger, "subscribe", "sms", "--projection", "deadlines", "--follow"]
        follower.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        let at = formatter.string(from: Date())
        let received = [#"{"type":"dossier.received","dossier":"D1","at":"\#(at)","actor":"o1","data":{"procedure":"P","agency":"X","channel":"direct"}}"#]
        #expect(try Tool.run(["append", Tool.file(received, beside: ledger)], ledger: ledger).status == 0)
        let deadline = Date().addingTimeInterval(20)
        var lines: [[String: Any]] = []
        while Date() < deadline {
            lines = Tool.objects((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").filter { !$0.isEmpty }
            if lines.contains(where: { $0["to"] as? String == "due_soon" }) { break }
            usleep(50_000)
        }
        let crossing = try #require(lines.first { $0["to"] as? String == "due_soon" })
        #expect(crossing["cause"] as? String == "time")
        #expect(crossing["dossier"] as? String == "D1")
        #expect(crossing["from"] as? String == "not_due")
        #expect((crossing["hoursLeft"] as? NSNumber)?.doubleValue == 8)
    }
}
