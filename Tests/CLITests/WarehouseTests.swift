import Foundation
import Testing

/// A PostgreSQL 15 cluster of its own for one test, in a temporary
/// directory (`Tools/pg-cluster.sh`), stopped at the end.
final class PostgresCluster {
    let directory: String
    let url: String

    init() throws {
        directory = NSTemporaryDirectory() + "pg-" + UUID().uuidString.prefix(8)
        let r = try Tool.run([ "start", directory], executable: Tool.packageRoot.appendingPathComponent("Tools/pg-cluster.sh"))
        guard r.status == 0, let url = r.stdout.split(separator: "\n").last.map(String.init), url.hasPrefix("postgresql://") else {
            throw ClusterFailure(message: "cannot start PostgreSQL: \(r.stderr)")
        }
        self.url = url
    }

    struct ClusterFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    func stop() {
        _ = try? Tool.run(["stop", directory], executable: Tool.packageRoot.appendingPathComponent("Tools/pg-cluster.sh"))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Rows of a query, fields split on `|`.
    func query(_ sql: String) throws -> [[String]] {
        let r = try Tool.run(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], executable: URL(fileURLWithPath: "/usr/bin/psql"))
        guard r.status == 0 else { throw ClusterFailure(message: "psql: \(r.stderr)") }
        return r.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    func count(_ sql: String) throws -> Int { Int(try query(sql).first?.first ?? "") ?? -1 }
}

/// `init --province`, `sync postgres` and its views, against a real PostgreSQL.
@Suite(.serialized) struct WarehouseTests {
    /// A generated province ledger with an identity.
    func province(_ code: String, dossiers: Int, seed: Int) throws -> String {
        try Tool.generatedProvince(dossiers: dossiers, seed: seed, province: code)
    }

