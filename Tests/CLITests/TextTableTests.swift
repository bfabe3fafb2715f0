import Testing
import SystemIO

/// A long list streams as a table: its first rows size the columns, and a
/// later, wider cell widens its column from that row on.
@Suite struct TextTableTests {
    @Test func aTableFlushedOnceIsTheRenderedOne() {
        var table = TextTable(columns: ["dossier", "code", "heldHours"])
        table.add(["H40-251106-0290", "step_overdue", "2146.93"])
        table.add(["H40.22-240304-0001", "late_reception", "3.5"])
        table.add(["Đ-1", "", "0"])
        let rendered = table.render()
        #expect(String(decoding: table.flush(), as: UTF8.self) == rendered)
        // The second column starts after the widest code (18 characters) and two spaces.
        #expect(rendered.hasPrefix("dossier" + String(repeating: " ", count: 13) + "code"))
    }

    @Test func aStreamedTableKeepsItsColumnsAndWidensForWiderCells() {
        var table = TextTable(columns: ["dossier", "code"])
        table.add(["A-1", "x"])
        table.add(["A-2", "y"])
        let head = String(decoding: table.flush(), as: UTF8.self)
        #expect(head == "dossier  code\n-------  ----\nA-1      x\nA-2      y\n")
        #expect(table.rows.isEmpty)
        table.add(["A-3", "z"])
        table.add(["Hồ sơ rất dài-4", "w"])
        table.add(["A-5", "v"])
        // Widths stay those of the head until a wider cell; the wider one and those after it use its width.
        #expect(String(decoding: table.flush(), as: UTF8.self) == "A-3      z\nHồ sơ rất dài-4  w\nA-5              v\n")
        #expect(table.flush().isEmpty)
    }
}
