/// A plain-text table for a terminal: left-aligned columns sized to their
/// widest cell, optionally under a second header level (`groups`, each
/// titling a run of columns), with totals rows under a rule at the bottom,
/// every line after `indent`.
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

    /// A row under the rule that ends the table's body.
    public mutating func addTotal(_ row: [String]) { totals.append(row) }

    /// Display width: characters (Vietnamese letters with marks count once),
    /// not counting terminal colour sequences (`ESC [ … m`).
    public static func width(_ s: String) -> Int {
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
        var widths = columns.map(Self.width)
        for row in rows + totals {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) }
        }
        // A group title wider than its columns widens the last of them.
        var first = 0
        for g in groups {
            let span = min(g.span, widths.count - first)
            guard span > 0 else { break }
            let available = widths[first..<(first + span)].reduce(0, +) + 2 * (span - 1)
            if Self.width(g.title) > available { widths[first + span - 1] += Self.width(g.title) - available }
            first += span
        }
        func line(_ cells: [String]) -> String {
            var s = indent
            for (i, cell) in cells.enumerated() {
                let pad = i == cells.count - 1 ? 0 : widths[i] - Self.width(cell) + 2
                s += cell + String(repeating: " ", count: max(pad, 0))
            }
            return s
        }
        var out = ""
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
            out += s + "\n"
        }
        out += line(columns) + "\n"
        let rule = line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        out += rule
        for row in rows { out += line(row) + "\n" }
        if !totals.isEmpty {
            out += rule
            for row in totals { out += line(row) + "\n" }
        }
        return out
    }
}
