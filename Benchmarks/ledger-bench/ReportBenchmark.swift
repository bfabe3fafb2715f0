import Foundation
import Projections
#if canImport(Glibc)
import Glibc
#endif

/// The reports an agency is judged by, run as a user runs them — the
/// `dossier-ledger` executable in a child process, output to /dev/null —
/// timed from spawn to exit, with the child's peak RSS (`ru_maxrss`):
/// `report 06a --period month` and `scorecard --period quarter` over the
/// generated year, and `deadlines` now. Baseline: `kpi --period month`
/// over the same year, the report that was there before them.
enum ReportBenchmark {
    static let memoryGoal = 300.0 * 1_048_576

    struct ChildRun {
        var seconds: Double
        var peakRSSBytes: Double
        /// What the child read from the disk (`ru_inblock`, blocks of 512
        /// bytes), the pages of the ledger not in the page cache among them:
        /// a run on a cold cache reads the whole of what it walks.
        var diskReadBytes: Double
    }

    /// Runs the tool with `arguments`, stdout to /dev/null, and waits for it.
    ///
    /// The child's peak RSS is read from `wait4`, which on Linux also counts
    /// the memory of the process it was spawned from (`vfork` shares it until
    /// `exec`): so the tool is spawned by a small helper — this executable
    /// started again with `--run-measured` — which reports what `wait4` says.
    static func run(_ arguments: [String]) throws -> ChildRun {
        let helper = Process()
        helper.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        helper.arguments = ["--run-measured", SubscriptionBenchmark.tool.path] + arguments
        let pipe = Pipe()
        helper.standardOutput = pipe
        try helper.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        helper.waitUntilExit()
        let fields = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard helper.terminationStatus == 0, fields.count == 3 else {
            throw BenchError("dossier-ledger \(arguments.joined(separator: " ")) failed (\(text))")
        }
        return ChildRun(seconds: fields[0], peakRSSBytes: fields[1], diskReadBytes: fields[2])
    }

    /// `ledger-bench --run-measured TOOL ARGS…`: runs TOOL with its stdout to
    /// /dev/null and prints "SECONDS PEAK_RSS_BYTES DISK_READ_BYTES" of it;
    /// exits 1 when it fails.
    static func runMeasured(_ argv: [String]) -> Int32 {
        guard let tool = argv.first else { return 1 }
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let start = monotonicNanoseconds()
        let spawned = posix_spawn(&pid, tool, &actions, nil, cArgs, environ)
        guard spawned == 0 else { print("cannot start \(tool): \(String(cString: strerror(spawned)))"); return 1 }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { print("wait4: \(String(cString: strerror(errno)))"); return 1 }
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else { print("wait status \(status)"); return 1 }
        print(seconds, Double(usage.ru_maxrss) * 1024, Double(usage.ru_inblock) * 512)
        return 0
    }

    /// The report figures; nil without the executable.
    static func figures(_ ledger: Ledger, events: Int, dossiers: Int) throws -> [String: Figure]? {
        guard FileManager.default.isExecutableFile(atPath: SubscriptionBenchmark.tool.path) else { return nil }
        let year = ["--from", "2025-01-01", "--to", "2025-12-31"]
        let common = ["--ledger", ledger.path]
        let kpi = try run(common + ["kpi", "--rollup", "--period", "month", "--format", "ndjson"] + year)
        let millionEvents = Double(events) / 1e6
        func figure(_ name: String, _ label: String, _ r: ChildRun, per unit: Double, unitName: String, goal: Double) -> Figure {
            let perUnit = r.seconds / unit
            return Figure(
                name: name,
                subject: Side(label: label, values: [Value("seconds", r.seconds, .seconds, label: "in"),
                                                     Value("peakRSSBytes", r.peakRSSBytes, .bytes, label: "peak RSS"),
                                                     Value("secondsPer\(unitName)", perUnit, .seconds,
                                                           label: unitName == "MillionEvents" ? "per million events" : "per million dossiers")]),
                baseline: Side(label: "kpi --rollup --period month over the year, same ledger",
                               values: [Value("seconds", kpi.seconds, .seconds, label: "in"),
                                        Value("peakRSSBytes", kpi.peakRSSBytes, .bytes, label: "peak RSS")]),
                comparison: Value("ratio", r.seconds / kpi.seconds, .ratio),
                comparisonLabel: "\(name) / kpi",
                goal: "≤ \(goal) s per \(unitName == "MillionEvents" ? "million events" : "million dossiers") (≤ \(goal) s below a million: process start included), peak RSS ≤ 300 MB",
                met: r.seconds <= goal * max(1, unit) && r.peakRSSBytes <= memoryGoal,
                notes: ["a child process timed from spawn to exit (process start and ledger open included), output to /dev/null"])
        }
        let report = try run(common + ["report", "06a", "--rollup", "--period", "month", "--format", "ndjson"] + year)
        let scorecard = try run(common + ["scorecard", "--rollup", "--period", "quarter", "--format", "ndjson"] + year)
        let deadlines = try run(common + ["deadlines", "--format", "ndjson"])
        let targets = try run(common + ["targets", "--period", "2025", "--format", "ndjson"])
        let targetsReplayed = try run(common + ["targets", "--period", "2025-Q4", "--as-of", "2025-11-15", "--format", "ndjson"])
        var targetsFigure = figure("targets", "targets --period 2025, every agency's and officer's target (\(grouped(Double(events))) events)", targets,
                                   per: millionEvents, unitName: "MillionEvents", goal: 1)
        targetsFigure.details = [Value("replaySeconds", targetsReplayed.seconds, .seconds, label: "targets --period 2025-Q4 --as-of 2025-11-15 (a replay, with projections) in"),
                                 Value("replayPeakRSSBytes", targetsReplayed.peakRSSBytes, .bytes, label: "peak RSS")]
        // The HTML site, as of the year's end (a replay) and now (the live projections); its pages are thrown away.
        let siteDirectory = NSTemporaryDirectory() + "ledger-bench-site-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: siteDirectory) }
        let site = try run(common + ["site", "--out", siteDirectory, "--as-of", "2025-12-31T23:59:59+07:00"])
        let siteLive = try run(common + ["site", "--out", siteDirectory + "-live"])
        try? FileManager.default.removeItem(atPath: siteDirectory + "-live")
        let pages = (try? FileManager.default.subpathsOfDirectory(atPath: siteDirectory).filter { $0.hasSuffix(".html") }.count) ?? 0
        var siteFigure = figure("site", "site --as-of 2025-12-31 (a replay): \(pages) pages (\(grouped(Double(events))) events)", site,
                                per: millionEvents, unitName: "MillionEvents", goal: 10)
        siteFigure.details = [Value("liveSeconds", siteLive.seconds, .seconds, label: "site now (live projections) in"),
                              Value("livePeakRSSBytes", siteLive.peakRSSBytes, .bytes, label: "peak RSS")]
        return [
            "site": siteFigure,
            "targets": targetsFigure,
            "report06a": figure("report06a", "report 06a --rollup --period month over the year (\(grouped(Double(events))) events)", report,
                                per: millionEvents, unitName: "MillionEvents", goal: 1),
            "scorecard": figure("scorecard", "scorecard --rollup --period quarter over the year (\(grouped(Double(events))) events)", scorecard,
                                per: millionEvents, unitName: "MillionEvents", goal: 1),
            "deadlines": figure("deadlines", "deadlines now, every open dossier (\(grouped(Double(dossiers))) dossiers)", deadlines,
                                per: Double(dossiers) / 1e6, unitName: "MillionDossiers", goal: 0.5),
        ]
    }
}
