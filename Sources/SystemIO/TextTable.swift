/// A plain-text table for a terminal: left-aligned columns sized to their
/// widest cell, optionally under a second header level (`groups`, each
/// titling a run of columns), with totals rows under a rule at the bottom,
/// every line after `indent`.
///
/// `render()` sizes the columns to every row, held until then; `flush()`
/// writes the rows added so far and lets them go, so a long list streams in
/// the memory of the rows between two flushes.
public struct TextTable {
    public let columns: [String]
    public private(set) var rows: [[String]] = []
    public private(set) var totals: [[String]] = []
    /// Titles over runs of columns (the spans add up to the column count); empty: one header level.
    public var groups: [(title: String, span: Int)] = []
    /// Written before every line.
    public var indent = ""

    public init(columns: [String], indent: String = "") {
        self.columns = columns
        self.indent = indent
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The column widths the first `flush()` fixed; nil before it.
    private var flushedWidths: [Int]?

    /// A row under the rule that ends the table's body.
    public mutating func addTotal(_ row: [String]) { totals.append(row) }

    /// Display width: characters (Vietnamese letters with marks count once),
    /// not counting terminal colour sequences (`ESC [ … m`).
    public static func width(_ s: String) -> Int {
        // ASCII without escapes or carriage returns: one character a byte.
        if !s.utf8.contains(where: { $0 >= 0x80 || $0 == 0x1B || $0 == 0x0D }) { return s.utf8.count }
        guard s.utf8.contains(0x1B) else { return s.count }
        var n = 0
        var inEscape = false
        for c in s {
            if inEscape { if c == "m" { inEscape = false }; continue }
            if c == "\u{1B}" { inEscape = true; continue }
            n += 1
        }
        return n
    }

    public func render() -> String {
        let columnWidths = columns.map(Self.width)
        var widths = columnWidths
        let cellWidths = (rows + totals).map { row in row.map(Self.width) }
        for row in cellWidths { Self.widen(&widths, to: row) }
        // A group title wider than its columns widens the last of them.
        var first = 0
        for g in groups {
            let span = min(g.span, widths.count - first)
            guard span > 0 else { break }
            let available = widths[first..<(first + span)].reduce(0, +) + 2 * (span - 1)
            if Self.width(g.title) > available { widths[first + span - 1] += Self.width(g.title) - available }
            first += span
        }
        var out: [UInt8] = []
        out.reserveCapacity((rows.count + totals.count + 3) * (widths.reduce(indent.utf8.count, +) + 2 * widths.count + 1))
        func line(_ cells: [String], widthsOfCells: [Int]) { append(cells, widthsOfCells: widthsOfCells, widths: widths, to: &out) }
        if !groups.isEmpty {
            var cells: [String] = []
            var start = 0
            for g in groups {
                let span = min(g.span, widths.count - start)
                guard span > 0 else { break }
                let width = widths[start..<(start + span)].reduce(0, +) + 2 * (span - 1)
                cells.append(g.title + String(repeating: " ", count: max(width - Self.width(g.title), 0)))
                start += span
            }
            var s = indent + cells.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            out.append(contentsOf: (s + "\n").utf8)
        }
        line(columns, widthsOfCells: columnWidths)
        let rule = widths.map { String(repeating: "-", count: $0) }
        line(rule, widthsOfCells: widths)
        for (row, w) in zip(rows, cellWidths) { line(row, widthsOfCells: w) }
        if !totals.isEmpty {
            line(rule, widthsOfCells: widths)
            for (row, w) in zip(totals, cellWidths[rows.count...]) { line(row, widthsOfCells: w) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The rows added since the last flush, rendered, and forgotten. The
    /// first flush writes the header and sizes the columns to it and to
    /// its rows; later ones keep those widths, widening a column from the
    /// row whose cell is wider. A table flushed once, at its end, is
    /// `render()`'s without groups or totals (which `flush()` leaves out).
    public mutating func flush() -> [UInt8] {
        var out: [UInt8] = []
        let cellWidths = rows.map { row in row.map(Self.width) }
        var widths: [Int]
        if let flushedWidths {
            widths = flushedWidths
        } else {
            let columnWidths = columns.map(Self.width)
            widths = columnWidths
            for row in cellWidths { Self.widen(&widths, to: row) }
            append(columns, widthsOfCells: columnWidths, widths: widths, to: &out)
            append(widths.map { String(repeating: "-", count: $0) }, widthsOfCells: widths, widths: widths, to: &out)
        }
        for (row, w) in zip(rows, cellWidths) {
            Self.widen(&widths, to: w)
            append(row, widthsOfCells: w, widths: widths, to: &out)
        }
        flushedWidths = widths
        rows.removeAll(keepingCapacity: true)
        return out
    }

    /// Widens each column to the width of its cell in a row (cells past the columns are left out).
    private static func widen(_ widths: inout [Int], to cellWidths: [Int]) {
        for (i, w) in cellWidths.enumerated() where i < widths.count { widths[i] = max(widths[i], w) }
    }

    /// One line: `cells` (of display widths `widthsOfCells`) padded to `widths`, two spaces apart.
    private func append(_ cells: [String], widthsOfCells: [Int], widths: [Int], to out: inout [UInt8]) {
        out.append(contentsOf: indent.utf8)
        for (i, cell) in cells.enumerated() {
            out.append(contentsOf: cell.utf8)
            if i < cells.count - 1 {
                let n = (i < widths.count ? widths[i] : 0) - widthsOfCells[i] + 2
                if n > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n)) }
            }
        }
        out.append(UInt8(ascii: "\n"))
    }
}
