import LedgerStore
import Projections

/// `export [--from SEQ] [--to SEQ] [--dossier CODE]`: contract output lines in seq order.
enum ExportCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["from", "to", "dossier", "format"], flags: [])
        _ = try args.positionals(max: 0, usage: "dossier-ledger export [--from SEQ] [--to SEQ] [--dossier CODE]")
        if let format = args.value("format"), format != "ndjson" {
            throw CommandFailure(.usage, "--format \(format): export writes ndjson")
        }
        let from: UInt64 = try args.integer("from", in: 1...UInt64.max) ?? 1
        let to: UInt64 = try args.integer("to", in: 1...UInt64.max) ?? .max
        let ledger = try context.openLedger()
        let out = context.out
        try ledger.store.read { txn in
            var w = JSONWriter(capacity: 1 << 16)
            func emit(_ e: RecordedEvent) throws {
                e.writeJSON(into: &w)
                w.bytes.append(0x0A)
                if w.bytes.count >= 1 << 16 {
                    try out.write(w.bytes)
                    w.bytes.removeAll(keepingCapacity: true)
                }
            }
            if let code = args.value("dossier") {
                for seq in try ledger.store.seqs(ofDossier: code, in: txn) where seq >= from && seq <= to {
                    if let e = try ledger.store.event(seq: seq, in: txn) { try emit(e) }
                }
            } else {
                try ledger.store.forEachEvent(from: from, to: to, in: txn) { e in
                    try emit(e)
                    return true
                }
            }
            try out.write(w.bytes)
        }
    }
}
