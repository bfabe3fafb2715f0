import Foundation
import LedgerStore
import Projections

/// `import [FILE|-] [--batch N]`: streams a large input in atomic batches.
/// Re-running it after an interruption stores only what is missing.
enum ImportCommand {
    static let usage = "dossier-ledger import [FILE|-] [--batch N]"

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["batch", "format"], flags: [])
        let paths = try args.positionals(max: 1, usage: usage)
        if let format = args.value("format"), format != "ndjson" {
            throw CommandFailure(.usage, "--format \(format): import reads ndjson")
        }
        let batch = try args.integer("batch", in: 1...1_000_000) ?? 5000
        let ledger = try context.openLedger()
        let input = try InputSource(path: paths.first)
        defer { input.close() }
        let progress = Progress(enabled: isatty(2) == 1)
        let summary = try importEvents(into: ledger, from: input, batchSize: batch, progress: progress)
        progress.finish()
        try context.out.line(summary.text)
    }

    struct Summary {
        var stored = 0
        var alreadyStored = 0
        var first: UInt64?
        var last: UInt64?
        var seconds = 0.0

        var text: String {
            var s = "imported \(stored) events"
            if let first, let last { s += " (seq \(first)–\(last))" }
            if alreadyStored > 0 { s += ", \(alreadyStored) already stored" }
            let rate = seconds > 0 ? Int(Double(stored + alreadyStored) / seconds) : 0
            s += String(format: " in %.1f s (%d events/s)", seconds, rate)
            return s
        }
    }

    static func importEvents(into ledger: Ledger, from input: InputSource, batchSize: Int, progress: Progress) throws -> Summary {
        var reader = LineReader(fileDescriptor: input.fd)
        var summary = Summary()
        let start = Date()
        while true {
            let events: [InputEvent]
            let report: AppendReport
            do {
                guard let batch = try InputSource.readBatch(&reader, limit: batchSize) else { break }
                events = batch
                report = try ledger.append(events)
            } catch let refusal as AppendRefusal {
                progress.finish()
                var committed = "nothing was stored"
                if let first = summary.first, let last = summary.last {
                    committed = "the \(summary.stored) events before this batch were stored (seq \(first)–\(last))"
                }
                printError("dossier-ledger import: \(committed); nothing of the batch holding line \(refusal.line) was written. Fix the input and run the same import again: events already stored are skipped.")
                throw refusal
            }
            summary.stored += report.storedCount
            summary.alreadyStored += report.alreadyStored.count
            if let r = report.stored {
                summary.first = summary.first ?? r.lowerBound
                summary.last = r.upperBound
            }
            summary.seconds = Date().timeIntervalSince(start)
            progress.update(events: summary.stored + summary.alreadyStored, bytes: reader.bytesRead, seconds: summary.seconds)
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// A one-line progress report on stderr, redrawn in place; silent when
/// stderr is not a terminal.
final class Progress {
    let enabled: Bool
    private var lastDraw = 0.0
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(events: Int, bytes: Int, seconds: Double) {
        guard enabled, seconds - lastDraw >= 0.2 else { return }
        lastDraw = seconds
        drawn = true
        let rate = seconds > 0 ? Int(Double(events) / seconds) : 0
        let text = String(format: "\r  %d events, %.1f MB read, %d events/s   ", events, Double(bytes) / 1e6, rate)
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        if enabled && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
