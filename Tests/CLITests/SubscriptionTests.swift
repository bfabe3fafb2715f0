import Foundation
import Testing

/// Subscriptions as a service author uses them: kill, restart, prove by seq.
@Suite struct SubscriptionTests {
    /// Starts the tool with stdout going to `file`.
    func start(_ arguments: [String], ledger: String, output file: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let p = Process()
        p.executableURL = Tool.executable
        p.arguments = ["--ledger", ledger] + arguments
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func seqs(_ text: String) -> [Int] {
        // A line cut by the kill has no newline yet: it was not delivered.
        let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)])
        return Tool.objects(complete).compactMap { $0["seq"] as? Int }
    }

    func waitFor(_ file: String, timeout: Double = 10, until done: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if done(text) { break }
            usleep(5000)
        }
        return text
    }

    func bigLedger() throws -> (String, Int) {
        let ledger = try Tool.initialisedLedger()
        let generated = try Tool.run(["generate", "--dossiers", "600", "--seed", "5"])
        let file = Tool.file(generated.stdout.split(separator: "\n").map(String.init), beside: ledger)
        let r = try Tool.run(["import", file], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        return (ledger, generated.stdout.split(separator: "\n").count)
    }

    @Test func aFollowerKilledMidStreamResumesWithoutGaps() throws {
        let (ledger, total) = try bigLedger()
        defer { Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        let first = dir + "/first.ndjson"
        let follower = try start(["subscribe", "sms", "--follow"], ledger: ledger, output: first)
        _ = waitFor(first) { $0.count > 20_000 }
        kill(follower.processIdentifier, SIGKILL)
        follower.waitUntilExit()
        let delivered = seqs(try String(contentsOfFile: first, encoding: .utf8))
        #expect(!delivered.isEmpty)
        let rest = seqs(try Tool.run(["subscribe", "sms"], ledger: ledger).stdout)
        // In order, nothing skipped: the restart begins at or before the line after the last one delivered
        // (it has nothing left only when the kill came after the last acknowledgement)…
        #expect(delivered == Array(1..<(delivered.count + 1)))
        let resumedAt = rest.first ?? total + 1
        #expect(resumedAt <= delivered.count + 1)
        #expect(rest == Array(resumedAt..<(total + 1)))
        // …and repeats only what was not acknowledged.
        #expect(Set(delivered + rest) == Set(1...total))
        // Caught up: nothing more.
        #expect(try Tool.run(["subscribe", "sms"], ledger: ledger).stdout.isEmpty)
    }

    @Test func subscriptionsAreIndependentAndFiltersResume() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        #expect(try Tool.run(["append", Tool.file(Array(lines[0..<20]), beside: ledger)], ledger: ledger).status == 0)
        let all = seqs(try Tool.run(["subscribe", "warehouse"], ledger: ledger).stdout)
        #expect(all == Array(1...20))
        let received = seqs(try Tool.run(["subscribe", "portal", "--types", "dossier.received,dossier.processed"], ledger: ledger).stdout)
        #expect(received == [10, 20])
        #expect(try Tool.run(["append", Tool.file(Array(lines[20...]), beside: ledger)], ledger: ledger).status == 0)
        // Each resumes from its own checkpoint; the filtered one only gets its types.
        #expect(seqs(try Tool.run(["subscribe", "portal", "--types", "dossier.received,dossier.processed"], ledger: ledger).stdout) == [25, 27, 29, 32])
        #expect(seqs(try Tool.run(["subscribe", "warehouse"], ledger: ledger).stdout) == Array(21...35))
        let list = Tool.objects(try Tool.run(["subscriptions", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(list.map { $0["name"] as? String } == ["portal", "warehouse"])
        #expect(list.allSatisfy { $0["checkpoint"] as? Int == 35 && $0["lag"] as? Int == 0 })
        #expect(seqs(try Tool.run(["subscribe", "warehouse", "--from", "34"], ledger: ledger).stdout) == [34, 35])
        // A name no subscription can have is refused by name, whichever feed is asked for.
        for args in [["subscribe", ""], ["subscribe", "two words"], ["subscribe", "", "--projection", "deadlines"]] {
            let r = try Tool.run(args, ledger: ledger)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("must be 1–128 bytes without spaces"), "\(args): \(r.stderr)")
        }
    }

    /// A ledger holding the first quarter of a generated province, with a
    /// `--follow` feed of each of `projections` started at its middle
    /// (subscription `ahead-NAME`, lines in `ahead-NAME.ndjson` beside the
    /// ledger) while the log is behind them, then the rest imported.
    func feedsStartedAhead(_ projections: [String]) throws -> (ledger: String, from: Int, followers: [Process]) {
        let ledger = try Tool.initialisedLedger()
        let dir = (ledger as NSString).deletingLastPathComponent
        let lines = try Tool.run(["generate", "--dossiers", "300", "--seed", "5"]).stdout.split(separator: "\n").map(String.init)
        let (stored, from) = (lines.count / 4, lines.count / 2)
        #expect(try Tool.run(["import", Tool.file(Array(lines[..<stored]), beside: ledger)], ledger: ledger).status == 0)
        let followers = try projections.map { projection in
            try start(["subscribe", "ahead-\(projection)", "--projection", projection, "--from", "\(from)", "--follow"],
                      ledger: ledger, output: dir + "/ahead-\(projection).ndjson")
        }
        // All have begun, while the log is behind them.
        _ = waitFor(dir + "/none") { _ in
            ((try? Tool.run(["subscriptions", "--format", "ndjson"], ledger: ledger).stdout) ?? "")
                .components(separatedBy: "ahead-").count == projections.count + 1
        }
        usleep(300_000)
        #expect(try Tool.run(["import", Tool.file(lines, beside: ledger)], ledger: ledger).status == 0)
        return (ledger, from, followers)
    }

    func stop(_ followers: [Process]) {
        for f in followers { kill(f.processIdentifier, SIGKILL); f.waitUntilExit() }
    }

    /// A projection feed following the log from a seq it has not reached
    /// prints nothing until it has; then, from that seq, it prints what a
    /// feed that followed the whole log prints.
    @Test func aProjectionFeedStartedAheadOfTheLogShowsWhatAWholeFeedShows() throws {
        let projections = ["dossiers", "kpi"]
        let (ledger, from, followers) = try feedsStartedAhead(projections)
        defer { stop(followers); Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        for projection in projections {
            let whole = try Tool.run(["subscribe", "whole-\(projection)", "--projection", projection, "--from-start"], ledger: ledger).stdout
            let fromStart = whole.split(separator: "\n").filter { line in
                (Tool.objects(String(line)).first?["seq"] as? Int).map { $0 >= from } ?? false
            }
            #expect(fromStart.count > 100, "\(projection)")
            let ahead = waitFor(dir + "/ahead-\(projection).ndjson") { $0.split(separator: "\n").count >= fromStart.count }
            #expect(ahead.split(separator: "\n") == fromStart, "\(projection)")
        }
    }

    /// A deadline or target feed following the log from a seq it has not
    /// reached prints no line before that seq; then the deadline feed prints
    /// what a feed that followed the whole log prints, and the target feed
    /// what a feed resumed at that seq prints.
    @Test func aClockedFeedStartedAheadOfTheLogPrintsNothingBeforeItsStart() throws {
        let projections = ["deadlines", "targets"]
        let (ledger, from, followers) = try feedsStartedAhead(projections)
        defer { stop(followers); Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        for projection in projections {
            let text = waitFor(dir + "/ahead-\(projection).ndjson") { text in
                Tool.objects(text).contains { ($0["seq"] as? Int ?? 0) > from }
            }
            let printed = Tool.objects(text)
            #expect(printed.contains { ($0["seq"] as? Int ?? 0) > from }, "\(projection)")
            for line in printed {
                // A time crossing or an evaluation carries the last seq folded; an event's crossing, the event's.
                let seq = line["seq"] as? Int ?? 0
                #expect(line["cause"] as? String == "event" ? seq >= from : seq >= from - 1, "\(projection): \(line)")
            }
        }
        // The deadline feed prints, from its start, what a feed that followed the whole log prints.
        let whole = try Tool.run(["subscribe", "whole", "--projection", "deadlines", "--from-start"], ledger: ledger).stdout
            .split(separator: "\n").filter { line in
                let crossing = Tool.objects(String(line)).first ?? [:], seq = crossing["seq"] as? Int ?? 0
                return crossing["cause"] as? String == "event" ? seq >= from : seq >= from - 1
            }
        let deadlines = waitFor(dir + "/ahead-deadlines.ndjson") { $0.split(separator: "\n").count >= whole.count }
        #expect(whole.count > 50)
        #expect(deadlines.split(separator: "\n") == whole)
        // The target feed reports the changes a feed resumed at its start reports, from the statuses
        // there (the instant of the evaluation aside).
        func changes(_ lines: [[String: Any]]) -> [String] { lines.map { "\($0["id"] ?? "") from \($0["from"] ?? "none")" } }
        let resumed = Tool.objects(try Tool.run(["subscribe", "resumed", "--projection", "targets", "--from", "\(from)"], ledger: ledger).stdout)
        #expect(!resumed.isEmpty)
        let targets = Tool.objects(waitFor(dir + "/ahead-targets.ndjson") { Tool.objects($0).count >= resumed.count })
        #expect(changes(targets) == changes(resumed))
    }

    @Test func aFollowerSeesCommitsOfAnotherProcess() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        #expect(try Tool.run(["append", Tool.file(Array(lines[0..<8]), beside: ledger)], ledger: ledger).status == 0)
        let file = (ledger as NSString).deletingLastPathComponent + "/live.ndjson"
        let follower = try start(["subscribe", "dashboard", "--follow"], ledger: ledger, output: file)
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        _ = waitFor(file) { self.seqs($0).count == 8 }
        #expect(try Tool.run(["append", Tool.file(Array(lines[8..<12]), beside: ledger)], ledger: ledger).status == 0)
        let text = waitFor(file) { self.seqs($0).count == 12 }
        #expect(seqs(text) == Array(1...12))
    }

    @Test func ackFileHoldsTheCheckpointUntilTheConsumerSaysSo() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger).status == 0)
        let ack = (ledger as NSString).deletingLastPathComponent + "/ack"
        try "12\n".write(toFile: ack, atomically: false, encoding: .utf8)
        #expect(seqs(try Tool.run(["subscribe", "sync", "--ack-file", ack], ledger: ledger).stdout) == Array(1...35))
        // Only 12 was acknowledged: the rest comes again.
        #expect(seqs(try Tool.run(["subscribe", "sync", "--ack-file", ack], ledger: ledger).stdout) == Array(13...35))
        let feed = Tool.objects(try Tool.run(["subscribe", "dash", "--projection", "dossiers", "--types", "dossier.processed"], ledger: ledger).stdout)
        #expect(feed.count == 1)
        #expect(feed[0]["seq"] as? Int == 20)
        #expect((feed[0]["row"] as? [String: Any])?["state"] as? String == "processed")
    }

    @Test func theKPIFeedEndsAtTheLiveCounters() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let lines = Tool.fixtureLines()
        #expect(try Tool.run(["append", Tool.file(Array(lines[0..<16]), beside: ledger)], ledger: ledger).status == 0)
        var last: [String: [String: Any]] = [:]
        func collect() throws {
            for line in Tool.objects(try Tool.run(["subscribe", "board", "--projection", "kpi"], ledger: ledger).stdout) {
                let row = line["row"] as! [String: Any]
                last["\(row["agency"]!) \(row["period"]!)"] = row
            }
        }
        try collect()
        // Resumed after more events, it goes on from where it was.
        #expect(try Tool.run(["append", Tool.file(Array(lines[16...]), beside: ledger)], ledger: ledger).status == 0)
        try collect()
        let live = Tool.objects(try Tool.run(["kpi", "--period", "day", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(!live.isEmpty)
        for row in live {
            let fed = last["\(row["agency"]!) \(row["period"]!)"]
            for key in ["received", "processed", "late", "feesPaid", "inputDigitised", "resultDigitised"] {
                #expect(fed?[key] as? Int == row[key] as? Int, "\(row["period"]!) \(key)")
            }
        }
    }
}
