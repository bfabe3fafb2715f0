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
                      decorate: (String, JSONObject) -> String? = { _, _ in nil }) throws {
        switch format {
        case .ndjson, .json:
            for row in rows {
                var w = JSONWriter()
                w.object(row)
                try out.write(w.bytes)
                try out.write([0x0A])
            }
        case .csv:
            // A byte-order mark so spreadsheet programs read the UTF-8 (Vietnamese) text correctly.
            try out.write([0xEF, 0xBB, 0xBF])
            try out.line(columns.map(csvField).joined(separator: ","))
            for row in rows { try out.line(columns.map { csvField(cell(row[$0])) }.joined(separator: ",")) }
        case .table, .html:   // html is offered only where a page exists (`audit dossier`); rows never reach here as html
            var table = TextTable(columns: columns)
            for row in rows { table.add(columns.map { decorate($0, row) ?? cell(row[$0]) }) }
            try out.write(table.render())
        }
    }

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
