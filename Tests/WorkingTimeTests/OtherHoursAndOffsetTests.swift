import Testing
@testable import WorkingTime

/// Non-standard working hours and other UTC offsets, worked out by hand.
struct OtherHoursAndOffsetTests {
    /// 08:00–12:00 and 13:30–17:30 (8 h), UTC+7, Vietnam's declarations.
    static var late: WorkingCalendar {
        var c = WorkingCalendar(hours: WorkingHours(text: "08:00-12:00,13:30-17:30")!)
        c.declare(year: 2024, holidays: Local.holidays2024.map(Local.d), workdays: Local.workdays2024.map(Local.d))
        return c
    }

    @Test(arguments: [
        ("2024-03-08 17:00", Local.day, "2024-03-11 17:00"),    // Fri 0.5 h; Mon 4 h, 13:30 + 3.5 h
        ("2024-03-08 16:00", Local.day, "2024-03-11 16:00"),    // Fri 1.5 h; Mon 4 h, 13:30 + 2.5 h
        ("2024-03-09 10:00", Local.day, "2024-03-11 17:30"),    // Saturday → the whole of Monday
        ("2024-03-05 12:00", Local.hour, "2024-03-05 14:30"),   // lunch is 12:00–13:30
        ("2024-03-05 07:45", Local.hour, "2024-03-05 09:00"),   // the day starts at 08:00
        ("2024-03-05 17:30", 4 * Local.hour, "2024-03-06 12:00"),
        ("2024-02-07 17:00", Local.day, "2024-02-15 17:00"),    // Tết: Wed 0.5 h; Thu 15 Feb 4 h, 13:30 + 3.5 h
        ("2024-05-03 17:00", Local.day, "2024-05-04 17:00"),    // the make-up Saturday
    ])
    func dueInstants(_ received: String, _ amount: Int64, _ due: String) {
        #expect(Local.text(Self.late.adding(workingSeconds: amount, to: Local.t(received))) == due, "\(received)")
    }

    @Test func countingAndMoments() {
        let c = Self.late
        #expect(c.workingSeconds(from: Local.t("2024-03-11 11:00"), to: Local.t("2024-03-11 14:30")) == 2 * Local.hour)
        #expect(c.workingSeconds(from: Local.t("2024-03-11 07:30"), to: Local.t("2024-03-11 08:00")) == 0)
        #expect(c.workingSeconds(from: Local.t("2024-03-11 17:00"), to: Local.t("2024-03-11 18:00")) == Local.hour / 2)
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 07:45"))) == "2024-03-05 08:00")
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 12:00"))) == "2024-03-05 13:30")
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 17:00"))) == "2024-03-05 17:00")
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 17:30"))) == "2024-03-06 08:00")
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-05 15:00"))) == "2024-03-05 08:00")
        #expect(c.processingSeconds(days: 0.5, hours: nil) == 4 * Local.hour)
    }

    @Test func theOffsetDecidesTheLocalDay() {
        // Friday 2024-03-08 23:00 UTC is Saturday 06:00 in Hanoi.
        let instant = Local.t("2024-03-08 23:00", offset: 0)
        let hanoi = WorkingCalendar()
        let utc = WorkingCalendar(utcOffsetSeconds: 0)
        #expect(hanoi.localDate(of: instant) == Local.d("2024-03-09"))
        #expect(utc.localDate(of: instant) == Local.d("2024-03-08"))
        #expect(Local.text(hanoi.adding(workingSeconds: Local.hour, to: instant)) == "2024-03-11 08:30")
        #expect(Local.text(utc.adding(workingSeconds: Local.hour, to: instant), offset: 0) == "2024-03-11 08:30")
        // Sat 06:00 → Tue 06:00 in Hanoi holds the whole of Monday; in UTC, Fri 23:00 → Mon 23:00 holds Monday too.
        #expect(hanoi.workingSeconds(from: instant, to: instant + 3 * 86_400) == Local.day)
        #expect(utc.workingSeconds(from: instant, to: instant + 3 * 86_400) == Local.day)
        // Fri 15:00 UTC → Fri 17:00 UTC: 2 h in UTC; in Hanoi that is Fri 22:00 → Sat 00:00, nothing.
        #expect(utc.workingSeconds(from: Local.t("2024-03-08 15:00", offset: 0), to: Local.t("2024-03-08 17:00", offset: 0)) == 2 * Local.hour)
        #expect(hanoi.workingSeconds(from: Local.t("2024-03-08 15:00", offset: 0), to: Local.t("2024-03-08 17:00", offset: 0)) == 0)
    }

    @Test(arguments: [-5 * 3600, 0, 5 * 3600 + 2700, 7 * 3600, 14 * 3600, -12 * 3600])
    func domainExamplesInOtherOffsets(_ offset: Int) {
        let c = WorkingCalendar(utcOffsetSeconds: offset)
        func due(_ received: String, _ amount: Int64) -> String {
            Local.text(c.adding(workingSeconds: amount, to: Local.t(received, offset: offset)), offset: offset)
        }
        #expect(due("2024-03-08 16:00", Local.day) == "2024-03-11 16:00")
        #expect(due("2024-03-09 10:00", Local.day) == "2024-03-11 17:00")
        #expect(due("2024-03-05 17:00", 4 * Local.hour) == "2024-03-06 11:30")
        #expect(c.localDate(of: Local.t("2024-03-08 23:59:59", offset: offset)) == Local.d("2024-03-08"))
        #expect(c.localDate(of: Local.t("2024-03-09 00:00", offset: offset)) == Local.d("2024-03-09"))
        #expect(Local.text(c.startOfWorkingDay(containing: Local.t("2024-03-08 23:00", offset: offset)), offset: offset) == "2024-03-08 07:30")
        // Before 1970 too: Wed 1969-12-31 16:00 + 1 day → Thu 1970-01-01 16:00.
        #expect(due("1969-12-31 16:00", Local.day) == "1970-01-01 16:00")
        #expect(due("1969-12-26 16:00", Local.day) == "1969-12-29 16:00")
    }

    @Test func aroundTheClockHours() {
        // 00:00–24:00 in UTC: only weekends stop the clock.
        let c = WorkingCalendar(hours: WorkingHours(text: "00:00-24:00")!, utcOffsetSeconds: 0)
        #expect(Local.text(c.adding(workingSeconds: 2 * Local.hour, to: Local.t("2024-03-08 23:00", offset: 0)), offset: 0) == "2024-03-11 01:00")
        #expect(Local.text(c.adding(workingSeconds: Local.hour, to: Local.t("2024-03-08 23:00", offset: 0)), offset: 0) == "2024-03-09 00:00")
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-09 05:00", offset: 0)), offset: 0) == "2024-03-11 00:00")
        #expect(c.workingSeconds(from: Local.t("2024-03-04 00:00", offset: 0), to: Local.t("2024-03-11 00:00", offset: 0)) == 5 * 86_400)
        #expect(c.processingSeconds(days: 1, hours: nil) == 86_400)
    }
}
