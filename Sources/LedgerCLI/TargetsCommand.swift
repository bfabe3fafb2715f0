import SystemIO
import Audit
import DossierRules
import Foundation
import LedgerContract
import Projections

/// `targets [--agency A] [--officer ID] [--period P] [--as-of T|--known-at T] [--format table|ndjson|csv]`:
/// each target in force, its value so far, the value projected at the pace so far, and its status.
enum TargetsCommand {
    static let columns = ["holder", "holderKind", "measure", "period", "assignedFor", "target", "actual", "gap", "projected", "status",
                          "numerator", "denominator", "officersOnCourse", "officersWithTargets", "subUnitsOnCourse", "subUnitsWithTargets"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["agency", "officer", "period", "format"]), flags: [])
        _ = try args.positionals(max: 0, command: "targets")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        var period: TargetPeriod?
        if let text = args.value("period") {
            guard let p = TargetPeriod(text) else { throw CommandFailure(.usage, "--period \(text): expected a year, quarter or month like 2026, 2026-Q2 or 2026-05") }
            period = p
        }
        let agency = args.value("agency"), officer = args.value("officer")
        if agency != nil && officer != nil { throw CommandFailure(.usage, "give --agency or --officer, not both") }
        let ledger = try context.openLedger()
        let live = try ledger.read { try $0.reference() }
        let past = try PastInstantArgument.parse(args, calendar: live.calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: live.calendar)
        let reference = try past.map { past in try ledger.read { try Replay.reference(as: past, in: $0) } } ?? live
        if let agency, reference.agencies[agency] == nil { throw CommandFailure(.usage, "--agency \(agency): not a registered agency") }
        if let officer, reference.officers[officer] == nil { throw CommandFailure(.usage, "--officer \(officer): not a registered officer") }

        let rows = TargetEvaluation.rows(reference: reference, asOf: asOf, period: period, agency: agency, officer: officer)
        var evaluation = TargetEvaluation(rows: rows, reference: reference, asOf: asOf)
        if !rows.isEmpty {
            try ReplayedDossiers.visit(ledger, as: past) { state, reference in evaluation.add(state, reference: reference) }
        }
        let progress = evaluation.progress(reference: reference)
        let colour = context.out.isTerminal && context.environment["NO_COLOR"] == nil
        guard format == .table else {
            try RowOutput.write(progress.map { $0.json(calendar: reference.calendar) }, columns: columns, format: format, to: context.out)
            return
        }
        guard !progress.isEmpty else {
            let scope = period.map { "for \($0)" } ?? "for the year, quarter or month holding \(reference.calendar.localDate(of: asOf))"
            try context.out.line("no targets in force \(scope)")
            return
        }
        try context.out.write(table(progress, reference: reference, colour: colour).render())
    }

    /// The band colour a status is painted in.
    static func band(_ status: TargetStatus) -> String {
        switch status {
        case .met, .onTrack: "green"
        case .atRisk: "orange"
        case .missed: "red"
        case .noData: ""
        }
    }

    /// One line per target: percentages, the gap in points, the status
    /// coloured, and for agencies how many of their officers and sub-units are on course.
    static func table(_ rows: [TargetProgress], reference: ReferenceData, colour: Bool) -> TextTable {
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
        var table = TextTable(columns: ["holder", "measure", "period", "target", "actual", "gap", "projected", "status", "officers", "sub-units"])
        for p in rows {
            let a = p.assignment
            let holder: String = switch a.holder {
            case .agency(let code): code
            case .officer(let id): "\(id) (\(reference.officers[id]?.agency ?? "?"))"
            }
            let period = p.inherited ? "\(p.period) (of \(a.period))" : p.period.description
            let gap = p.gap.map { String(format: "%+.1f", 100 * $0) } ?? "–"
            var officers = "", subUnits = ""
            if case .agency = a.holder {
                if p.officersWithTargets > 0 { officers = "\(p.officersOnCourse)/\(p.officersWithTargets) on course" }
                if p.subUnitsWithTargets > 0 { subUnits = "\(p.subUnitsOnCourse)/\(p.subUnitsWithTargets) on course" }
            }
            table.add([holder, a.measure.description, period, percent(a.value), percent(p.actual), gap, percent(p.projected),
                       BandColour.paint(p.status.rawValue, band: band(p.status), colour: colour), officers, subUnits])
        }
        return table
    }
}
