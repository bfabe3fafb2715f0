import LedgerContract
import Testing
@testable import WorkingTime

/// Civil dates: construction, parsing, day numbers, weekdays, text.
struct LocalDateTests {
    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("1970-01-02", 1),
        ("2000-01-01", 10_957), ("2000-02-29", 11_016), ("2024-01-01", 19_723), ("2024-02-10", 19_763),
        ("1900-01-01", -25_567), ("1900-03-01", -25_508),          // 1900 is not a leap year
        ("1990-01-01", 7_305), ("2101-01-01", 47_847), ("2150-01-01", 65_744),
    ])
    func dayNumbers(_ iso: String, _ days: Int) {
        let date = Local.d(iso)
        #expect(date.daysSinceEpoch == days)
        #expect(LocalDate(daysSinceEpoch: days) == date)
        #expect(LocalDate(daysSinceEpoch: days).description == iso)
    }

    @Test(arguments: [
        ("1970-01-01", 4), ("1969-12-31", 3), ("1969-12-29", 1), ("2000-01-01", 6), ("1900-01-01", 1),
        ("2024-02-10", 6), ("2024-02-11", 7), ("2024-05-04", 6), ("2024-04-29", 1), ("2024-03-08", 5),
        ("2025-09-01", 1), ("2150-01-01", 4),
    ])
    func weekdays(_ iso: String, _ weekday: Int) {
        #expect(Local.d(iso).weekday == weekday)
    }

    /// Hinnant's conversions agree with counting days one at a time, from
    /// 1899-12-25 to 2101-01-06.
    @Test func agreesWithADayByDayCount() {
        var (y, m, d) = (1899, 12, 25)
        var n = Local.d("1899-12-25").daysSinceEpoch
        #expect(n == -25_574)
        while (y, m, d) < (2101, 1, 7) {
            let date = LocalDate(daysSinceEpoch: n)
            #expect(date.year == y && date.month == m && date.day == d)
            #expect(LocalDate(year: y, month: m, day: d)?.daysSinceEpoch == n)
            let monthLength = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
            d += 1
            if d > monthLength { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
            n += 1
        }
    }

    @Test func roundTripsFarFromTheEpoch() {
        for n in stride(from: -3_000_000, through: 3_000_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: n).daysSinceEpoch == n)
            #expect(LocalDate(daysSinceEpoch: n).weekday == LocalDate(daysSinceEpoch: n + 7).weekday)
        }
    }

    @Test func refusesImpossibleDates() {
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2024, month: 4, day: 31) == nil)
        #expect(LocalDate(year: 2024, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2024, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 2024, month: 1, day: 0) == nil)
        #expect(LocalDate(year: 2024, month: 12, day: 31) != nil)
    }

    @Test(arguments: ["2024-1-01", "2024-01-1", "20240101", "2024/01/01", " 2024-01-01", "2024-01-01 ",
                      "2024-01-01T00:00", "+024-01-01", "２０２４-01-01", "", "2024-02-30", "2023-02-29", "2024-13-01",
                      "2024-00-10", "-024-01-01", "2024-01-0a"])
    func refusesMalformedText(_ text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test func parsesAndWrites() {
        #expect(LocalDate(iso: "2024-02-29") == LocalDate(year: 2024, month: 2, day: 29))
        #expect(LocalDate(iso: "0000-01-01")?.year == 0)
        #expect(LocalDate(year: 5, month: 1, day: 2)!.description == "0005-01-02")
        #expect(LocalDate(year: -1, month: 12, day: 31)!.description == "-0001-12-31")
        #expect(LocalDate(year: 12_345, month: 6, day: 7)!.description == "12345-06-07")
        #expect(LocalDate(year: -1, month: 12, day: 31)!.daysSinceEpoch + 1 == LocalDate(year: 0, month: 1, day: 1)!.daysSinceEpoch)
    }

    @Test func ordersChronologically() {
        let dates = ["2024-02-10", "1969-12-31", "2024-01-31", "2023-12-31", "2024-02-09"].map(Local.d)
        #expect(dates.sorted().map(\.description) == ["1969-12-31", "2023-12-31", "2024-01-31", "2024-02-09", "2024-02-10"])
        #expect(dates.sorted() == dates.sorted { $0.daysSinceEpoch < $1.daysSinceEpoch })
        #expect(Local.d("2024-02-10") == LocalDate(year: 2024, month: 2, day: 10))
    }
}
