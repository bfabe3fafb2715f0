import LedgerContract
import Projections

/// `violations [--agency A] [--code C] [--as-of T] [--format table|ndjson|csv]`.
enum ViolationsCommand {
    static let columns = ["dossier", "code", "agency", "officer", "step", "heldHours", "evidence"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["agency", "code", "format", "reception-hours", "backdated-hours"]), flags: [])
        _ = try args.positionals(max: 0, command: "violations")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        var code: Violation.Code?
        if let c = args.value("code") {
            guard let parsed = Violation.Code(rawValue: c) else {
                throw CommandFailure(.usage, "--code \(c): expected one of \(Violation.Code.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            code = parsed
        }
        var rules = ViolationRules()
        if let h: Int64 = try args.integer("reception-hours", in: 1...10_000) { rules.receptionLimitSeconds = h * 3600 }
        if let h: Int64 = try args.integer("backdated-hours", in: 1...100_000) { rules.backdatedAfterSeconds = h * 3600 }
        let agency = args.value("agency")
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: calendar)
        var rows = try RowSink<Violation>(columns: columns, format: format, to: context.out, json: { $0.json })
        defer { rows.abandon() }
        try ReplayedDossiers.visit(ledger, as: past) { state, reference in
            if let agency, state.agency != agency { return }
            for v in state.violations(reference: reference, asOf: asOf, rules: rules) where code == nil || v.code == code {
                try rows.add(v)
            }
        }
        try rows.finish()
    }
}
