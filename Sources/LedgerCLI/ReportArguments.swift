import SystemIO
import Audit
import DossierRules
import LedgerContract
import Projections
import WorkingTime

/// What the period reports (`report 06a`, `scorecard`) share: the agency
/// and roll-up, the periods, the instant asked at, and where the dossiers
/// come from (the live projections, or a replay as of a past instant).
struct ReportScope {
    static let valued: Set<String> = PastInstantArgument.options.union(["agency", "period", "from", "to", "format", "explain"])
    static let flags: Set<String> = ["rollup"]

    let ledger: Ledger
    let agency: String?
    let rollup: Bool
    let past: PastInstant?
    let periods: ReportPeriods
    let format: OutputFormat
    /// The reference data now, or as of the replay.
    let reference: ReferenceData

    /// - Parameters:
    ///   - kinds: the periods allowed, the first being the default.
    init(_ args: Arguments, context: CommandContext, kinds: [KPIPeriod]) throws {
        format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        let periodText = args.value("period") ?? kinds[0].rawValue
        guard let kind = KPIPeriod(rawValue: periodText), kinds.contains(kind) else {
            throw CommandFailure(.usage, "--period \(periodText): expected \(kinds.map(\.rawValue).joined(separator: ", "))")
        }
        let from = try TimeArgument.date(args.value("from"), option: "from", end: false)
        let to = try TimeArgument.date(args.value("to"), option: "to", end: true)
        if let from, let to, to < from { throw CommandFailure(.usage, "--to \(to) is before --from \(from)") }
        let agency = args.value("agency")
        let ledger = try context.openLedger()
        let live = try ledger.read { try $0.reference() }
        let past = try PastInstantArgument.parse(args, calendar: live.calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: live.calendar)
        let reference = try past.map { past in try ledger.read { try Replay.reference(as: past, in: $0) } } ?? live
        if let agency, reference.agencies[agency] == nil {
            throw CommandFailure(.usage, "--agency \(agency): not a registered agency")
        }
        self.agency = agency
        self.ledger = ledger
        self.past = past
        self.reference = reference
        rollup = args.flag("rollup")
        periods = ReportPeriods(kind: kind, calendar: reference.calendar, from: from, to: to, asOf: asOf)
    }

    /// Calls `body` with every dossier (live, or as of the replay) and the reference data it was received under.
    func visit(_ body: (DossierState, ReferenceData) throws -> Void) throws {
        try ReplayedDossiers.visit(ledger, as: past, body)
    }

    /// Lists the dossiers behind a figure (`--explain`), as a table, NDJSON or CSV.
    func explain(parts: @escaping (Int) -> [(name: String, part: ReportPart)], to out: Output) throws {
        var explainer = ReportExplainer(periods: periods, agency: agency, rollup: rollup, parts: parts)
        try visit { state, reference in explainer.add(state, reference: reference) }
        let rows = explainer.explained().map { $0.json(calendar: reference.calendar) }
        try RowOutput.write(rows, columns: ["agency", "period", "part", "count", "dossier", "procedure", "at", "seq", "dueAt"],
                            format: format, to: out)
    }

    /// The counts of every dossier, summed.
    func tally() throws -> ReportTally {
        var tally = ReportTally(periods: periods)
        try visit { state, reference in tally.add(state, reference: reference) }
        return tally
    }
}

/// Colours on a terminal for band and bucket names.
enum BandColour {
    static func paint(_ text: String, band: String, colour: Bool) -> String {
        guard colour else { return text }
        let code = ["green": "32", "yellow": "33", "orange": "38;5;208", "red": "31",
                    "overdue": "31", "due_soon": "33"][band] ?? "0"
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
