import Foundation
import LedgerContract
import Audit
import Projections
import WorkingTime

/// Instants and dates given on the command line. They fall in the years a
/// working calendar can declare (`WorkingCalendar.years`): a report, replay
/// or deadline check outside them would count periods no calendar describes.
enum TimeArgument {

    /// `--as-of`: an RFC 3339 time, or a local date meaning the end of that day; default now.
    static func instant(_ text: String?, option: String, calendar: WorkingCalendar) throws -> Int64 {
        guard let text else { return Int64(Date().timeIntervalSince1970) }
        if let date = LocalDate(iso: text) {
            try checkYear(date, option: option, text: text)
            return calendar.instant(of: LocalDate(daysSinceEpoch: date.daysSinceEpoch + 1), secondsFromMidnight: 0)
        }
        let instant: Int64
        do { instant = try Timestamp(rfc3339: text).seconds } catch {
            throw CommandFailure(.usage, "--\(option) \(text): \(error.description), or a date like 2024-03-31")
        }
        try checkYear(calendar.localDate(of: instant), option: option, text: text)
        return instant
    }

    /// `--from` / `--to` as local dates (`YYYY-MM-DD`, or `YYYY-MM` / `YYYY` for the whole period).
    static func date(_ text: String?, option: String, end: Bool) throws -> LocalDate? {
        guard let text else { return nil }
        let date: LocalDate
        let parts = text.split(separator: "-").map { Int($0) }
        if let d = LocalDate(iso: text) {
            date = d
        } else if parts.count == 2, let y = parts[0], let m = parts[1], let first = LocalDate(year: y, month: m, day: 1) {
            date = end ? LocalDate(daysSinceEpoch: KPIPeriod.month.bounds(first).next.daysSinceEpoch - 1) : first
        } else if parts.count == 1, let y = parts[0], let first = LocalDate(year: y, month: 1, day: 1) {
            date = end ? LocalDate(year: y, month: 12, day: 31)! : first
        } else {
            throw CommandFailure(.usage, "--\(option) \(text): expected a date like 2024-03-05, 2024-03 or 2024")
        }
        try checkYear(date, option: option, text: text)
        return date
    }

    private static func checkYear(_ date: LocalDate, option: String, text: String) throws {
        let years = WorkingCalendar.years
        guard !years.contains(date.year) else { return }
        throw CommandFailure(.usage, "--\(option) \(text): expected a time in the years \(years.lowerBound) to \(years.upperBound), the years a working calendar covers")
    }
}


/// `--as-of T` (what had happened by T) and `--known-at T` (what the ledger knew at T).
enum PastInstantArgument {
    static let options: Set<String> = ["as-of", "known-at"]

    static func parse(_ args: Arguments, calendar: WorkingCalendar) throws -> PastInstant? {
        let asOf = args.value("as-of"), knownAt = args.value("known-at")
        if asOf != nil && knownAt != nil { throw CommandFailure(.usage, "give --as-of or --known-at, not both") }
        if let asOf { return .happenedBy(try TimeArgument.instant(asOf, option: "as-of", calendar: calendar)) }
        if let knownAt { return .knownAt(try TimeArgument.instant(knownAt, option: "known-at", calendar: calendar)) }
        return nil
    }

    /// The instant rules that depend on "now" are evaluated at: the replay's, or now.
    static func evaluationInstant(_ past: PastInstant?, calendar: WorkingCalendar) throws -> Int64 {
        try past?.instant ?? TimeArgument.instant(nil, option: "as-of", calendar: calendar)
    }
}
