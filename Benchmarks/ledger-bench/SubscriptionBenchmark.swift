import Foundation
import LedgerStore
import LedgerContract
import Projections

/// Subscriptions across processes: commit-to-line latency of a `subscribe
/// --follow` child process, its catch-up speed to /dev/null, and the CPU an
/// idle follower uses. Needs the `dossier-ledger` executable built beside
/// this one.
enum SubscriptionBenchmark {
    static var tool: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("dossier-ledger")
    }

    static func figure(_ ledger: Ledger, events: Int) throws -> Figure? {
        guard FileManager.default.isExecutableFile(atPath: tool.path) else { return nil }
        // Catch-up: a fresh subscription reads the whole log to /dev/null, against a raw cursor scan.
        let catchUp = Process()
        catchUp.executableURL = tool
        catchUp.arguments = ["--ledger", ledger.path, "subscribe", "bench-catch-up", "--from-start"]
        catchUp.standardOutput = FileHandle.nullDevice
        let start = monotonicNanoseconds()
        try catchUp.run()
        catchUp.waitUntilExit()
        let catchUpSeconds = Double(monotonicNanoseconds() - start) / 1e9
        // A catch-up that failed early would look fast: only a clean exit counts.
        guard catchUp.terminationReason == .exit, catchUp.terminationStatus == 0 else {
            throw BenchError("subscribe --from-start failed (status \(catchUp.terminationStatus))")
        }
        let (scanned, scanSeconds) = try timed {
            try ledger.store.read { txn in
                var count = 0
                try ledger.store.forEachRecord(in: txn) { _, _ in count += 1; return true }
                return count
            }
        }

        // Latency and idle CPU: a follower in another process, fed single-event commits.
        let follower = Process()
        follower.executableURL = tool
        follower.arguments = ["--ledger", ledger.path, "subscribe", "bench-follow", "--follow", "--types", "dossier.complaint_filed"]
        let pipe = Pipe()
        follower.standardOutput = pipe
        try follower.run()
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        let reader = pipe.fileHandleForReading
        var pending = Data()
        func nextLine() -> Data? {
            while true {
                if let nl = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<nl]
                    pending.removeSubrange(pending.startIndex...nl)
                    return Data(line)
                }
                let chunk = reader.availableData
                if chunk.isEmpty { return nil }
                pending.append(chunk)
            }
        }
        let code = try ledger.store.read { txn -> String? in
            var found: String?
            try ledger.forEachDossier(in: txn) { state in if found == nil, state.receivedAt != nil { found = state.code } }
            return found
        }
        guard let code else { return nil }
        usleep(300_000)   // the follower has caught up (nothing of its type yet) and waits
        let samples = 200
        var latencies = Latencies(capacity: samples)
        var commits = Latencies(capacity: samples)
        for i in 0..<samples {
            let line = #"{"type":"dossier.complaint_filed","dossier":"\#(code)","at":"2026-01-01T08:00:00+07:00","data":{"text":"bench \#(i)"}}"#
            let parsed = try Ledger.parse(lines: [(1, Array(line.utf8))])
            let t0 = monotonicNanoseconds()
            try ledger.append(parsed)
            let committed = monotonicNanoseconds()
            commits.record(committed - t0)
            guard nextLine() != nil else { throw BenchError("the follower stopped") }
            latencies.record(monotonicNanoseconds() - committed)
            usleep(UInt32(2_000 + (i % 7) * 1_000))
        }
        let cpuBefore = cpuSeconds(follower.processIdentifier)
        let idleSeconds = events >= 100_000 ? 5.0 : 1.0
        usleep(UInt32(idleSeconds * 1e6))
        let idleShare = (cpuSeconds(follower.processIdentifier) - cpuBefore) / idleSeconds

        let catchUpRate = Double(scanned) / catchUpSeconds   // every event in the log was written
        let p99 = latencies.microseconds(atPercentile: 0.99) / 1000
        return Figure(
            name: "subscriptions",
            subject: Side(label: "subscribe --follow in another process: commit returned → line on its stdout (\(samples) single-event commits); catch-up of \(grouped(Double(scanned))) events to /dev/null (process start included); idle follower CPU over \(Int(idleSeconds)) s",
                          values: [Value("latencyP50Milliseconds", latencies.microseconds(atPercentile: 0.5) / 1000, .milliseconds, label: "p50"),
                                   Value("latencyP99Milliseconds", p99, .milliseconds, label: "p99"),
                                   Value("catchUpEventsPerSecond", catchUpRate, .eventsPerSecond, label: "catch-up"),
                                   Value("idleCorePercent", idleShare * 100, .percent, label: "idle follower CPU")]),
            baseline: Side(label: "the commit alone (append of one event, fsync); raw cursor scan of the events table",
                           values: [Value("commitP99Milliseconds", commits.microseconds(atPercentile: 0.99) / 1000, .milliseconds, label: "commit p99"),
                                    Value("scanEventsPerSecond", Double(scanned) / scanSeconds, .eventsPerSecond, label: "scan")]),
            comparison: Value("catchUpRatio", catchUpRate / (Double(scanned) / scanSeconds), .ratio),
            comparisonLabel: "catch-up / raw scan",
            goal: "latency p99 ≤ 10 ms, catch-up ≥ 1,000,000 events/s, idle < 1 % of a core",
            met: p99 <= 10 && catchUpRate >= 1_000_000 && idleShare < 0.01)
    }
}
