import Audit
import LedgerContract
import Projections

/// `export [--from SEQ] [--to SEQ] [--dossier CODE] [--format ndjson|csv|xes|ocel]`: contract output
/// lines in seq order, or the log for process-mining tools.
enum ExportCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["from", "to", "dossier", "format"], flags: [])
        _ = try args.positionals(max: 0, command: "export")
        let dossier = try args.code("dossier")
        let format = args.value("format") ?? "ndjson"
        guard ["ndjson", "csv", "xes", "ocel"].contains(format) else {
            throw CommandFailure(.usage, "--format \(format): expected ndjson, csv, xes or ocel")
        }
        if format == "ocel" {
            guard args.value("from") == nil && args.value("to") == nil && dossier == nil else {
                throw CommandFailure(.usage, "export --format ocel writes the whole log: --from, --to and --dossier do not apply")
            }
        }
        let from: UInt64 = try args.integer("from", in: 1...Arguments.maxSeq) ?? 1
        let to: UInt64 = try args.integer("to", in: 1...Arguments.maxSeq) ?? .max
        let ledger = try context.openLedger()
        let out = context.out
        if format == "xes" {
            guard args.value("from") == nil && args.value("to") == nil else {
                throw CommandFailure(.usage, "export --format xes writes whole dossiers: use --dossier, not --from/--to")
            }
            try XESExport.write(ledger, dossier: dossier) { try out.write($0) }
            return
        }
        if format == "ocel" {
            try OCELExport.write(ledger) { try out.write($0) }
            return
        }
        let csv = format == "csv"
        if csv {
            try out.write([0xEF, 0xBB, 0xBF])
            try out.line(csvColumns.joined(separator: ","))
        }
        try ledger.read { snapshot in
            var w = JSONWriter(capacity: 1 << 16)
            func flush(_ w: inout JSONWriter) throws {
                try out.write(w.bytes)
                w.bytes.removeAll(keepingCapacity: true)
            }
            if csv {
                func emit(_ e: RecordedEvent) throws {
                    w.raw(csvLine(e))
                    w.bytes.append(0x0A)
                    if w.bytes.count >= 1 << 16 { try flush(&w) }
                }
                if let code = dossier {
                    for e in try snapshot.events(ofDossier: code) where e.seq >= from && e.seq <= to { try emit(e) }
                } else {
                    try snapshot.forEachEvent(from: from, to: to) { e in
                        try emit(e)
                        return true
                    }
                }
            } else {
                // NDJSON: lines transcoded straight from the stored records.
                var lines = OutputLines(ledger: ledger)
                try snapshot.writeOutputLines(from: from, to: to, dossier: dossier, with: &lines, into: &w, flush: flush)
            }
            try flush(&w)
        }
    }
}

extension ExportCommand {
    static let csvColumns = ["seq", "type", "dossier", "version", "at", "actor", "data", "id", "expectedVersion", "recordedAt", "hash"]

    /// One event as a CSV row; `data` is its JSON text.
    static func csvLine(_ r: RecordedEvent) -> String {
        var data = JSONWriter()
        data.object(r.event.data)
        let cells = [String(r.seq), r.event.type.name, r.event.dossier ?? "", r.version.map(String.init) ?? "", r.event.at.text,
                     r.event.actor ?? "", String(decoding: data.bytes, as: UTF8.self), r.event.id ?? "",
                     r.event.expectedVersion.map(String.init) ?? "", r.recordedAt.text, r.hash.hex]
        return cells.map(RowOutput.csvField).joined(separator: ",")
    }
}
