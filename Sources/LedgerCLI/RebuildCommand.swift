import SystemIO
import Foundation
import Projections

/// `rebuild`: drops the projections and folds them again from the log.
enum RebuildCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: [], flags: [])
        _ = try args.positionals(max: 0, command: "rebuild")
        let ledger = try context.openLedger()
        let progress = Progress(enabled: FileSystem.isTerminal(2))
        let start = Date()
        let result = try ledger.rebuildProjections { seq in
            progress.update(events: Int(seq), bytes: 0, seconds: Date().timeIntervalSince(start))
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        try context.out.line(String(format: "rebuilt %@ from %llu events (%d dossiers) in %.1f s",
                                    Ledger.projectionNames.joined(separator: ", "), result.events, result.dossiers, seconds))
    }
}
