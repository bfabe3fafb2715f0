import Testing
@testable import WorkingTime

/// Working days: Monday to Friday, minus declared holidays, plus declared
/// make-up working days; declarations per year, a later one replacing.
struct DeclarationTests {
    let c = Local.vietnam

    @Test(arguments: [
        ("2024-03-08", true),    // ordinary Friday
        ("2024-03-09", false),   // ordinary Saturday
        ("2024-03-10", false),   // ordinary Sunday
        ("2024-01-01", false),   // New Year (Monday)
        ("2024-02-07", true),    // the day before Tết
        ("2024-02-08", false), ("2024-02-09", false), ("2024-02-12", false), ("2024-02-13", false), ("2024-02-14", false),
        ("2024-02-10", false),   // a declared holiday on a Saturday: not working either way
        ("2024-02-15", true),    // back after Tết
        ("2024-04-18", false),   // Hùng Kings (Thursday)
        ("2024-04-29", false),   // the bridge Monday
        ("2024-04-30", false), ("2024-05-01", false),
        ("2024-05-02", true),
        ("2024-05-04", true),    // the make-up Saturday
        ("2024-05-05", false),   // the Sunday after it
        ("2024-09-02", false), ("2024-09-03", false), ("2024-09-04", true),
        ("2025-01-27", false), ("2025-02-08", true), ("2025-04-26", true),
        ("2025-09-01", false), ("2025-09-02", false), ("2025-09-03", true),
        ("2026-01-01", true),    // 2026 is not declared: an ordinary Thursday
    ])
    func workingDays(_ iso: String, _ working: Bool) {
        #expect(c.isWorkingDay(Local.d(iso)) == working, "\(iso)")
    }

    @Test func anUndeclaredCalendarIsMondayToFriday() {
        let plain = WorkingCalendar()
        #expect(plain.isWorkingDay(Local.d("2024-02-08")))       // Tết, but nothing declared
        #expect(!plain.isWorkingDay(Local.d("2024-05-04")))      // a Saturday
        #expect(plain.declaredYearList.isEmpty)
        #expect(plain.declaration(of: 2024) == nil)
        // Fri 2024-02-09 16:00 + 1 day → Mon 2024-02-12 16:00 when Tết is not declared.
        #expect(Local.text(plain.adding(workingSeconds: Local.day, to: Local.t("2024-02-09 16:00"))) == "2024-02-12 16:00")
    }

    @Test func aLaterDeclarationOfTheSameYearReplacesTheEarlierOne() {
        var c = Local.vietnam
        c.declare(year: 2024, holidays: [Local.d("2024-03-08")], workdays: [Local.d("2024-03-16")])
        #expect(!c.isWorkingDay(Local.d("2024-03-08")))          // newly a holiday
        #expect(c.isWorkingDay(Local.d("2024-03-16")))           // newly a make-up Saturday
        #expect(c.isWorkingDay(Local.d("2024-02-08")))           // Tết no longer declared
        #expect(c.isWorkingDay(Local.d("2024-04-29")))           // nor the bridge Monday
        #expect(!c.isWorkingDay(Local.d("2024-05-04")))          // nor the make-up Saturday
        #expect(!c.isWorkingDay(Local.d("2025-01-27")))          // 2025 untouched
        #expect(c.isWorkingDay(Local.d("2025-02-08")))
        #expect(c.declaredYearList == [2024, 2025])
        #expect(c.declaration(of: 2024)?.holidays == [Local.d("2024-03-08")])
        #expect(c.declaration(of: 2024)?.workdays == [Local.d("2024-03-16")])
        // Thu 2024-03-07 16:00 + 1 day: 1 h Thu, Fri 8 Mar off → Mon 11 Mar 16:00.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2024-03-07 16:00"))) == "2024-03-11 16:00")
        // Wed 2024-02-07 16:00 + 1 day: Tết is ordinary time again → Thu 8 Feb 16:00.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2024-02-07 16:00"))) == "2024-02-08 16:00")
        // Fri 2024-03-15 16:00 + 1 day: 1 h Fri, 7 h on the make-up Sat 16 Mar → 16:00.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2024-03-15 16:00"))) == "2024-03-16 16:00")

        c.declare(year: 2024, holidays: [], workdays: [])
        #expect(c.isWorkingDay(Local.d("2024-03-08")))
        #expect(!c.isWorkingDay(Local.d("2024-03-16")))
        #expect(c.declaration(of: 2024)! == ([], []))
    }

    @Test func copiesAreIndependent() {
        let original = Local.vietnam
        var copy = original
        copy.declare(year: 2024, holidays: [], workdays: [])
        #expect(!original.isWorkingDay(Local.d("2024-02-08")))
        #expect(copy.isWorkingDay(Local.d("2024-02-08")))
    }

    @Test func aHolidayWinsOverAMakeUpDayNamingTheSameDate() {
        var c = WorkingCalendar()
        c.declare(year: 2024, holidays: [Local.d("2024-05-04")], workdays: [Local.d("2024-05-04")])
        #expect(!c.isWorkingDay(Local.d("2024-05-04")))
        c.declare(year: 2024, holidays: [], workdays: [Local.d("2024-05-04")])
        c.declare(year: 2023, holidays: [Local.d("2024-05-04")], workdays: [])   // a date outside its year
        #expect(!c.isWorkingDay(Local.d("2024-05-04")))
        c.declare(year: 2023, holidays: [], workdays: [])
        #expect(c.isWorkingDay(Local.d("2024-05-04")))
    }

    /// Declarations far from today widen the table; the answers do not change shape.
    @Test func declarationsFarFromTodayCount() {
        var c = WorkingCalendar()
        c.declare(year: 2150, holidays: [Local.d("2150-01-01"), Local.d("2150-01-02")], workdays: [])
        c.declare(year: 1975, holidays: [Local.d("1975-04-30"), Local.d("1975-05-01")], workdays: [])
        #expect(!c.isWorkingDay(Local.d("2150-01-01")))
        #expect(c.isWorkingDay(Local.d("2150-01-05")))
        #expect(!c.isWorkingDay(Local.d("1975-05-01")))
        #expect(c.isWorkingDay(Local.d("1975-05-02")))
        // Wed 2149-12-31 16:00 + 1 day: 1 h; Thu 1 and Fri 2 Jan off; Mon 5 Jan 7 h → 16:00.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2149-12-31 16:00"))) == "2150-01-05 16:00")
        #expect(c.workingSeconds(from: Local.t("2149-12-29 00:00"), to: Local.t("2150-01-12 00:00")) == 8 * Local.day)
        // Tue 1975-04-29 16:00 + 1 day → Fri 2 May 16:00.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("1975-04-29 16:00"))) == "1975-05-02 16:00")
        #expect(c.workingSeconds(from: Local.t("1975-04-28 00:00"), to: Local.t("1975-05-05 00:00")) == 3 * Local.day)
    }
}
