import Foundation
import LedgerStore
import LedgerContract

/// One measured number: a JSON key, the value and how to print it.
struct Value {
    enum Unit: String {
        case eventsPerSecond = "events/s"
        case megabytesPerSecond = "MB/s"
        case microseconds = "µs"
        case milliseconds = "ms"
        case seconds = "s"
        case bytesPerEvent = "B/event"
        case bytes = "bytes"
        case ratio = "×"
        case percent = "%"
        case count = ""
    }

    var key: String
    var number: Double
    var unit: Unit
    /// Printed before the value in text ("p99"), empty for none.
    var label: String

    init(_ key: String, _ number: Double, _ unit: Unit, label: String = "") {
        self.key = key
        self.number = number
        self.unit = unit
        self.label = label
    }

    var labelledText: String { label.isEmpty ? text : label + " " + text }

    var text: String {
        switch unit {
        case .eventsPerSecond: return grouped(number) + " events/s"
        case .megabytesPerSecond: return String(format: "%.1f MB/s", number)
        case .microseconds: return String(format: "%.2f µs", number)
        case .milliseconds: return String(format: "%.2f ms", number)
        case .seconds: return String(format: "%.2f s", number)
        case .bytesPerEvent: return String(format: "%.1f B/event", number)
        case .bytes: return String(format: "%.1f MB", number / 1_048_576)
        case .ratio: return number >= 10 ? String(format: "%.1f×", number) : String(format: "%.3f×", number)
        case .percent: return String(format: "%.2f %% of a core", number)
        case .count: return grouped(number)
        }
    }

    var json: JSON { .number(number) }
}

/// What was measured (or what it is compared with): a description and its values.
struct Side {
    var label: String
    var values: [Value]
}

/// One figure of the report: the subject, the baseline measured in the same
/// run, how they compare, and the goal.
struct Figure {
    var name: String
    var subject: Side
    var baseline: Side
    /// Usually subject / baseline; for memory, the growth.
    var comparison: Value
    var comparisonLabel: String
    var goal: String
    /// nil when there is no goal to meet.
    var met: Bool?
    var notes: [String] = []
    /// Extra numbers that explain the figure (e.g. bytes per table).
    var details: [Value] = []

    var text: String {
        var lines = [name]
        func row(_ tag: String, _ text: String) { lines.append("  " + tag.padding(toLength: 10, withPad: " ", startingAt: 0) + text) }
        row("measured", subject.label + ": " + subject.values.map(\.labelledText).joined(separator: ", "))
        row("baseline", baseline.label + ": " + baseline.values.map(\.labelledText).joined(separator: ", "))
        let verdict = met.map { $0 ? "met" : "NOT MET" } ?? "informational"
        row(comparisonLabel.hasPrefix("growth") ? "growth" : "ratio",
            "\(comparisonLabel) = \(comparison.text)   goal: \(goal)   [\(verdict)]")
        if !details.isEmpty {
            row("detail", details.map { "\($0.key) \($0.text)" }.joined(separator: ", "))
        }
        for note in notes { row("note", note) }
        return lines.joined(separator: "\n")
    }

    var json: JSON {
        func side(_ s: Side) -> JSON {
            .object([("label", .string(s.label))] + s.values.map { ($0.key, $0.json) })
        }
        var members: [(String, JSON)] = [
            ("measured", side(subject)),
            ("baseline", side(baseline)),
            (comparison.key, comparison.json),
            ("comparison", .string(comparisonLabel)),
            ("goal", .string(goal)),
            ("met", met.map { .bool($0) } ?? .null),
        ]
        if !details.isEmpty { members.append(("details", .object(details.map { ($0.key, $0.json) }))) }
        if !notes.isEmpty { members.append(("notes", .array(notes.map { .string($0) }))) }
        return .object(members)
    }
}

/// All figures for one input size.
struct Run {
    var events: Int
    var dossiers: Int
    var ndjsonBytes: Int
    var figures: [Figure] = []

    var text: String {
        let header = "== \(grouped(Double(events))) events" + (dossiers > 0 ? ", \(grouped(Double(dossiers))) dossiers" : "") + ", NDJSON "
            + String(format: "%.1f MB", Double(ndjsonBytes) / 1_048_576) + " =="
        return ([header] + figures.map(\.text)).joined(separator: "\n\n")
    }

    var json: JSON {
        .object([
            ("events", .number(Double(events))),
            ("dossiers", .number(Double(dossiers))),
            ("ndjsonBytes", .number(Double(ndjsonBytes))),
            ("figures", .object(figures.map { ($0.name, $0.json) })),
        ])
    }
}

/// Every measured value and the comparison of every figure, one column per
/// size, so that a reader sees what grows with the log and what stays flat.
func scalingTable(_ runs: [Run]) -> String {
    guard let first = runs.first else { return "" }
    var rows: [[String]] = [["figure"] + runs.map { grouped(Double($0.events)) + " events" }]
    for (i, figure) in first.figures.enumerated() {
        for (j, value) in figure.subject.values.enumerated() {
            rows.append([figure.name + " " + (value.label.isEmpty ? value.key : value.label)] + runs.map { run in
                let values = run.figures[i].subject.values
                return j < values.count ? values[j].text : "n/a"
            })
        }
        rows.append(["  " + figure.comparisonLabel] + runs.map { $0.figures[i].comparison.text })
    }
    let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { c, cell in
            c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                   : String(repeating: " ", count: widths[c] - cell.count) + cell
        }.joined(separator: "   ")
    }.joined(separator: "\n")
}

/// 1234567 → "1,234,567" (rounded to an integer).
func grouped(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let digits = String(Int(value.rounded()).magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (value < 0 ? "-" : "") + out
}

/// A JSON value with members kept in the order given.
indirect enum JSON {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        switch self {
        case .number(let n):
            guard n.isFinite else { return "null" }
            if n == n.rounded() && abs(n) < 1e15 { return String(Int64(n)) }
            return String(format: "%.6g", n)
        case .string(let s): return JSON.quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { JSON.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal, escaped by the ledger's own writer.
    static func quoted(_ s: String) -> String {
        var w = JSONWriter(capacity: s.utf8.count + 2)
        w.string(s)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
