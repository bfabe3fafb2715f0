import Audit
import Foundation
import LedgerContract
import Projections

/// `kpi [--agency A] [--rollup] [--period day|month|quarter|year] [--from D] [--to D] [--format table|ndjson|csv]`.
enum KPICommand {
    static let columns = ["agency", "period", "received", "processed", "early", "onTime", "late", "onTimeRate",
                          "overdueInProgress", "onlineShare", "onlinePaymentRate", "inputDigitisationRate",
                          "resultDigitisationRate", "repeatedSupplement", "satisfaction"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["agency", "period", "from", "to", "format", "bands"]), flags: ["rollup"])
        _ = try args.positionals(max: 0, command: "kpi")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        let periodText = args.value("period") ?? "month"
        guard let period = KPIPeriod(rawValue: periodText) else {
            throw CommandFailure(.usage, "--period \(periodText): expected day, month, quarter or year")
        }
        let bands = try parseBands(args.value("bands"))
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: calendar)
        let aggregation = KPIAggregation(agency: args.value("agency"), rollup: args.flag("rollup"), period: period,
                                         from: try TimeArgument.date(args.value("from"), option: "from", end: false),
                                         to: try TimeArgument.date(args.value("to"), option: "to", end: true), asOf: asOf)
        let rows = try past.map { try Replay.kpiRows(ledger, as: $0, aggregation) }
            ?? (try ledger.kpiRows(agency: aggregation.agency, rollup: aggregation.rollup, period: period,
                              from: aggregation.from, to: aggregation.to, asOf: asOf))
        let colour = context.out.isTerminal && context.environment["NO_COLOR"] == nil
        try RowOutput.write(rows.map { $0.json(bands: bands) }, columns: columns, format: format, to: context.out) { column, row in
            bandCell(column, row, colour: colour)
        }
    }

    /// A rate cell of a KPI table: "93.2% green", coloured on a terminal; nil for other columns.
    static func bandCell(_ column: String, _ row: JSONObject, colour: Bool) -> String? {
        guard column.hasSuffix("Rate") || column == "onlineShare", case .double(let v)? = row[column],
              let band = row["band"]?.objectValue?[column]?.stringValue else { return nil }
        return BandColour.paint(String(format: "%.1f%%", v * 100) + " " + band, band: band, colour: colour)
    }

    /// `--bands onTimeRate=95,85,60;onlineShare=80,60,40` (percent thresholds for green, yellow, orange).
    static func parseBands(_ text: String?) throws -> [String: BandThresholds] {
        guard let text else { return [:] }
        var out: [String: BandThresholds] = [:]
        for part in text.split(separator: ";") {
            let kv = part.split(separator: "=")
            let numbers = kv.count == 2 ? kv[1].split(separator: ",").compactMap { Double($0) } : []
            guard kv.count == 2, numbers.count == 3, numbers[0] >= numbers[1], numbers[1] >= numbers[2] else {
                throw CommandFailure(.usage, "--bands \(part): expected RATE=GREEN,YELLOW,ORANGE in percent, e.g. onTimeRate=95,85,60")
            }
            out[String(kv[0])] = BandThresholds(green: numbers[0] / 100, yellow: numbers[1] / 100, orange: numbers[2] / 100)
        }
        return out
    }
}
