import Foundation
import LedgerContract
import Projections

/// The national warehouse: `sync postgres` of the benchmark ledger into a
/// local PostgreSQL (a throwaway cluster of `Tools/pg-cluster.sh`), as a
/// user runs it, against PostgreSQL's own `COPY` of the same events as
/// NDJSON lines into a one-column `jsonb` table; and the time from a commit
/// to its row in PostgreSQL under `sync postgres --follow`. Skipped with a
/// note when PostgreSQL's server is not installed.
enum WarehouseBenchmark {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/pg-cluster.sh")

    static func tool(_ arguments: [String], stdout: FileHandle? = FileHandle.nullDevice) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = SubscriptionBenchmark.tool
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = stdout ?? pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static func shell(_ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }

    static func figure(_ ledger: Ledger, events: Int, directory: String) throws -> Figure? {
        // The cluster's directory must be reachable by the server's own user: not inside the owner-only scratch directory.
        let cluster = NSTemporaryDirectory() + "ledger-bench-pg-\(getpid())"
        guard FileManager.default.isExecutableFile(atPath: SubscriptionBenchmark.tool.path),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/psql"),
              let started = try? shell(script.path, ["start", cluster]),
              let url = started.split(separator: "\n").last.map(String.init), url.hasPrefix("postgresql://") else { return nil }
        defer {
            _ = try? shell(script.path, ["stop", cluster])
            try? FileManager.default.removeItem(atPath: cluster)
        }
        func psql(_ sql: String) throws -> String { try shell("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]) }

        // Baseline: PostgreSQL's own COPY of the same events (NDJSON lines into one jsonb column).
        let ndjson = directory + "/events.ndjson"
        _ = FileManager.default.createFile(atPath: ndjson, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: ndjson))
        guard try tool(["--ledger", ledger.path, "export"], stdout: file).status == 0 else { throw BenchError("export failed") }
        try file.close()
        _ = try psql("CREATE TABLE raw_events (line jsonb)")
        // The export's and the import's dirty pages written out first, so that neither run pays for them.
        _ = try shell("/bin/sync", [])
        let copyStart = monotonicNanoseconds()
        _ = try psql("\\copy raw_events FROM '\(ndjson)' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')")
        let copySeconds = Double(monotonicNanoseconds() - copyStart) / 1e9
        try? FileManager.default.removeItem(atPath: ndjson)
        // The baseline's table gone and its pages written out, so its aftermath (checkpoint, autovacuum) does not slow the sync.
        _ = try psql("DROP TABLE raw_events")
        _ = try shell("/usr/bin/psql", ["-X", "-q", "-d", url.replacingOccurrences(of: "ledger_sync@", with: "postgres@"), "-c", "CHECKPOINT"])

        guard try tool(["--ledger", ledger.path, "init", "--province", "H40"]).status == 0 else { throw BenchError("init --province failed") }
        _ = try shell("/bin/sync", [])
        let syncStart = monotonicNanoseconds()
        let synced = try tool(["--ledger", ledger.path, "sync", "postgres", "--database", url])
        let syncSeconds = Double(monotonicNanoseconds() - syncStart) / 1e9
        guard synced.status == 0 else { throw BenchError("sync postgres failed: \(synced.output)") }
        let rows = Int(try psql("SELECT count(*) FROM dossier_ledger.events").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        guard rows == events else { throw BenchError("sync postgres left \(rows) rows for \(events) events") }

        // Follow, in steady state: the bulk load's vacuum done first (else autovacuum's pass over it competes for the two cores).
        // A commit's event in PostgreSQL, polled with psql (~10 ms a poll).
        _ = try psql("VACUUM ANALYZE")
        let follower = Process()
        follower.executableURL = SubscriptionBenchmark.tool
        follower.arguments = ["--ledger", ledger.path, "sync", "postgres", "--database", url, "--follow"]
        follower.standardOutput = FileHandle.nullDevice
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        usleep(1_500_000)
        let code = try ledger.read { snapshot -> String? in
            var found: String?
            try snapshot.forEachDossier { state in if found == nil, state.receivedAt != nil { found = state.code } }
            return found
        }
        guard let code else { return nil }
        let samples = 40
        var latencies = Latencies(capacity: samples)
        for i in 0..<samples {
            let line = #"{"type":"dossier.complaint_filed","dossier":"\#(code)","at":"2026-01-01T08:00:00+07:00","data":{"text":"warehouse \#(i)"}}"#
            guard let seq = try ledger.append(try Ledger.parse(lines: [(1, Array(line.utf8))])).stored?.upperBound else { continue }
            let committed = monotonicNanoseconds()
            while true {
                let max = UInt64(try psql("SELECT coalesce(max(seq), 0) FROM dossier_ledger.events").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                if max >= seq { break }
                if monotonicNanoseconds() - committed > 30_000_000_000 { throw BenchError("the follower did not sync seq \(seq) in 30 s") }
            }
            latencies.record(monotonicNanoseconds() - committed)
            usleep(100_000)
        }
        let rate = Double(events) / syncSeconds
        let p99 = latencies.microseconds(atPercentile: 0.99) / 1000
        return Figure(
            name: "warehouse",
            subject: Side(label: "sync postgres of \(grouped(Double(events))) events into a local PostgreSQL 15 (a child process, spawn to exit: schema, events, dossier states, KPI days, report counts); --follow: commit → row in PostgreSQL (\(samples) commits, polled)",
                          values: [Value("seconds", syncSeconds, .seconds, label: "in"),
                                   Value("eventsPerSecond", rate, .eventsPerSecond, label: "initial sync"),
                                   Value("followP50Milliseconds", latencies.microseconds(atPercentile: 0.5) / 1000, .milliseconds, label: "follow p50"),
                                   Value("followP99Milliseconds", p99, .milliseconds, label: "follow p99")]),
            baseline: Side(label: "PostgreSQL's COPY of the same events as NDJSON lines into one jsonb column, no index",
                           values: [Value("seconds", copySeconds, .seconds, label: "in"),
                                    Value("eventsPerSecond", Double(events) / copySeconds, .eventsPerSecond, label: "rate")]),
            comparison: Value("ratio", rate / (Double(events) / copySeconds), .ratio),
            comparisonLabel: "sync / raw COPY",
            goal: "initial sync ≥ 100,000 events/s; follow p99 ≤ 1 s",
            met: rate >= 100_000 && p99 <= 1000,
            notes: ["follow measured after VACUUM ANALYZE of the initial load", "the cluster runs with fsync=off, synchronous_commit=off (a throwaway test cluster, Tools/pg-cluster.sh); polling adds ~10 ms per sample"])
    }
}
