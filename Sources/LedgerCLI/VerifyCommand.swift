import SystemIO
import LedgerContract
import Projections

/// `verify [--from SEQ]`: recomputes the hash chain; exit 0 only if it holds.
enum VerifyCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["from", "head"], flags: [])
        _ = try args.positionals(max: 0, command: "verify")
        var writtenDown: (seq: UInt64, hash: SHA256.Digest)?
        if let text = args.value("head") {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let seq = UInt64(parts[0]), seq > 0, let hash = SHA256.Digest(hex: String(parts[1])) else {
                throw CommandFailure(.usage, "--head \(text): expected SEQ:HASH as printed by `stats` (head seq and head hash)")
            }
            writtenDown = (seq, hash)
        }
        let from: UInt64 = try args.integer("from", in: 1...Arguments.maxSeq) ?? 1
        let ledger = try context.openLedger()
        let (result, projectionDifferences) = try ledger.verify(from: from)
        if let failure = result.failure {
            throw CommandFailure(.dataError, "verification FAILED at seq \(failure.seq): \(failure.problem) (\(result.checked) events before it verified)")
        }
        if let (seq, hash) = writtenDown {
            let stored = try ledger.read { try $0.event(seq: seq) }
            guard let stored else {
                throw CommandFailure(.dataError, "verification FAILED: the head written down was seq \(seq), but the log now ends before it — events were removed")
            }
            guard stored.hash == hash else {
                throw CommandFailure(.dataError, "verification FAILED: seq \(seq) now has hash \(stored.hash.hex), not \(hash.hex) as written down — the log was rewritten, not only appended to")
            }
            try context.out.line("head seq \(seq) still has hash \(hash.hex): the log was only appended to since")
        }
        let head = result.head.map { "head seq \($0.seq), hash \($0.hash.hex)" } ?? "empty log"
        try context.out.line("hash chain holds: \(result.checked) events verified from seq \(from) (\(head))")
        let differences = projectionDifferences ?? []   // nil only when the chain broke, reported above
        guard differences.isEmpty else {
            for d in differences { printError("  " + d) }
            throw CommandFailure(.dataError, "verification FAILED: the live projections differ from a rebuild from the log (\(differences.count) difference\(differences.count == 1 ? "" : "s") shown above)")
        }
        try context.out.line("projections match a rebuild from the log: \(Ledger.projectionNames.joined(separator: ", "))")
    }
}
