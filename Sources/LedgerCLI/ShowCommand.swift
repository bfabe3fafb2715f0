import Audit
import LedgerContract
import Projections

/// `show CODE [--format table|json]`: one dossier's current state.
enum ShowCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["format"]), flags: [])
        let code = try args.dossierCode(command: "show")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .json], default: .table)
        let ledger = try context.openLedger()
        var (found, reference) = try ledger.read { (try $0.dossier(code), try $0.reference()) }
        if let past = try PastInstantArgument.parse(args, calendar: reference.calendar) {
            let replayed = try Replay.dossier(code, in: ledger, as: past)
            found = replayed?.0
            if let r = replayed?.1 { reference = r }
        }
        guard let state = found else {
            throw CommandFailure.noDossier(code, in: ledger, path: context.ledgerPath, when: (args.value("as-of") ?? args.value("known-at")).map { " as of \($0)" }.orEmpty)
        }
        let row = state.json(reference: reference)
        try RowOutput.writeRecord(row, json: format == .json, to: context.out)
    }
}

extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
