import LedgerContract
import Foundation
import ProvinceGenerator
import WorkingTime

/// A JSON value as parsed by Foundation, made Sendable for shared fixtures.
enum JSON: Sendable, Equatable {
    case string(String), number(Double), bool(Bool), array([JSON]), object([String: JSON]), null

    init(_ any: Any) {
        switch any {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // JSONSerialization gives booleans as NSNumber too, of objCType "c".
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) } else { self = .number(n.doubleValue) }
        case let a as [Any]: self = .array(a.map(JSON.init))
        case let o as [String: Any]: self = .object(o.mapValues(JSON.init))
        default: self = .null
        }
    }

    subscript(key: String) -> JSON? { if case .object(let o) = self { o[key] } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSON]? { if case .array(let a) = self { a } else { nil } }
    var isObject: Bool { if case .object = self { true } else { false } }
}

/// One generated line, parsed.
struct Line: Sendable {
    var text: String
    var json: JSON
    var type: String { json["type"]?.string ?? "" }
    var dossier: String? { json["dossier"]?.string }
    var at: String { json["at"]?.string ?? "" }
    var actor: String? { json["actor"]?.string }
    var data: JSON { json["data"] ?? .null }
}

/// A generated province, parsed once and shared by the tests.
struct Corpus: Sendable {
    var options: ProvinceGenerator.Options
    var summary: ProvinceGenerator.Summary
    var lines: [Line]

    init(dossiers: Int, seed: UInt64, fromYear: Int = 2025, years: Int = 1) {
        var o = ProvinceGenerator.Options()
        o.dossiers = dossiers
        o.seed = seed
        o.fromYear = fromYear
        o.years = years
        options = o
        var texts: [String] = []
        summary = ProvinceGenerator(options: o).generate { texts.append($0) }
        lines = texts.map { text in
            let any = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            return Line(text: text, json: any.map(JSON.init) ?? .null)
        }
    }

    /// Dossier events grouped by dossier, in stream order.
    var byDossier: [String: [Line]] {
        var out: [String: [Line]] = [:]
        for l in lines { if let d = l.dossier { out[d, default: []].append(l) } }
        return out
    }

    /// The working calendar the stream declares.
    var calendar: WorkingCalendar {
        var cal = WorkingCalendar()
        for l in lines where l.type == "calendar.declared" {
            let year = Int(l.data["year"]?.number ?? 0)
            let holidays = (l.data["holidays"]?.array ?? []).compactMap { $0.string.flatMap(LocalDate.init(iso:)) }
            let workdays = (l.data["workdays"]?.array ?? []).compactMap { $0.string.flatMap(LocalDate.init(iso:)) }
            cal.declare(year: year, holidays: holidays, workdays: workdays)
        }
        return cal
    }
}

/// Unix seconds of "YYYY-MM-DDTHH:MM:SS+07:00".
func seconds(_ text: String, _ cal: WorkingCalendar) -> Int64 {
    let u = Array(text.utf8)
    func num(_ a: Int, _ n: Int) -> Int { u[a..<(a + n)].reduce(0) { $0 * 10 + Int($1 - 48) } }
    let date = LocalDate(iso: String(text.prefix(10)))!
    return cal.instant(of: date, secondsFromMidnight: num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2))
}

let shared = Corpus(dossiers: 3000, seed: 11)
let sharedAcrossAbolition = Corpus(dossiers: 3000, seed: 5, fromYear: 2024, years: 2)
