import Foundation
import Projections

/// `ledger-bench [--events N] [--json] [--scaling] [--history]`: measures the ledger on
/// generated input and prints each figure with the baseline it is compared
/// to (measured in the same run) and its goal. See Benchmarks/README.md.
@main
struct LedgerBench {
    static let figureNames = ["append", "durableSmallCommits", "rebuild", "lookups", "audit", "auditDelays", "storage", "memory", "subscriptions",
                              "report06a", "scorecard", "deadlines", "targets", "site", "warehouse", "commands", "xesImport"]
    static let reportFigures: Set<String> = ["report06a", "scorecard", "deadlines", "targets", "site"]

    struct Options {
        var events = 1_000_000
        var json = false
        var scaling = false
        /// Each size as that many events of one province at 10^6 events a
        /// year, its last year 2025 (10^7 events: ten years), instead of one
        /// year of a province that busy.
        var history = false
        /// Figures to measure (all by default); `--only` narrows it, for profiling.
        var only = Set(LedgerBench.figureNames)

        static let usage = "usage: ledger-bench [--events N] [--json] [--scaling] [--history] [--only FIGURE,…]"

        init(_ arguments: [String]) throws {
            var rest = arguments[...]
            while let argument = rest.popFirst() {
                switch argument {
                case "--json": json = true
                case "--scaling": scaling = true
                case "--history": history = true
                case "--events":
                    guard let text = rest.popFirst(), let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= 100 else {
                        throw BenchError("--events needs a whole number ≥ 100\n\(Self.usage)")
                    }
                    events = n
                case "--only":
                    let names = Set((rest.popFirst() ?? "").split(separator: ",").map(String.init))
                    guard !names.isEmpty, names.isSubset(of: LedgerBench.figureNames) else {
                        throw BenchError("--only takes figure names among \(LedgerBench.figureNames.joined(separator: ","))\n\(Self.usage)")
                    }
                    only = names
                case "--help", "-h":
                    print(Self.usage)
                    exit(0)
                default:
                    throw BenchError("unknown argument \(argument)\n\(Self.usage)")
                }
            }
        }

        /// The input sizes to run: `events`, or with `--scaling` 10^5, 10^6
        /// and every further power of ten up to `events`.
        var sizes: [Int] {
            guard scaling else { return [events] }
            var sizes = [100_000, 1_000_000]
            var power = 10_000_000
            while power <= events { sizes.append(power); power *= 10 }
            if events > 1_000_000 && !sizes.contains(events) { sizes.append(events) }
            return sizes
        }

        /// The years a size's events span: one, or with `--history` one per
        /// 10^6 events (at most 20, as `generate --years` allows).
        func years(forEvents events: Int) -> Int {
            history ? min(20, max(1, events / 1_000_000)) : 1
        }
    }

