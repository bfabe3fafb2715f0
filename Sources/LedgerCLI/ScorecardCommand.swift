import SystemIO
import DossierRules
import Foundation
import LedgerContract
import Projections

/// `scorecard [--agency A] [--rollup] [--period month|quarter|year] [--from D] [--to D] [--as-of T|--known-at T]
/// [--format table|ndjson|csv] [--explain CODE] [--rules]`: the Decision 766 scorecard (REPORTS.md §2).
enum ScorecardCommand {

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ReportScope.valued, flags: ReportScope.flags.union(["rules"]))
        _ = try args.positionals(max: 0, command: "scorecard")
        let scope = try ReportScope(args, context: context, kinds: [.quarter, .month, .year])
        let colour = context.out.isTerminal && context.environment["NO_COLOR"] == nil
        if args.flag("rules") {
            let rules = scope.reference.scorecard(forPeriodEndingAt: scope.periods.end(of: scope.periods.last))
            try RowOutput.write(rules.indicatorLines, columns: ["scorecard", "code", "measure", "group", "points", "target", "bands"],
                                format: scope.format, to: context.out)
            return
        }
        if let code = args.value("explain") {
            let reference = scope.reference, periods = scope.periods
            let known = reference.knownIndicatorCodes
            guard known.contains(code) else {
                throw CommandFailure(.usage, "--explain \(code): not an indicator of the scorecards in force (codes: \(known.sorted().joined(separator: ", ")))")
            }
            try scope.explain(parts: { period in
                let rules = reference.scorecard(forPeriodEndingAt: periods.end(of: period))
                guard let indicator = rules.indicators.first(where: { $0.code == code }) else { return [] }
                return [("numerator", indicator.measure.numerator), ("denominator", indicator.measure.denominator)]
            }, to: context.out)
            return
        }
        let rows = try scope.tally().scorecardRows(reference: scope.reference, agency: scope.agency, rollup: scope.rollup)
        let json = rows.map(\.json)
        guard scope.format == .table else {
            try RowOutput.write(json, columns: ["rank", "agency", "period", "score", "measuredMax", "scorePercent", "band", "scorecard"],
                                format: scope.format, to: context.out)
            return
        }
        try context.out.write(table(rows, colour: colour).render())
    }

    /// Rank, agency, period, score out of the measured maximum with its band,
    /// then each indicator's points out of its maximum ("–": not measured).
    static func table(_ rows: [ScorecardRow], colour: Bool) -> TextTable {
        var codes: [String] = []
        for row in rows { for s in row.indicators where !codes.contains(s.indicator.code) { codes.append(s.indicator.code) } }
        var table = TextTable(columns: ["rank", "agency", "period", "score", "percent"] + codes)
        table.groups = [("", 5), ("points by indicator (– not measured)", codes.count)]
        for row in rows {
            let percent = String(format: "%.1f%%", row.scorePercent) + " " + row.band
            let cells = codes.map { code -> String in
                guard let s = row.indicators.first(where: { $0.indicator.code == code }) else { return "" }
                guard let points = s.points else { return "–" }
                return String(format: "%.1f/%g", points, s.indicator.points)
            }
            table.add([String(row.rank), row.agency, row.period, String(format: "%.1f/%g", row.score, row.measuredMax),
                       BandColour.paint(percent, band: row.band, colour: colour)] + cells)
        }
        return table
    }
}
