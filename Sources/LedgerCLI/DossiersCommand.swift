import DossierRules
import LedgerStore
import Projections

/// `dossiers [--agency A] [--state S] [--format table|ndjson|csv]`.
enum DossiersCommand {
    static let columns = ["dossier", "state", "procedure", "agency", "channel", "receivedAt", "dueAt", "processedAt",
                          "outcome", "holder", "step", "supplementRequests"]

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["agency", "state", "format"], flags: [])
        _ = try args.positionals(max: 0, usage: "dossier-ledger dossiers [--agency A] [--state S] [--format table|ndjson|csv]")
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
        let rows: [JSONObject] = try ledger.store.read { txn in
            let reference = try ledger.reference(in: txn)
            var rows: [JSONObject] = []
            try ledger.forEachDossier(in: txn) { state in
                if let agency, state.agency != agency { return }
                if let stage, state.stage != stage { return }
                rows.append(state.json(reference: reference))
            }
            return rows
        }
        try RowOutput.write(rows, columns: columns, format: format, to: context.out)
    }
}