    static func main() {
        if CommandLine.arguments.dropFirst().first == "--run-measured" {
            exit(ReportBenchmark.runMeasured(Array(CommandLine.arguments.dropFirst(2))))
        }
        do {
            let options = try Options(Array(CommandLine.arguments.dropFirst()))
            try run(options)
        } catch {
            FileHandle.standardError.write(Data("ledger-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) throws {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let date = ISO8601DateFormatter().string(from: Date())
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // Human-readable lines go to stdout, or to stderr when stdout carries the JSON.
        let text: (String) -> Void = options.json
            ? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            : { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        text("ledger-bench \(date), \(cores) cores, \(build) build")
        if build == "debug" { text("(debug build: the figures are not representative; use swift run -c release ledger-bench)") }

        var runs: [Run] = []
        for size in options.sizes {
            let run = try measure(events: size, years: options.years(forEvents: size), only: options.only, progress: text)
            text("\n" + run.text + "\n")
            runs.append(run)
        }
        if runs.count > 1 { text("== scaling ==\n" + scalingTable(runs)) }
        if options.json {
            let json = JSON.object([
                ("tool", .string("ledger-bench")),
                ("date", .string(date)),
                ("cores", .number(Double(cores))),
                ("build", .string(build)),
                ("runs", .array(runs.map(\.json))),
            ])
            print(json.text)
        }
    }

    /// The figures in `only` for one input size, on fresh temporary ledgers.
    static func measure(events: Int, years: Int, only: Set<String>, progress: (String) -> Void) throws -> Run {
        let scratch = try ScratchDirectory("\(events)")
        defer { scratch.remove() }
        progress("generating \(grouped(Double(events))) events over \(years) year\(years == 1 ? "" : "s") (not timed)…")
        let input = try Input.generate(events: events, years: years, into: scratch)
        var run = Run(events: input.events, dossiers: 0, ndjsonBytes: input.bytes)
        var figures: [String: Figure] = [:]

        // First, while the disk is quiet: fsync latency suffers from the writes of the phases below.
        if only.contains("durableSmallCommits") {
            progress("durable small commits…")
            let workload = try DurableCommitBenchmark.workload(input)
            let single = try DurableCommitBenchmark.measure(workload, writers: 1, directory: scratch.child("durable-1"))
            let fewer = try DurableCommitBenchmark.measure(workload, writers: DurableCommitBenchmark.fewerWriters,
                                                           directory: scratch.child("durable-\(DurableCommitBenchmark.fewerWriters)"))
            let concurrent = try DurableCommitBenchmark.measure(workload, writers: DurableCommitBenchmark.writers,
                                                                directory: scratch.child("durable-\(DurableCommitBenchmark.writers)"))
            let disk = try DurableCommitBenchmark.disk(single: single, concurrent: concurrent, directory: scratch.path)
            // Last, and deleted at once: its pages, never synced, are dropped rather than written behind the phases after it.
            let unsynced = scratch.child("durable-\(DurableCommitBenchmark.writers)-unsynced")
            let workAlone = try DurableCommitBenchmark.measure(workload, writers: DurableCommitBenchmark.writers, durable: false, directory: unsynced)
            try? FileManager.default.removeItem(atPath: unsynced)
            figures["durableSmallCommits"] = DurableCommitBenchmark.figure(single: single, fewer: fewer, concurrent: concurrent, workAlone: workAlone, disk: disk)
        }
        if !only.isDisjoint(with: Set(["append", "rebuild", "lookups", "audit", "auditDelays", "storage", "memory", "subscriptions", "warehouse", "commands"])
            .union(reportFigures)) {
            progress("append: importing…")
            let ledger = try Ledger.create(at: scratch.child("ledger"))
            settleDisk()
            let imported = try AppendBenchmark.importInput(input, into: ledger)
            figures["storage"] = try StorageBenchmark.figure(ledger, input: input)
            figures["memory"] = MemoryBenchmark.figure(imported)
            let codes = try dossierCodes(ledger)
            run.dossiers = codes.count
            if only.contains("append") {
                progress("append: raw LMDB baseline…")
                settleDisk()
                let raw = try AppendBenchmark.rawBaseline(copyingFrom: ledger, into: try ScratchDirectory.inside(scratch, "raw"))
                figures["append"] = AppendBenchmark.figure(imported, raw: raw)
            }
            if only.contains("rebuild") {
                progress("rebuild…")
                figures["rebuild"] = try RebuildBenchmark.figure(ledger)
            }
            if only.contains("lookups") {
                progress("lookups…")
                figures["lookups"] = try LookupBenchmark.figure(ledger, codes: codes, samples: min(100_000, max(2_000, 10 * codes.count)))
            }
            if only.contains("audit") {
                progress("audit…")
                figures["audit"] = try AuditBenchmark.figure(ledger, codes: codes, samples: min(20_000, max(500, 2 * codes.count)))
            }
            if only.contains("auditDelays") {
                progress("audit delays…")
                figures["auditDelays"] = try AuditDelaysBenchmark.figure(ledger)
            }
            if !only.isDisjoint(with: reportFigures) {
                progress("reports…")
                if let reports = try ReportBenchmark.figures(ledger, events: input.events, dossiers: codes.count) {
                    figures.merge(reports) { $1 }
                } else {
                    progress("reports: skipped — build the dossier-ledger executable beside ledger-bench first (swift build -c release)")
                }
            }
            if only.contains("commands") {
                progress("commands (import, rebuild, verify, violations, audit, site, replay, subscribe)…")
                if let figure = try CommandsBenchmark.figure(ledger, input: input, directory: try ScratchDirectory.inside(scratch, "commands")) {
                    figures["commands"] = figure
                } else {
                    progress("commands: skipped — build the dossier-ledger executable beside ledger-bench first (swift build -c release)")
                }
            }
            if only.contains("warehouse") {
                progress("warehouse (PostgreSQL)…")
                if let figure = try WarehouseBenchmark.figure(ledger, events: input.events, directory: try ScratchDirectory.inside(scratch, "warehouse")) {
                    figures["warehouse"] = figure
                } else {
                    progress("warehouse: skipped — needs the dossier-ledger executable beside ledger-bench and PostgreSQL (Tools/ensure-postgresql.sh)")
                }
            }
            if only.contains("subscriptions") {
                progress("subscriptions…")
                if let figure = try SubscriptionBenchmark.figure(ledger, events: input.events) {
                    figures["subscriptions"] = figure
                } else {
                    progress("subscriptions: skipped — build the dossier-ledger executable beside ledger-bench first (swift build -c release)")
                }
            }
        }
        if only.contains("xesImport") {
            progress("XES import…")
            if let figure = try XESBenchmark.figure(events: events, directory: try ScratchDirectory.inside(scratch, "xes")) {
                figures["xesImport"] = figure
            } else {
                progress("xesImport: skipped — build the dossier-ledger executable beside ledger-bench first (swift build -c release)")
            }
        }
        run.figures = figureNames.filter(only.contains).compactMap { figures[$0] }
        return run
    }

    /// Every dossier code, from the `dossierStates` projection.
    static func dossierCodes(_ ledger: Ledger) throws -> [String] {
        try ledger.store.read { txn in
            var codes: [String] = []
            try txn.withCursor((try ledger.projections(in: txn)).dossierStates) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    codes.append(String(decoding: e.key, as: UTF8.self))
                    entry = try cursor.next()
                }
            }
            guard !codes.isEmpty else { throw BenchError("the input has no dossier events") }
            return codes
        }
    }
}
