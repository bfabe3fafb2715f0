import LedgerStore
import Projections

/// `show CODE [--format table|json]`: one dossier's current state.
enum ShowCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["format"], flags: [])
        let positionals = try args.positionals(max: 1, usage: "dossier-ledger show CODE [--format table|json]")
        guard let code = positionals.first else { throw CommandFailure(.usage, "show needs a dossier code") }
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .json], default: .table)
        let ledger = try context.openLedger()
        let (state, reference) = try ledger.store.read { txn in (try ledger.dossier(code, in: txn), try ledger.reference(in: txn)) }
        guard let state else { throw CommandFailure(.noInput, "dossier \(code) has no events in \(context.ledgerPath)") }
        let row = state.json(reference: reference)
        if format == .json {
            var w = JSONWriter()
            w.object(row)
            try context.out.line(String(decoding: w.bytes, as: UTF8.self))
            return
        }
        let width = row.members.map(\.key.count).max() ?? 0
        for m in row.members {
            try context.out.line(m.key + String(repeating: " ", count: width - m.key.count + 2) + RowOutput.cell(m.value))
        }
    }
}
