import SystemIO
import Audit
import Foundation
import LedgerContract
import Projections

/// `import [FILE|-] [--batch N]`: streams a large input in atomic batches.
/// Re-running it after an interruption stores only what is missing.
enum ImportCommand {
    /// A batch refused after earlier batches of the same import were
    /// committed: they stay stored, nothing of this batch is written.
    struct RefusedAfterEarlierBatches: Error {
        let refusal: AppendRefusal
    }

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["batch", "format", "agency", "timezone"], flags: ["verbose"])
        let paths = try args.positionals(max: 1, command: "import")
        let format = args.value("format") ?? "ndjson"
        guard format == "ndjson" || format == "xes" else {
            throw CommandFailure(.usage, "--format \(format): import reads ndjson or xes")
        }
        let batch = try args.integer("batch", in: 1...1_000_000) ?? Ledger.importBatchSize
        let ledger = try context.openLedger()
        if format == "xes" {
            var options = XESImport.Options()
            options.agency = try args.code("agency") ?? "XES"
            options.batchSize = batch
            if let text = args.value("timezone") {
                guard let minutes = XESImport.timezoneMinutes(text) else {
                    throw CommandFailure(.usage, "--timezone \(text): expected a UTC offset like +01:00, -05:30 or Z")
                }
                options.timezoneMinutes = minutes
            }
            try importXES(into: ledger, path: paths.first, options: options, out: context.out)
            return
        }
        guard args.value("timezone") == nil else { throw CommandFailure(.usage, "--timezone applies to --format xes") }
        let input = try InputSource(path: paths.first)
        defer { input.close() }
        let progress = Progress(enabled: FileSystem.isTerminal(2))
        let summary = try importEvents(into: ledger, from: input, batchSize: batch, progress: progress, reportBatches: args.flag("verbose"))
        progress.finish()
        try context.out.line(summary.text)
    }

    /// Streams an XES log (plain or gzip) into the ledger: checked whole first, then appended in batches.
    static func importXES(into ledger: Ledger, path: String?, options: XESImport.Options, out: Output) throws {
        let progress = Progress(enabled: FileSystem.isTerminal(2))
        let start = Date()
        let result: XESImport.Summary
        do {
            result = try XESImport.importLog(path: path, into: ledger, options: options) { phase, events, bytes in
                progress.update(events: events, bytes: bytes, seconds: Date().timeIntervalSince(start),
                                doing: phase == .checking ? "checked" : "imported")
            }
        } catch let failure as XESImport.Failure {
            progress.finish()
            throw CommandFailure(.dataError, "refused, nothing written: \(failure)")
        } catch let interrupted as XESImport.Interrupted {
            progress.finish()
            printError("dossier-ledger import: \(interrupted). Fix the cause and run the same import again: events already stored are skipped.")
            throw interrupted.cause
        }
        progress.finish()
        var summary = Summary(stored: result.stored, alreadyStored: result.alreadyStored, first: result.first, last: result.last)
        summary.seconds = Date().timeIntervalSince(start)
        try out.line("\(result.traces) traces, \(result.events) events: " + summary.text)
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

    /// A chunk of parsed lines, how far into the input it ends, and whether
    /// it is the last of its batch.
    struct ParsedChunk: Sendable {
        var events: [PreparedEvent]
        var bytesRead: Int
        var endsBatch: Bool
    }

    /// Events parsed and handed to the writer at a time: a batch is
    /// streamed into its transaction in chunks, so memory holds a few
    /// chunks of parsed events (`chunksAhead` and the one appended), not
    /// the batch.
    static let chunkSize = 4_096

    /// Bytes of input a chunk holds at most, however few its lines: events
    /// of the usual size (a few hundred bytes) end a chunk at `chunkSize`
    /// lines, and large ones (a line may hold up to 1 MiB) end it sooner,
    /// so the chunks parsed ahead stay within a bounded memory.
    static let chunkBytes = 1 << 20

    /// Chunks the parse thread may have ready ahead of the writer: while a
    /// batch commits (its pages written and synced) the parser goes on
    /// with the next batch's first chunks instead of waiting after one.
    /// A commit at 10^7 events takes about as long as parsing sixteen
    /// chunks; each chunk held takes about 3.7 MB.
    static let chunksAhead = 16

    /// Each batch is appended in one transaction, its lines read and parsed
    /// on a second thread a few chunks ahead of the writer (`BatchPrefetch`,
    /// `Ledger.append(chunks:)`): the log's order is the input's, and a
    /// batch is appended only after every batch before it committed.
    /// - Parameter reportBatches: print "committed seq A–B" on stderr after each batch's commit.
    static func importEvents(into ledger: Ledger, from input: InputSource, batchSize: Int, progress: Progress,
                             reportBatches: Bool = false) throws -> Summary {
        var reader = LineReader(fileDescriptor: input.fd)
        var inBatch = 0
        // A chunk appended comes back to be refilled: its events are freed on the parse thread, which
        // made them, and its array is reused (a new one of 32 KiB per chunk would make malloc gather
        // up every small block freed since the one before).
        let chunks = BatchPrefetch<ParsedChunk>(depth: chunksAhead, recycling: { spare in
            guard let events = try InputSource.readChunk(&reader, limit: min(chunkSize, batchSize - inBatch), byteLimit: chunkBytes,
                                                         preparingFor: ledger, reusing: spare?.events) else { return nil }
            inBatch += events.count
            let endsBatch = inBatch == batchSize
            if endsBatch { inBatch = 0 }
            return ParsedChunk(events: events, bytesRead: reader.bytesRead, endsBatch: endsBatch)
        })
        defer { chunks.stop() }
        var summary = Summary()
        let start = Date()
        var bytesRead = 0
        while true {
            let report: AppendReport
            do {
                // The batch's first chunk is read before its transaction begins: the end of input begins none.
                guard let firstChunk = try chunks.next() else { break }
                var unread: ParsedChunk? = firstChunk
                // The chunk the ledger is appending. It is moved out when handed back, so that the
                // parse thread holds the last reference and frees its events: freeing memory another
                // thread allocated would contend for that thread's malloc arena.
                var appending: ParsedChunk?
                var batchEnded = false
                report = try ledger.append(chunks: {
                    if let done = appending.take() { chunks.dispose(done) }
                    guard let chunk = try unread.take() ?? (batchEnded ? nil : chunks.next()) else { return nil }
                    bytesRead = chunk.bytesRead
                    batchEnded = chunk.endsBatch
                    appending = chunk
                    return chunk.events
                })
            } catch let refusal as AppendRefusal {
                progress.finish()
                var committed = "nothing was stored"
                if let first = summary.first, let last = summary.last {
                    committed = "the \(summary.stored) events before this batch were stored (seq \(first)–\(last))"
                }
                printError("dossier-ledger import: \(committed); nothing of the batch holding line \(refusal.line) was written. Fix the input and run the same import again: events already stored are skipped.")
                guard summary.first == nil else { throw RefusedAfterEarlierBatches(refusal: refusal) }
                throw refusal
            }
            summary.stored += report.storedCount
            summary.alreadyStored += report.alreadyStored.count
            if let r = report.stored {
                summary.first = summary.first ?? r.lowerBound
                summary.last = r.upperBound
                if reportBatches { printError("committed seq \(r.lowerBound)–\(r.upperBound)") }
            }
            try ledger.releaseMappedPagesOverBudget()   // resident memory stays within the budget, however large the ledger grows
            summary.seconds = Date().timeIntervalSince(start)
            progress.update(events: summary.stored + summary.alreadyStored, bytes: bytesRead, seconds: summary.seconds)
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

    /// - Parameter doing: what was done to the events ("imported", "checked").
    func update(events: Int, bytes: Int, seconds: Double, doing: String = "imported") {
        guard enabled, seconds - lastDraw >= 0.2 else { return }
        lastDraw = seconds
        drawn = true
        let rate = seconds > 0 ? Int(Double(events) / seconds) : 0
        let text = "\r  \(events) events \(doing), " + String(format: "%.1f MB read, %d events/s   ", Double(bytes) / 1e6, rate)
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        if enabled && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