    func head(_ ledger: String) throws -> Int {
        let stats = try Tool.run(["stats"], ledger: ledger).stdout
        return Int(DOM.matches(stats, #"head seq\s+(\d+)"#).first ?? "") ?? -1
    }

    @Test func threeProvincesInOneDatabaseEqualTheirOwnFigures() throws {
        let pg = try PostgresCluster()
        defer { pg.stop() }
        let codes = ["H40", "H41", "H42"]
        var ledgers: [String] = []
        defer { ledgers.forEach(Tool.remove) }
        for (i, code) in codes.enumerated() {
            let ledger = try province(code, dossiers: 300 + 100 * i, seed: 11 + i)
            ledgers.append(ledger)
            // Small batches for one of them: two sessions load alternate batches, the last one shorter than the rest.
            let r = try Tool.run(["sync", "postgres", "--database", pg.url] + (i == 1 ? ["--batch", "700"] : []), ledger: ledger)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("synced \(code)"))
        }
        var nationalReceived: [String: Int] = [:]
        for (code, ledger) in zip(codes, ledgers) {
            // Every event once.
            #expect(try pg.count("SELECT count(DISTINCT seq) FROM dossier_ledger.events WHERE province = '\(code)'") == head(ledger))
            // The scorecard: the view's row per quarter equals the province's own (its root agency, rolled up).
            let own = Tool.objects(try Tool.run(["scorecard", "--rollup", "--period", "quarter", "--agency", "H40", "--format", "ndjson"], ledger: ledger).stdout)
            let view = try pg.query("SELECT period, score, measured_max, score_percent, band, head_seq FROM dossier_ledger.scorecard WHERE province = '\(code)' ORDER BY period")
            #expect(view.count == own.count && !own.isEmpty)
            for (row, mine) in zip(view, own) {
                #expect(row[0] == mine["period"] as? String)
                #expect(Double(row[1]) == mine["score"] as? Double, "\(code) \(row[0]) score")
                #expect(Double(row[3]) == mine["scorePercent"] as? Double, "\(code) \(row[0]) percent")
                #expect(row[4] == mine["band"] as? String)
                #expect(Int(row[5]) == (try head(ledger)), "the head it was computed from")
            }
            let indicators = try pg.query("SELECT period, code, numerator, denominator FROM dossier_ledger.scorecard_indicators WHERE province = '\(code)' ORDER BY period, position")
            for mine in own {
                for indicator in mine["indicators"] as! [[String: Any]] {
                    let row = indicators.first { $0[0] == mine["period"] as? String && $0[1] == indicator["code"] as? String }
                    #expect(row.map { [Int($0[2]), Int($0[3])] } == [indicator["numerator"] as? Int, indicator["denominator"] as? Int],
                            "\(code) \(mine["period"]!) \(indicator["code"]!)")
                }
            }
            // KPIs by quarter.
            let kpi = Tool.objects(try Tool.run(["kpi", "--rollup", "--period", "quarter", "--agency", "H40", "--format", "ndjson"], ledger: ledger).stdout)
            let kpiView = try pg.query("SELECT period, received, processed, late, on_time_rate, online_share FROM dossier_ledger.kpi WHERE province = '\(code)' AND period_kind = 'quarter' ORDER BY period")
            #expect(kpiView.count == kpi.count && !kpi.isEmpty)
            for (row, mine) in zip(kpiView, kpi) {
                #expect(row[0] == mine["period"] as? String)
                #expect([Int(row[1]), Int(row[2]), Int(row[3])] == [mine["received"] as? Int, mine["processed"] as? Int, mine["late"] as? Int])
                #expect(Double(row[4]) == mine["onTimeRate"] as? Double && Double(row[5]) == mine["onlineShare"] as? Double)
                nationalReceived[row[0], default: 0] += mine["received"] as! Int
            }
        }
        // The nation: one query, every province's scorecard for a quarter, ranked, with its head hash.
        let quarter = try pg.query("SELECT province, national_rank, head_hash FROM dossier_ledger.scorecard WHERE period = '2025-Q4' ORDER BY national_rank")
        #expect(quarter.map(\.[1]) == ["1", "2", "3"] && Set(quarter.map(\.[0])) == Set(codes))
        #expect(quarter.allSatisfy { $0[2].count == 64 })
        let total = try pg.query("SELECT period, sum(received) FROM dossier_ledger.kpi WHERE period_kind = 'quarter' GROUP BY period ORDER BY period")
        #expect(Dictionary(uniqueKeysWithValues: total.map { ($0[0], Int($0[1]) ?? -1) }) == nationalReceived, "the nation is the sum of its provinces")
        // Partitioned by province, then by month.
        #expect(try pg.count("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent WHERE c.relname = 'events_h40'") >= 12)
        // No superuser was needed.
        #expect(try pg.query("SELECT rolsuper FROM pg_roles WHERE rolname = 'ledger_sync'") == [["f"]])
        #expect(try pg.count("SELECT max(version) FROM dossier_ledger.schema_version") == 1)
    }

