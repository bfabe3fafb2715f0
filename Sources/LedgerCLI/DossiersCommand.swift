import Audit
import DossierRules
import LedgerContract
import Projections

/// `dossiers [--agency A] [--state S] [--format table|ndjson|csv]`.
enum DossiersCommand {
    static let columns = ["dossier", "state", "procedure", "agency", "channel", "receivedAt", "dueAt", "processedAt",
                          "outcome", "holder", "step", "supplementRequests"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["agency", "state", "format"]), flags: [])
        _ = try args.positionals(max: 0, command: "dossiers")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        var stage: DossierStage?
        if let s = args.value("state") {
            guard let parsed = DossierStage(name: s) else {
                throw CommandFailure(.usage, "--state \(s): expected one of \(DossierStage.allCases.map(\.name).joined(separator: ", "))")
            }
            stage = parsed
        }
        let agency = args.value("agency")
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        var rows = try RowSink(columns: columns, format: format, to: context.out)
        defer { rows.abandon() }
        try ReplayedDossiers.visit(ledger, as: past) { state, reference in
            if let agency, state.agency != agency { return }
            if let stage, state.stage != stage { return }
            try rows.add(state.json(reference: reference))
        }
        try rows.finish()
    }
}

/// The dossiers of the live projections, or of a replay as of a past instant, in code order.
enum ReplayedDossiers {
    static func visit(_ ledger: Ledger, as past: PastInstant?, _ body: (DossierState, ReferenceData) throws -> Void) throws {
        if let past {
            try Replay.forEachDossier(ledger, as: past, body)
            return
        }
        try ledger.read { snapshot in
            let reference = try snapshot.reference()
            try snapshot.forEachDossier { try body($0, reference) }
        }
    }
}
