import Testing
@testable import WorkingTime

struct LocalDateTests {
    @Test func daysAndWeekdays() {
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(Local.d("1970-01-01").weekday == 4)
        #expect(Local.d("2024-02-10").weekday == 6)   // Saturday, Tết 2024
        #expect(Local.d("2024-05-04").weekday == 6)
        #expect(Local.d("2000-02-29").daysSinceEpoch == 11_016)
        #expect(LocalDate(daysSinceEpoch: -1).description == "1969-12-31")
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: n).daysSinceEpoch == n)
        }
    }

    @Test func refusesImpossibleDates() {
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(iso: "2024-13-01") == nil)
        #expect(LocalDate(iso: "2024-1-01") == nil)
    }
}
