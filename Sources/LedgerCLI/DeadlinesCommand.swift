import SystemIO
import Audit
import DossierRules
import LedgerContract
import Projections
import WorkingTime

/// `deadlines [--agency A] [--holder OFFICER] [--bucket overdue|due_soon|not_due] [--within HOURS]
/// [--as-of T|--known-at T] [--format table|ndjson|csv]`: the deadline warnings of REPORTS.md §3, most urgent first.
enum DeadlinesCommand {
    static let columns = ["dossier", "agency", "bucket", "dueAt", "hoursLeft", "holder", "step", "stepHoursLeft", "paused"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["agency", "holder", "bucket", "within", "format"]),
                                 flags: [])
        _ = try args.positionals(max: 0, command: "deadlines")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        var bucket: DeadlineBucket?
        if let b = args.value("bucket") {
            guard let parsed = DeadlineBucket(rawValue: b) else {
                throw CommandFailure(.usage, "--bucket \(b): expected \(DeadlineBucket.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            bucket = parsed
        }
        let window = try windowSeconds(args.value("within"))
        let agency = args.value("agency"), holder = args.value("holder")
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: calendar)
        var warnings: [DeadlineWarning] = []
        var outputCalendar = calendar
        func consider(_ state: DossierState, _ reference: ReferenceData) {
            if let agency, state.agency != agency { return }
            guard let w = state.deadlineWarning(at: asOf, reference: reference, window: window) else { return }
            if let bucket, w.bucket != bucket { return }
            if let holder, w.holder != holder { return }
            warnings.append(w)
        }
        if let past {
            try ledger.read { snapshot in
                outputCalendar = try Replay.reference(as: past, in: snapshot).calendar
                try Replay.forEachDossier(in: snapshot, as: past) { consider($0, $1) }
            }
        } else {
            try ledger.read { snapshot in
                let reference = try snapshot.reference()
                try snapshot.forEachOpenDossier { consider($0, reference) }
            }
        }
        warnings.sort(by: DeadlineWarning.moreUrgent)
        try write(warnings, calendar: outputCalendar, format: format, to: context.out,
                  colour: context.out.isTerminal && context.environment["NO_COLOR"] == nil)
    }

    /// The warnings as a table (buckets coloured on a terminal), NDJSON or CSV.
    static func write(_ warnings: some Sequence<DeadlineWarning>, calendar: WorkingCalendar, format: OutputFormat, to out: Output, colour: Bool) throws {
        try RowOutput.write(warnings.map { $0.json(calendar: calendar) }, columns: columns, format: format, to: out) { column, row in
            guard column == "bucket", let b = row["bucket"]?.stringValue else { return nil }
            return BandColour.paint(b, band: b, colour: colour)
        }
    }

    /// `--within HOURS` as working seconds (default one working day, 8 hours).
    static func windowSeconds(_ text: String?) throws -> Int64 {
        guard let text else { return defaultWarningWindowSeconds }
        guard let hours = Double(text), hours.isFinite, hours >= 0, hours <= 100_000 else {
            throw CommandFailure(.usage, "--within \(text): expected working hours, e.g. 8 or 2.5")
        }
        return Int64((hours * 3600).rounded())
    }
}
