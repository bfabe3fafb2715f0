import Foundation
import Testing

/// Runs the built `ledger-bench` on a tiny input: it must exit 0 and print
/// one JSON object naming every figure. A smoke test, not a measurement.
@Suite struct BenchmarkSmokeTests {
    static let figureNames = ["append", "durableSmallCommits", "rebuild", "lookups", "audit", "auditDelays", "storage", "memory", "subscriptions",
                              "report06a", "scorecard", "deadlines", "targets", "site", "warehouse", "commands", "xesImport"]
    static let bench = Tool.builtExecutable("ledger-bench")

    @Test func tinyRunPrintsEveryFigureAsJSON() throws {
        let run = try Tool.run(["--events", "2000", "--json"], executable: Self.bench)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let runs = object?["runs"] as? [[String: Any]]
        #expect(runs?.count == 1)
        #expect(runs?.first?["events"] as? Int == 2000)
        let figures = runs?.first?["figures"] as? [String: Any] ?? [:]
        #expect(Set(figures.keys) == Set(Self.figureNames))
        for name in Self.figureNames {
            let figure = figures[name] as? [String: Any]
            #expect(figure?["measured"] is [String: Any], "\(name): no measured values")
            #expect(figure?["baseline"] is [String: Any], "\(name): no baseline")
            #expect(figure?["goal"] is String, "\(name): no goal")
        }
    }

    @Test func unknownArgumentIsAUsageError() throws {
        let run = try Tool.run(["--frobnicate"], executable: Self.bench)
        #expect(run.status != 0)
        #expect(run.stderr.contains("usage: ledger-bench"))
    }
}
