import SystemIO
import LedgerContract
import Projections

/// `history CODE [--format table|ndjson]`: one dossier's events, read from its stream.
enum HistoryCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["format"], flags: [])
        let code = try args.dossierCode(command: "history")
        let format = args.value("format") ?? "table"
        guard format == "table" || format == "ndjson" else { throw CommandFailure(.usage, "--format \(format): expected table or ndjson") }
        let ledger = try context.openLedger()
        let events = try ledger.read { try $0.events(ofDossier: code) }
        guard !events.isEmpty else { throw CommandFailure.noDossier(code, in: ledger, path: context.ledgerPath) }
        if format == "ndjson" {
            var lines = OutputLines(ledger: ledger)
            var w = JSONWriter()
            try ledger.read { snapshot in
                try snapshot.writeOutputLines(dossier: code, with: &lines, into: &w) { _ in }
            }
            try context.out.write(w.bytes)
            return
        }
        var table = TextTable(columns: ["version", "seq", "at", "type", "actor", "details"])
        for e in events {
            table.add([e.version.map(String.init) ?? "", String(e.seq), e.event.at.text, e.event.type.name,
                       e.event.actor ?? "", details(e.event.data)])
        }
        try context.out.line("dossier \(code): \(events.count) events")
        try context.out.write(table.render())
    }

    /// `key=value` pairs of the data, texts unquoted, shortened for a table.
    static func details(_ data: JSONObject) -> String {
        let text = data.members.map { m -> String in
            let value: String
            switch m.value {
            case .string(let s): value = s
            default:
                var w = JSONWriter()
                w.value(m.value)
                value = String(decoding: w.bytes, as: UTF8.self)
            }
            return "\(m.key)=\(value)"
        }.joined(separator: " ")
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}
