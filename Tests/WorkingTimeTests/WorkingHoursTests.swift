import Testing
@testable import WorkingTime

/// Working hours: validation, the standard day, the text form.
struct WorkingHoursTests {
    @Test func standardDay() {
        let h = WorkingHours.standard
        #expect(h.periods.map(\.start) == [7 * 3600 + 1800, 13 * 3600])
        #expect(h.periods.map(\.end) == [11 * 3600 + 1800, 17 * 3600])
        #expect(h.secondsPerDay == 8 * 3600)
        #expect(h.text == "07:30-11:30,13:00-17:00")
        #expect(WorkingHours(text: "07:30-11:30,13:00-17:00") == h)
    }

    @Test func refusesInvalidPeriods() {
        #expect(WorkingHours(periods: []) == nil)
        #expect(WorkingHours(periods: [(3600, 3600)]) == nil)                  // empty
        #expect(WorkingHours(periods: [(7200, 3600)]) == nil)                  // inverted
        #expect(WorkingHours(periods: [(0, 7200), (3600, 9000)]) == nil)       // overlapping
        #expect(WorkingHours(periods: [(46_800, 61_200), (27_000, 41_400)]) == nil)  // unsorted
        #expect(WorkingHours(periods: [(80_000, 86_401)]) == nil)              // past midnight
        #expect(WorkingHours(periods: [(-1, 3600)]) == nil)                    // before midnight
    }

    @Test func acceptsTouchingAndWholeDayPeriods() {
        #expect(WorkingHours(periods: [(0, 3600), (3600, 7200)])?.secondsPerDay == 7200)
        #expect(WorkingHours(periods: [(0, 86_400)])?.secondsPerDay == 86_400)
        #expect(WorkingHours(text: "00:00-24:00")?.secondsPerDay == 86_400)
    }

    @Test func parsesText() {
        let h = WorkingHours(text: "08:00-12:00,13:30-17:30")
        #expect(h?.periods.map(\.start) == [8 * 3600, 13 * 3600 + 1800])
        #expect(h?.secondsPerDay == 8 * 3600)
        #expect(h?.text == "08:00-12:00,13:30-17:30")
        #expect(WorkingHours(text: "07:00-11:00")?.secondsPerDay == 4 * 3600)
    }

    @Test(arguments: ["", "7:30-11:30", "07:30-11:60", "07:30-24:01", "12:00-08:00", "07:30-11:30,", "07:30 - 11:30",
                      "07:30-11:30-12:00", "+7:30-11:30", "07:30-11:30,11:00-12:00", "0a:00-11:00"])
    func refusesMalformedText(_ text: String) {
        #expect(WorkingHours(text: text) == nil)
    }
}
