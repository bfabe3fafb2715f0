import LedgerContract
import WorkingTime

/// Public holidays of Vietnamese civil servants (cán bộ, công chức, viên chức),
/// as the Government announced them year by year, for the `calendar.declared`
/// events the generator emits.
///
/// `holidays` lists only days off that fall on a weekday (a holiday on a
/// Saturday or Sunday changes nothing for a Monday–Friday office), including
/// compensation days (nghỉ bù) and bridge days (ngày hoán đổi); `workdays`
/// lists the Saturdays worked in exchange for a bridge day (làm bù).
enum VietnameseHolidays {
    struct Year {
        var holidays: [String]
        var workdays: [String]
        /// The first day of the Lunar New Year (mùng 1 Tết), for the pre-Tết surge.
        var lunarNewYear: String
        /// False where the year's arrangement had not been announced when the
        /// table was written and follows the Labour Code's usual pattern.
        var announced: Bool
    }

    static let table: [Int: Year] = [
        // 2023: New Year's Day on Sunday → Monday 2 Jan off. Tết Quý Mão 20–26 Jan.
        // Hùng Kings (Sat 29 Apr), 30/4 (Sun), 1/5 (Mon) → Tue 2 and Wed 3 May off.
        // National Day 1–4 Sep (2/9 on Saturday → Monday 4 Sep off).
        2023: Year(holidays: ["2023-01-02",
                              "2023-01-20", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26",
                              "2023-05-01", "2023-05-02", "2023-05-03",
                              "2023-09-01", "2023-09-04"],
                   workdays: [], lunarNewYear: "2023-01-22", announced: true),
        // 2024: Tết Giáp Thìn 8–14 Feb. Hùng Kings Thu 18 Apr. 30/4–1/5 with
        // bridge Mon 29 Apr worked on Sat 4 May. National Day Mon 2 and Tue 3 Sep.
        2024: Year(holidays: ["2024-01-01",
                              "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
                              "2024-04-18",
                              "2024-04-29", "2024-04-30", "2024-05-01",
                              "2024-09-02", "2024-09-03"],
                   workdays: ["2024-05-04"], lunarNewYear: "2024-02-10", announced: true),
        // 2025: Tết Ất Tỵ 25 Jan–2 Feb with bridge Mon 27 Jan worked on Sat 8 Feb.
        // Hùng Kings Mon 7 Apr. 30/4–1/5 with bridge Fri 2 May worked on Sat 26 Apr.
        // National Day Mon 1 and Tue 2 Sep.
        2025: Year(holidays: ["2025-01-01",
                              "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                              "2025-04-07",
                              "2025-04-30", "2025-05-01", "2025-05-02",
                              "2025-09-01", "2025-09-02"],
                   workdays: ["2025-02-08", "2025-04-26"], lunarNewYear: "2025-01-29", announced: true),
        // 2026: New Year 1–4 Jan with bridge Fri 2 Jan worked on Sat 10 Jan
        // (12729/VPCP-KGVX). Tết Bính Ngọ 14–22 Feb. Hùng Kings on Sunday 26 Apr →
        // Mon 27 Apr off. 30/4–1/5 Thu–Fri. National Day Wed 2 Sep plus Tue 1 Sep
        // (the adjacent day was not yet announced: Labour Code pattern).
        2026: Year(holidays: ["2026-01-01", "2026-01-02",
                              "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                              "2026-04-27",
                              "2026-04-30", "2026-05-01",
                              "2026-09-01", "2026-09-02"],
                   workdays: ["2026-01-10"], lunarNewYear: "2026-02-17", announced: true),
        // 2027 (not announced yet; Labour Code pattern): Tết Đinh Mùi on Sat 6 Feb,
        // five days 5–9 Feb with the weekend days compensated on 10–11 Feb.
        // Hùng Kings Fri 16 Apr. 30/4 Fri, 1/5 Sat → Mon 3 May off. 2/9 Thu plus Fri 3 Sep.
        2027: Year(holidays: ["2027-01-01",
                              "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
                              "2027-04-16",
                              "2027-04-30", "2027-05-03",
                              "2027-09-02", "2027-09-03"],
                   workdays: [], lunarNewYear: "2027-02-06", announced: false),
    ]

    /// The declaration for `year`: the table's, or — outside it — New Year's
    /// Day, 30/4, 1/5 and 2/9 when they fall on a weekday, and no make-up days.
    static func declaration(for year: Int) -> (holidays: [LocalDate], workdays: [LocalDate]) {
        if let y = table[year] {
            return (y.holidays.compactMap { LocalDate(iso: $0) }, y.workdays.compactMap { LocalDate(iso: $0) })
        }
        let fixed = [(1, 1), (4, 30), (5, 1), (9, 2)]
        let days = fixed.compactMap { LocalDate(year: year, month: $0.0, day: $0.1) }.filter { $0.weekday <= 5 }
        return (days, [])
    }

    /// The first day of the Tết holiday block (the first holiday after 15
    /// January), if the year is in the table.
    static func tetHolidayStart(year: Int) -> LocalDate? {
        guard let y = table[year], let lny = LocalDate(iso: y.lunarNewYear) else { return nil }
        let dates = y.holidays.compactMap { LocalDate(iso: $0) }
        return dates.filter { $0 <= lny && $0.daysSinceEpoch >= lny.daysSinceEpoch - 7 }.min() ?? lny
    }
}
