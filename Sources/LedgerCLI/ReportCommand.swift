import SystemIO
import DossierRules
import LedgerContract
import Projections

/// `report 06a [--agency A] [--rollup] [--by procedure] [--period day|month|quarter|year] [--from D] [--to D]
/// [--as-of T|--known-at T] [--format table|ndjson|csv] [--explain COLUMN]`: form 06a (REPORTS.md §1).
enum ReportCommand {

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ReportScope.valued.union(["by"]), flags: ReportScope.flags)
        let positionals = try args.positionals(max: 1, command: "report")
        guard let form = positionals.first else { throw CommandFailure(.usage, "report needs the form to write: 06a (usage: \(Help.usage("report")))") }
        guard form == "06a" else { throw CommandFailure(.usage, "report \(form): the report known is 06a (usage: \(Help.usage("report")))") }
        let byProcedure: Bool
        switch args.value("by") {
        case nil: byProcedure = false
        case "procedure"?: byProcedure = true
        case let other?: throw CommandFailure(.usage, "--by \(other): expected procedure")
        }
        var explained: ReportCount?
        if let name = args.value("explain") {
            guard let column = ReportCount(name: name), ReportCount.form06a.contains(column) else {
                throw CommandFailure(.usage, "--explain \(name): expected a column of form 06a: \(ReportCount.form06a.map(\.name).joined(separator: ", "))")
            }
            explained = column
        }
        let scope = try ReportScope(args, context: context, kinds: [.month, .day, .quarter, .year])
        if let column = explained {
            try scope.explain(parts: { _ in [(column.name, .dossiers([column]))] }, to: context.out)
            return
        }
        let rows = try scope.tally().form06aRows(reference: scope.reference, agency: scope.agency, rollup: scope.rollup, byProcedure: byProcedure)
        let json = rows.map { $0.json(reference: scope.reference) }
        let lead = ["agency"] + (scope.format == .csv ? ["agencyName"] : []) + ["period"]
            + (byProcedure ? ["procedure"] + (scope.format == .csv ? ["procedureName"] : []) : [])
        let columns = lead + ReportCount.form06a.map(\.name)
        guard scope.format == .table else {
            try RowOutput.write(json, columns: columns, format: scope.format, to: context.out)
            return
        }
        var table = TextTable(columns: lead + ["carried over", "online", "direct", "postal", "early", "on time", "late",
                                               "otherwise", "not due", "overdue", "not due", "overdue"])
        table.groups = [("", lead.count), ("", 1), ("received in period", 3), ("processed in period", 3), ("ended", 1),
                        ("in progress at end", 2), ("paused at end", 2)]
        for row in json { table.add(columns.map { RowOutput.cell(row[$0]) }) }
        for (period, total) in totals(rows, rollup: scope.rollup, reference: scope.reference) {
            table.addTotal(["total", period] + (byProcedure ? [""] : []) + total.map { String($0) })
        }
        try context.out.write(table.render())
    }

    /// One totals row per period: the sum of the rows, without counting a
    /// rolled-up agency's dossiers again under the agencies above it.
    static func totals(_ rows: [Form06aRow], rollup: Bool, reference: ReferenceData) -> [(String, [Int64])] {
        var byPeriod: [(index: Int, label: String, sum: [Int64])] = []
        let agencies = Set(rows.map(\.agency))
        for row in rows {
            // With roll-up, an agency under another listed agency is already in that agency's row.
            if rollup, reference.lineage(of: row.agency).dropFirst().contains(where: agencies.contains) { continue }
            if let i = byPeriod.firstIndex(where: { $0.index == row.periodIndex }) {
                for c in row.columns.indices { byPeriod[i].sum[c] += row.columns[c] }
            } else {
                byPeriod.append((row.periodIndex, row.period, row.columns))
            }
        }
        return byPeriod.sorted { $0.index < $1.index }.map { ($0.label, $0.sum) }
    }
}
