import Foundation
import LedgerContract
import Projections

/// `stats`: counts, size on disk and the head an auditor can write down.
enum StatsCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: [], flags: [])
        _ = try args.positionals(max: 0, command: "stats")
        let ledger = try context.openLedger()
        let (head, dossiers, references) = try ledger.read { (try $0.head(), try $0.dossierCount(), try $0.referenceEventCount()) }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: context.ledgerPath + "/data.mdb")[.size] as? Int) ?? 0
        let used = try ledger.bytesInUse()
        let events = Int(head.seq)
        let out = context.out
        try out.line("ledger           \(context.ledgerPath)")
        try out.line("events           \(events) (\(references) reference, \(events - references) dossier)")
        try out.line("dossiers         \(dossiers)")
        try out.line("bytes on disk    \(used) in use (data.mdb file \(fileBytes))")
        try out.line("bytes per event  " + (events > 0 ? String(format: "%.1f", Double(used) / Double(events)) : "-"))
        if let identity = try ledger.identity() {
            try out.line("province         \(identity.province) (ledger id \(identity.ledgerID))")
        }
        try out.line("head seq         \(head.seq)")
        try out.line("head hash        \(head.hash.hex)")
    }
}
