import LedgerContract
import WorkingTime
/// A reusable byte buffer that one NDJSON line is written into: ASCII
/// literals, pre-escaped JSON strings, integers and RFC 3339 times, all from
/// integers (no Foundation formatters in the per-event path).
struct LineBuffer {
    var bytes: [UInt8] = []
    /// The local day (UTC+7) whose "YYYY-MM-DD" is cached in `dayText`.
    private var cachedDay = Int64.min
    private var dayText: [UInt8] = Array(repeating: 0, count: 10)

    init() { bytes.reserveCapacity(1024) }

    @inline(__always) mutating func clear() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always) mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// A JSON string (quotes included), escaped.
    mutating func string(_ s: String) { bytes.append(contentsOf: JSONText.quoted(s)) }

    mutating func int(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")); uint(UInt64(-v)) } else { uint(UInt64(v)) }
    }

    mutating func uint(_ v: UInt64) {
        let start = bytes.count
        var x = v
        repeat { bytes.append(UInt8(truncatingIfNeeded: 48 + x % 10)); x /= 10 } while x > 0
        var i = start, j = bytes.count - 1
        while i < j { bytes.swapAt(i, j); i += 1; j -= 1 }
    }

    /// `v` zero-padded to `width` digits (more if needed).
    mutating func padded(_ v: Int, width: Int) {
        var digits = 1
        var x = v
        while x >= 10 { x /= 10; digits += 1 }
        if digits < width { for _ in digits..<width { bytes.append(48) } }
        uint(UInt64(v))
    }

    /// A number of quarters (of an hour, of a day) as a JSON number: 38 → 9.5.
    mutating func quarters(_ q: Int) {
        uint(UInt64(q / 4))
        switch q % 4 {
        case 1: raw(".25")
        case 2: raw(".5")
        case 3: raw(".75")
        default: break
        }
    }

    /// `"YYYY-MM-DDTHH:MM:SS+07:00"` (quoted) for Unix seconds `t`.
    mutating func time(_ t: Int64) {
        let local = t + 25_200
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let sod = Int(local - day * 86_400)
        if day != cachedDay {
            cachedDay = day
            let (y, m, d) = CivilDate.fromDays(day)
            var b = LineBuffer.fourDigits(y)
            b.append(45)
            b.append(contentsOf: LineBuffer.twoDigits(m))
            b.append(45)
            b.append(contentsOf: LineBuffer.twoDigits(d))
            dayText = b
        }
        bytes.append(34)
        bytes.append(contentsOf: dayText)
        bytes.append(UInt8(ascii: "T"))
        let h = sod / 3600, mi = (sod / 60) % 60, s = sod % 60
        bytes.append(UInt8(48 + h / 10)); bytes.append(UInt8(48 + h % 10)); bytes.append(58)
        bytes.append(UInt8(48 + mi / 10)); bytes.append(UInt8(48 + mi % 10)); bytes.append(58)
        bytes.append(UInt8(48 + s / 10)); bytes.append(UInt8(48 + s % 10))
        raw("+07:00\"")
    }

    private static func twoDigits(_ v: Int) -> [UInt8] { [UInt8(48 + v / 10), UInt8(48 + v % 10)] }
    private static func fourDigits(_ v: Int) -> [UInt8] {
        [UInt8(48 + (v / 1000) % 10), UInt8(48 + (v / 100) % 10), UInt8(48 + (v / 10) % 10), UInt8(48 + v % 10)]
    }
}

/// Civil dates from days since 1970-01-01, through the working-time module's `LocalDate`.
enum CivilDate {
    static func fromDays(_ days: Int64) -> (Int, Int, Int) {
        let date = LocalDate(daysSinceEpoch: Int(days))
        return (date.year, date.month, date.day)
    }
}

enum JSONText {
    /// `s` as a JSON string literal in UTF-8, quotes included.
    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = [34]
        for b in s.utf8 {
            switch b {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(34)
        return out
    }
}
