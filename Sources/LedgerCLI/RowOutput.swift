import SystemIO
import LedgerContract

/// The output formats of the listing commands.
enum OutputFormat: String {
    case table, ndjson, csv, json, html

    static func parse(_ text: String?, allowed: [OutputFormat], default value: OutputFormat) throws -> OutputFormat {
        guard let text else { return value }
        guard let f = OutputFormat(rawValue: text), allowed.contains(f) else {
            throw CommandFailure(.usage, "--format \(text): expected one of \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return f
    }
}

/// Prints rows (JSON objects with stable field names) as a table, NDJSON or CSV.
enum RowOutput {
    /// A cell's text for tables and CSV.
    static func cell(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return "-"
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "yes" : "no"
        case .int(let i)?: return String(i)
        case .double(let d)?: return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .array(let a)?: return a.map { cell($0) }.joined(separator: " ")
        case .object(let o)?: return o.members.map { "\($0.key)=\(cell($0.value))" }.joined(separator: " ")
        }
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// - Parameter decorate: optional text for a table cell (e.g. a coloured band).
    static func write(_ rows: [JSONObject], columns: [String], format: OutputFormat, to out: Output,
                      decorate: @escaping (String, JSONObject) -> String? = { _, _ in nil }) throws {
        var sink = try RowSink(columns: columns, format: format, to: out, decorate: decorate)
        defer { sink.abandon() }
        for row in rows { try sink.add(row) }
        try sink.finish()
    }
}

/// Rows written as they come, formatted and written on a second thread
/// (`BatchConsumer`) while the command goes on producing them, a batch of
/// `rowsPerBatch` at a time: a listing of every dossier holds two batches
/// of rows, and a table at most `RowFormatter.tableRowsHeld` more.
///
/// Thread rules: from `init` until `finish()` or `abandon()` returns, `out`
/// is written only by the sink's thread: the command writes nothing else to
/// it meanwhile (an error message goes out after `abandon()`).
struct RowSink<Row: Sendable> {
    private var batch: [Row] = []
    private let writer: BatchConsumer<[Row]>
    /// Rows handed to the writing thread at once.
    static var rowsPerBatch: Int { 256 }

    /// A sink of rows that `json` turns into their JSON objects, on the writing thread.
    init(columns: [String], format: OutputFormat, to out: Output, json: @escaping (Row) -> JSONObject,
         decorate: @escaping (String, JSONObject) -> String? = { _, _ in nil }) throws {
        var formatter = try RowFormatter(columns: columns, format: format, to: out, decorate: decorate)
        writer = BatchConsumer({ rows in
            for row in rows { try formatter.add(json(row)) }
        }, atEnd: {
            try formatter.finish()
        })
        batch.reserveCapacity(Self.rowsPerBatch)
    }

    /// Adds a row. - Throws: what writing the rows before it threw.
    mutating func add(_ row: Row) throws {
        batch.append(row)
        guard batch.count >= Self.rowsPerBatch else { return }
        try writer.send(batch)
        batch = []
        batch.reserveCapacity(Self.rowsPerBatch)
    }

    /// Writes the rows left and waits until every row is written.
    mutating func finish() throws {
        if !batch.isEmpty { try writer.send(batch) }
        batch = []
        try writer.finish()
    }

    /// Stops the writing thread when the listing failed before `finish()`:
    /// the rows not yet written are dropped, and a table is not flushed.
    /// Does nothing after `finish()`, so a `defer` can call it on every path.
    func abandon() {
        writer.abandon()
    }
}

extension RowSink where Row == JSONObject {
    init(columns: [String], format: OutputFormat, to out: Output,
         decorate: @escaping (String, JSONObject) -> String? = { _, _ in nil }) throws {
        try self.init(columns: columns, format: format, to: out, json: { $0 }, decorate: decorate)
    }
}

/// Formats rows as they come: NDJSON and CSV lines go out at once; a table
/// holds at most `tableRowsHeld` rows, its first ones sizing the columns
/// (`TextTable.flush`).
private struct RowFormatter {
    private let columns: [String]
    private let format: OutputFormat
    private let out: Output
    private let decorate: (String, JSONObject) -> String?
    private var table: TextTable?
    /// An NDJSON line, written over for each row (one buffer for the whole listing).
    private var line = JSONWriter(capacity: 512)

    init(columns: [String], format: OutputFormat, to out: Output,
         decorate: @escaping (String, JSONObject) -> String?) throws {
        self.columns = columns
        self.format = format
        self.out = out
        self.decorate = decorate
        switch format {
        case .csv:
            // A byte-order mark so spreadsheet programs read the UTF-8 (Vietnamese) text correctly.
            try out.write([0xEF, 0xBB, 0xBF])
            try out.line(columns.map(RowOutput.csvField).joined(separator: ","))
        case .table, .html:   // html is offered only where a page exists (`audit dossier`); rows never reach here as html
            table = TextTable(columns: columns)
        case .ndjson, .json:
            break
        }
    }

    mutating func add(_ row: JSONObject) throws {
        switch format {
        case .ndjson, .json:
            line.bytes.removeAll(keepingCapacity: true)
            line.object(row)
            line.bytes.append(0x0A)
            try out.write(line.bytes)
        case .csv:
            try out.line(columns.map { RowOutput.csvField(RowOutput.cell(row[$0])) }.joined(separator: ","))
        case .table, .html:
            table!.add(columns.map { decorate($0, row) ?? RowOutput.cell(row[$0]) })
            // A long list streams: its first rows size the columns, later ones keep (or widen) them.
            if table!.rows.count >= Self.tableRowsHeld { try out.write(table!.flush()) }
        }
    }

    /// The rows a table holds before it writes them.
    static let tableRowsHeld = 4096

    mutating func finish() throws {
        if table != nil { try out.write(table!.flush()) }
    }
}

extension RowOutput {
    /// One object: a JSON line, or aligned `key  value` lines for a terminal.
    static func writeRecord(_ object: JSONObject, json: Bool, to out: Output) throws {
        if json {
            var w = JSONWriter()
            w.object(object)
            try out.line(String(decoding: w.bytes, as: UTF8.self))
            return
        }
        let width = object.members.map(\.key.count).max() ?? 0
        for m in object.members {
            try out.line(m.key + String(repeating: " ", count: width - m.key.count + 2) + cell(m.value))
        }
    }
}
