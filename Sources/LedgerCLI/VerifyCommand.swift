import LedgerStore
import Projections

/// `verify [--from SEQ]`: recomputes the hash chain; exit 0 only if it holds.
enum VerifyCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["from"], flags: [])
        _ = try args.positionals(max: 0, usage: "dossier-ledger verify [--from SEQ]")
        let from: UInt64 = try args.integer("from", in: 1...UInt64.max) ?? 1
        let ledger = try context.openLedger()
        let result = try ledger.store.verifyChain(from: from)
        if let failure = result.failure {
            throw CommandFailure(.dataError, "verification FAILED at seq \(failure.seq): \(failure.problem) (\(result.checked) events before it verified)")
        }
        let head = result.head.map { "head seq \($0.seq), hash \($0.hash.hex)" } ?? "empty log"
        try context.out.line("hash chain holds: \(result.checked) events verified from seq \(from) (\(head))")
        let differences = try ledger.projectionDifferences()
        guard differences.isEmpty else {
            for d in differences { printError("  " + d) }
            throw CommandFailure(.dataError, "verification FAILED: the live projections differ from a rebuild from the log (\(differences.count) difference\(differences.count == 1 ? "" : "s") shown above)")
        }
        try context.out.line("projections match a rebuild from the log: \(Ledger.projectionNames.joined(separator: ", "))")
    }
}
