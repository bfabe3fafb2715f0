/// A plain-text table with left-aligned columns sized to their widest cell.
struct TextTable {
    let columns: [String]
    private(set) var rows: [[String]] = []

    init(columns: [String]) { self.columns = columns }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// Display width: characters (Vietnamese letters with marks count once).
    static func width(_ s: String) -> Int { s.count }

    func render() -> String {
        var widths = columns.map(Self.width)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, cell) in cells.enumerated() {
                let pad = i == cells.count - 1 ? 0 : widths[i] - Self.width(cell) + 2
                s += cell + String(repeating: " ", count: max(pad, 0))
            }
            return s
        }
        var out = line(columns) + "\n"
        out += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
