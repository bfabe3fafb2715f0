@testable import WorkingTime

/// Instants written as local (UTC+7) wall-clock times, for readable hand-worked cases.
enum Local {
    /// "2024-02-09 16:00" or "2024-02-09 16:00:30" in UTC+7.
    static func t(_ text: String, offset: Int = 7 * 3600) -> Int64 {
        let parts = text.split(separator: " ")
        let date = LocalDate(iso: String(parts[0]))!
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        let seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
        return Int64(date.daysSinceEpoch) * 86_400 + Int64(seconds) - Int64(offset)
    }

    static func d(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    static let hour: Int64 = 3600
    static let day: Int64 = 8 * 3600

    /// The Vietnamese civil-service calendar of 2024 as declared: New Year, Tết
    /// (8–14 Feb), Hùng Kings (18 Apr), 30/4–1/5 with bridge Monday 29 Apr and
    /// make-up Saturday 4 May, National Day 2–3 Sep.
    static var calendar2024: WorkingCalendar {
        var c = WorkingCalendar()
        c.declare(year: 2024,
                  holidays: ["2024-01-01", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
                             "2024-04-18", "2024-04-29", "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03"].map(d),
                  workdays: [d("2024-05-04")])
        c.declare(year: 2025, holidays: ["2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                                         "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"].map(d),
                  workdays: [d("2025-02-08"), d("2025-04-26")])
        return c
    }
}
