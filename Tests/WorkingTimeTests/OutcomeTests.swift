import Testing
@testable import WorkingTime

/// Early (trước hạn), on time (đúng hạn), late (trễ hạn).
struct OutcomeTests {
    let c = Local.vietnam

    func outcome(_ processed: String, due: String) -> Outcome {
        c.outcome(processedAt: Local.t(processed), due: Local.t(due))
    }

    @Test(arguments: [
        ("2024-03-05 16:00", Outcome.early),       // the day before the due day
        ("2024-03-06 07:00", .early),              // on the due day, before its working day starts
        ("2024-03-06 07:29:59", .early),
        ("2024-03-06 07:30", .onTime),             // the due day's working day has started
        ("2024-03-06 12:00", .onTime),
        ("2024-03-06 14:59:59", .onTime),
        ("2024-03-06 15:00", .onTime),             // exactly at the due instant
        ("2024-03-06 15:00:01", .late),            // one second after
        ("2024-03-06 16:00", .late),
        ("2024-03-07 08:00", .late),
    ])
    func dueWednesdayAt15(_ processed: String, _ expected: Outcome) {
        #expect(outcome(processed, due: "2024-03-06 15:00") == expected, "\(processed)")
    }

    @Test func dueOnAMondayAfterAWeekendOrAHoliday() {
        #expect(outcome("2024-03-08 17:00", due: "2024-03-11 16:00") == .early)     // Friday evening
        #expect(outcome("2024-03-10 10:00", due: "2024-03-11 16:00") == .early)     // Sunday
        #expect(outcome("2024-03-11 07:30", due: "2024-03-11 16:00") == .onTime)
        // Due Thu 15 Feb 2024 16:00 (after Tết): processed during Tết is early.
        #expect(outcome("2024-02-12 10:00", due: "2024-02-15 16:00") == .early)
        // Due at a period's end.
        #expect(outcome("2024-03-11 17:00", due: "2024-03-11 17:00") == .onTime)
        #expect(outcome("2024-03-11 17:00:01", due: "2024-03-11 17:00") == .late)
        #expect(outcome("2024-03-11 11:30", due: "2024-03-11 11:30") == .onTime)
    }

    @Test func lateIsCheckedFirst() {
        // A zero processing time received at 06:00 is due at 06:00; processed 06:30 is late, not early.
        #expect(outcome("2024-03-11 06:30", due: "2024-03-11 06:00") == .late)
        #expect(outcome("2024-03-11 05:00", due: "2024-03-11 06:00") == .early)
    }

    @Test func otherWorkingHoursMoveTheStartOfTheDueDay() {
        let c = WorkingCalendar(hours: WorkingHours(text: "08:00-12:00,13:30-17:30")!)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 07:45"), due: Local.t("2024-03-06 10:00")) == .early)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 08:00"), due: Local.t("2024-03-06 10:00")) == .onTime)
    }

    @Test func aDueInstantAtMidnightEndingAPeriodBelongsToTheDayBefore() {
        // Around-the-clock hours in UTC: Fri 2024-03-08 00:00 + 1 day (24 h) = Fri 24:00 = Sat 00:00.
        let c = WorkingCalendar(hours: WorkingHours(text: "00:00-24:00")!, utcOffsetSeconds: 0)
        let due = c.adding(workingSeconds: 86_400, to: Local.t("2024-03-08 00:00", offset: 0))
        #expect(due == Local.t("2024-03-09 00:00", offset: 0))
        #expect(c.outcome(processedAt: Local.t("2024-03-08 23:00", offset: 0), due: due) == .onTime)
        #expect(c.outcome(processedAt: Local.t("2024-03-08 00:00", offset: 0), due: due) == .onTime)
        #expect(c.outcome(processedAt: Local.t("2024-03-07 23:59:59", offset: 0), due: due) == .early)
        #expect(c.outcome(processedAt: Local.t("2024-03-09 00:00:01", offset: 0), due: due) == .late)
    }
}