    @Test func aSyncKilledTwentyTimesResumesWithNothingLostOrDoubled() throws {
        let pg = try PostgresCluster()
        defer { pg.stop() }
        let ledger = try province("H40", dossiers: 2000, seed: 4)
        defer { Tool.remove(ledger) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let p = Process()
            p.executableURL = Tool.executable
            p.arguments = ["--ledger", ledger, "sync", "postgres", "--database", pg.url, "--batch", "300"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let resumed = try Tool.run(["sync", "postgres", "--database", pg.url], ledger: ledger)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let head = try head(ledger)
        #expect(try pg.count("SELECT count(*) FROM dossier_ledger.events") == head, "every event once")
        #expect(try pg.count("SELECT count(DISTINCT seq) FROM dossier_ledger.events") == head)
        #expect(try pg.count("SELECT seq FROM dossier_ledger.provinces") == head)
        #expect(try pg.count("SELECT count(*) FROM dossier_ledger.dossiers") == (try Tool.objects(Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout).count))
        let check = try Tool.run(["sync", "postgres", "--database", pg.url, "--check"], ledger: ledger)
        #expect(check.status == 0, "\(check.stderr)")
        let again = try Tool.run(["sync", "postgres", "--database", pg.url], ledger: ledger)
        #expect(again.stdout.contains("already synced"))
    }

    @Test func followSeesAppendsFromAnotherProcessAndCheckNamesATamperedRow() throws {
        let pg = try PostgresCluster()
        defer { pg.stop() }
        let ledger = try province("H40", dossiers: 200, seed: 6)
        defer { Tool.remove(ledger) }
        let follower = Process()
        follower.executableURL = Tool.executable
        follower.arguments = ["--ledger", ledger, "sync", "postgres", "--database", pg.url, "--follow"]
        follower.standardOutput = FileHandle.nullDevice
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        func waitFor(_ seconds: Double, _ done: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline { if try done() { return true }; usleep(50_000) }
            return try done()
        }
        let head = try head(ledger)
        #expect(waitFor(60) { (try? pg.count("SELECT coalesce(max(seq), 0) FROM dossier_ledger.events")) == head })
        // Another process appends: the follower puts it in PostgreSQL.
        let received = try #require(Tool.objects(try Tool.run(["export"], ledger: ledger).stdout).last { $0["type"] as? String == "dossier.received" })
        var copy = received
        for key in ["seq", "recordedAt", "hash", "version"] { copy.removeValue(forKey: key) }
        // FOLLOW-1, and two dossiers whose codes differ only in how the Ú is written (one scalar, or U and a combining accent).
        let lines = try [("follow-1", "FOLLOW-1"), ("follow-2", "FOLLOW-2-\u{DA}"), ("follow-3", "FOLLOW-2-U\u{301}")].map { id, code in
            copy["id"] = id
            copy["dossier"] = code
            return String(decoding: try JSONSerialization.data(withJSONObject: copy), as: UTF8.self)
        }
        #expect(try Tool.run(["append"], ledger: ledger, stdin: Data((lines.joined(separator: "\n") + "\n").utf8)).status == 0)
        let appendedAt = Date()
        #expect(waitFor(10) { (try? pg.count("SELECT count(*) FROM dossier_ledger.events WHERE dossier = 'FOLLOW-1'")) == 1 })
        #expect(Date().timeIntervalSince(appendedAt) < 3, "seen within a second or so")
        #expect(waitFor(30) { (try? pg.count("SELECT count(*) FROM dossier_ledger.dossiers WHERE dossier = 'FOLLOW-1'")) == 1 }, "its state follows")
        #expect(waitFor(30) { (try? pg.count("SELECT count(*) FROM dossier_ledger.dossiers WHERE dossier LIKE 'FOLLOW-2-%'")) == 2 }, "both spellings")
        kill(follower.processIdentifier, SIGKILL)
        follower.waitUntilExit()

        #expect(try Tool.run(["sync", "postgres", "--database", pg.url, "--check"], ledger: ledger).status == 0)
        _ = try pg.query("UPDATE dossier_ledger.events SET data = jsonb_set(data, '{channel}', '\"tampered\"') WHERE seq = 123")
        let check = try Tool.run(["sync", "postgres", "--database", pg.url, "--check"], ledger: ledger)
        #expect(check.status == 65)
        #expect(check.stderr.contains("seq 123"), "\(check.stderr)")
    }

    @Test func aSecondLedgerClaimingASyncedProvinceIsRefused() throws {
        let pg = try PostgresCluster()
        defer { pg.stop() }
        let first = try province("H40", dossiers: 60, seed: 1)
        let second = try province("H40", dossiers: 60, seed: 2)
        defer { Tool.remove(first); Tool.remove(second) }
        #expect(try Tool.run(["sync", "postgres", "--database", pg.url], ledger: first).status == 0)
        let rows = try pg.count("SELECT count(*) FROM dossier_ledger.events")
        let refused = try Tool.run(["sync", "postgres", "--database", pg.url], ledger: second)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("already synced from another ledger"), "\(refused.stderr)")
        #expect(try pg.count("SELECT count(*) FROM dossier_ledger.events") == rows, "nothing written")
        // A ledger without a province, psql missing, a province changed: clear errors.
        let anonymous = try Tool.initialisedLedger()
        defer { Tool.remove(anonymous) }
        let noProvince = try Tool.run(["sync", "postgres", "--database", pg.url], ledger: anonymous)
        #expect(noProvince.status != 0 && noProvince.stderr.contains("init --province"))
        let noPsql = try Tool.run(["sync", "postgres", "--database", pg.url], ledger: first, environment: ["PSQL": "/nonexistent/psql"])
        #expect(noPsql.status != 0 && noPsql.stderr.contains("psql"))
        #expect(try Tool.run(["init", "--province", "H41"], ledger: first).status != 0)
        #expect(try Tool.run(["sync", "postgres"], ledger: first).status == 64)
    }
}
