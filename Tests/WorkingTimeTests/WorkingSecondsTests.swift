import Testing
@testable import WorkingTime

/// Working time between two instants, worked out by hand.
struct WorkingSecondsTests {
    let c = Local.vietnam

    @Test(arguments: [
        ("2024-03-05 07:30", "2024-03-05 17:00", 8 * Local.hour),
        ("2024-03-05 00:00", "2024-03-06 00:00", 8 * Local.hour),
        ("2024-03-05 09:00", "2024-03-05 10:00", Local.hour),
        ("2024-03-05 11:00", "2024-03-05 13:30", Local.hour),            // 30 min + lunch + 30 min
        ("2024-03-05 12:00", "2024-03-05 12:59", 0),                     // lunch
        ("2024-03-05 17:00", "2024-03-06 07:30", 0),                     // night
        ("2024-03-05 16:59:59", "2024-03-06 07:30:01", 2),
        ("2024-03-08 16:00", "2024-03-11 16:00", 8 * Local.hour),        // across a weekend
        ("2024-03-09 10:00", "2024-03-11 17:00", 8 * Local.hour),
        ("2024-03-08 00:00", "2024-03-15 00:00", 40 * Local.hour),       // a whole week
        ("2024-02-05 00:00", "2024-02-19 00:00", 40 * Local.hour),       // Mon 5 – Sun 18 Feb: 10 weekdays, 5 of them Tết
        ("2024-04-26 00:00", "2024-05-06 00:00", 4 * 8 * Local.hour),    // Fri 26, Thu 2, Fri 3, Sat 4 (make-up)
        ("2024-05-04 09:00", "2024-05-04 10:00", Local.hour),            // the make-up Saturday
        ("2024-04-29 09:00", "2024-04-29 10:00", 0),                     // the bridge Monday
        // 2024: 262 weekdays − 12 weekday holidays + 1 make-up Saturday = 251 working days.
        ("2024-01-01 00:00", "2025-01-01 00:00", 251 * 8 * Local.hour),
        // 2025: 261 weekdays − 12 weekday holidays + 2 make-up Saturdays = 251 working days.
        ("2025-01-01 00:00", "2026-01-01 00:00", 251 * 8 * Local.hour),
        ("2024-03-05 10:00", "2024-03-05 10:00", 0),                     // empty
        ("2024-03-05 10:00", "2024-03-05 09:00", 0),                     // reversed
    ])
    func between(_ from: String, _ to: String, _ seconds: Int64) {
        #expect(c.workingSeconds(from: Local.t(from), to: Local.t(to)) == seconds, "\(from) → \(to)")
        #expect(c.workingSeconds(from: Local.t(from), to: Local.t(to), excluding: []) == seconds)
    }

    @Test(arguments: [
        ("2024-03-05 07:30", "2024-03-05 07:30"),      // a period's start is inside
        ("2024-03-05 07:29", "2024-03-05 07:30"),
        ("2024-03-05 00:00", "2024-03-05 07:30"),
        ("2024-03-05 09:00", "2024-03-05 09:00"),
        ("2024-03-05 11:29:59", "2024-03-05 11:29:59"),
        ("2024-03-05 11:30", "2024-03-05 13:00"),      // a period's end is not
        ("2024-03-05 12:00", "2024-03-05 13:00"),
        ("2024-03-05 13:00", "2024-03-05 13:00"),
        ("2024-03-05 16:59:59", "2024-03-05 16:59:59"),
        ("2024-03-05 17:00", "2024-03-06 07:30"),
        ("2024-03-05 23:59:59", "2024-03-06 07:30"),
        ("2024-03-08 17:00", "2024-03-11 07:30"),      // Friday evening → Monday
        ("2024-03-09 10:00", "2024-03-11 07:30"),      // Saturday
        ("2024-03-10 10:00", "2024-03-11 07:30"),      // Sunday
        ("2024-02-07 17:30", "2024-02-15 07:30"),      // Tết
        ("2024-02-10 09:00", "2024-02-15 07:30"),
        ("2024-04-18 09:00", "2024-04-19 07:30"),      // Hùng Kings
        ("2024-04-26 17:00", "2024-05-02 07:30"),      // 30/4 with the bridge Monday
        ("2024-05-03 17:00", "2024-05-04 07:30"),      // the make-up Saturday
        ("2024-05-04 17:00", "2024-05-06 07:30"),
    ])
    func nextWorkingMoment(_ at: String, _ next: String) {
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t(at))) == next, "\(at)")
    }

    @Test func startOfTheWorkingDayAndLocalDates() {
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-05 16:00"))) == "2024-03-05 07:30")
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-05 00:00"))) == "2024-03-05 07:30")
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-05 07:00"))) == "2024-03-05 07:30")   // later than the instant
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-05 23:59:59"))) == "2024-03-05 07:30")
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-09 10:00"))) == "2024-03-09 07:30")   // any date
        #expect(c.localDate(of: Local.t("2024-03-05 23:59:59")) == Local.d("2024-03-05"))
        #expect(c.localDate(of: Local.t("2024-03-06 00:00")) == Local.d("2024-03-06"))
        // 2024-03-05 17:00 UTC is already Wednesday in Hanoi.
        #expect(c.localDate(of: Local.t("2024-03-05 17:00", offset: 0)) == Local.d("2024-03-06"))
        #expect(c.localDate(of: Local.t("2024-03-05 16:59:59", offset: 0)) == Local.d("2024-03-05"))
        #expect(c.instant(of: Local.d("2024-03-05"), secondsFromMidnight: 27_000) == Local.t("2024-03-05 07:30"))
        #expect(c.instant(of: Local.d("2024-03-05"), secondsFromMidnight: 86_400) == Local.t("2024-03-06 00:00"))
        #expect(c.instant(of: Local.d("1970-01-01"), secondsFromMidnight: 0) == -7 * 3600)
    }
}
