import SystemIO
import LedgerContract
import Projections

/// `append [FILE|-]`: the whole input as one atomic batch.
enum AppendCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: [], flags: [])
        let paths = try args.positionals(max: 1, command: "append")
        let ledger = try context.openLedger()
        let input = try InputSource(path: paths.first)
        defer { input.close() }
        var reader = LineReader(fileDescriptor: input.fd)
        let events = try InputSource.readBatch(&reader, limit: .max) ?? []
        guard !events.isEmpty else {
            try context.out.line("nothing to append: \(input.name) has no events")
            return
        }
        let report = try ledger.append(events)
        try context.out.line(summary(report))
    }

    static func summary(_ report: AppendReport) -> String {
        var parts: [String] = []
        if let range = report.stored {
            let count = report.storedCount
            parts.append(range.count == 1 ? "stored 1 event: seq \(range.lowerBound)"
                                          : "stored \(count) events: seq \(range.lowerBound)–\(range.upperBound)")
        } else {
            parts.append("stored nothing new")
        }
        if !report.alreadyStored.isEmpty {
            let shown = report.alreadyStored.prefix(5).map { "line \($0.line) → seq \($0.seq)" }.joined(separator: ", ")
            let more = report.alreadyStored.count > 5 ? ", …" : ""
            parts.append("\(report.alreadyStored.count) already stored (\(shown)\(more))")
        }
        return parts.joined(separator: "; ")
    }
}
