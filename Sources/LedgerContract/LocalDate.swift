/// A civil date (proleptic Gregorian), e.g. 2024-02-10, with no time of day
/// and no time zone.
///
/// Day arithmetic follows Howard Hinnant's `days_from_civil` /
/// `civil_from_days`: integer only, correct for dates before 1970 (negative
/// day numbers) as well as after.
///
/// Guarantees: every value is a real date (`init?(year:month:day:)` refuses
/// 2023-02-29); `LocalDate(daysSinceEpoch: n).daysSinceEpoch == n`; ordering
/// is chronological.
///
/// - Complexity: every operation is O(1).
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// nil for impossible dates (2023-02-29, 2024-13-01, 2024-04-31).
    /// Years are proleptic Gregorian and may be zero or negative.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day,
    /// ASCII digits); nil for anything else or for an impossible date.
    public init?(iso: String) {
        var u = iso.utf8.makeIterator()
        var digits: [Int] = []
        digits.reserveCapacity(8)
        var index = 0
        while let byte = u.next() {
            if index == 4 || index == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                digits.append(Int(byte - UInt8(ascii: "0")))
            }
            index += 1
            if index > 10 { return nil }
        }
        guard index == 10 else { return nil }
        let y = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let m = digits[4] * 10 + digits[5]
        let d = digits[6] * 10 + digits[7]
        self.init(year: y, month: m, day: d)
    }

    /// The date `days` after 1970-01-01 (before it when negative).
    /// `days` must lie within ±2^50 (about ±3 × 10^12 years).
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                           // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365     // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                     // [0, 365]
        let mp = (5 * doy + 2) / 153                                          // [0, 11], March = 0
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days after 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                               // [0, 399]
        let mp = (month + 9) % 12                                             // March = 0
        let doy = (153 * mp + 2) / 5 + day - 1                                // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy                       // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int { LocalDate.weekday(ofDay: daysSinceEpoch) }

    /// ISO weekday of day number `days` (1970-01-01, day 0, was a Thursday).
    @inline(__always)
    static func weekday(ofDay days: Int) -> Int {
        let r = (days + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD` (years beyond four digits are written in full; negative
    /// years with a leading `-`).
    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let y = year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        return "\(y)-\(pad(month, 2))-\(pad(day, 2))"
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
