import Testing
import ProvinceGenerator
@testable import WorkingTime

/// Nothing traps, whatever the instant; answers that do not fit saturate.
struct ExtremeInstantTests {
    let c = Local.vietnam

    @Test func wholeWeeksHoldFiveWorkingDaysAnywhere() {
        // Without declarations, any span of k whole weeks holds exactly 5k working days,
        // wherever it starts: checks the closed forms outside the table against the table.
        let plain = WorkingCalendar()
        var r = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let t = Int64(bitPattern: r.next()) >> 21          // about ±140,000 years
            let weeks = r.below(Int64(3_000_000))
            #expect(plain.workingSeconds(from: t, to: t + weeks * 7 * 86_400) == weeks * 5 * Local.day)
            let amount = r.below(Int64(1) << 40)
            let end = plain.adding(workingSeconds: amount, to: t)
            #expect(plain.workingSeconds(from: t, to: end) == amount)
            if amount > 0 { #expect(plain.workingSeconds(from: t, to: end - 1) == amount - 1) }
            #expect(plain.localDate(of: t).weekday == plain.localDate(of: t + 7 * 86_400).weekday)
        }
    }

    /// The local day the KPI counters are filed under is the civil date's day, at any instant.
    @Test func localDayIsTheLocalDatesDay() {
        var r = SplitMix64(seed: 11)
        var instants: [Int64] = [.min, .max, 0, -1, 1, 1_709_485_199, 1_709_485_200, 1_709_485_201]   // 2024-03-04 00:00 +07:00 ± 1 s
        for _ in 0..<5000 { instants.append(Int64(bitPattern: r.next()) >> Int64(r.below(40) + 1)) }
        for t in instants { #expect(c.localDay(of: t) == c.localDate(of: t).daysSinceEpoch, "\(t)") }
    }

    @Test func theWholeInt64RangeCountsWithoutTrapping() {
        let all = c.workingSeconds(from: .min, to: .max)
        #expect(all > 0)
        #expect(all == c.workingSeconds(from: .min, to: 0) + c.workingSeconds(from: 0, to: .max))
        #expect(c.workingSeconds(from: .min, to: .max, excluding: [Pause(start: 0, end: nil)]) == c.workingSeconds(from: .min, to: 0))
        // Around-the-clock hours: more working seconds than an Int64 holds.
        let always = WorkingCalendar(hours: WorkingHours(text: "00:00-24:00")!)
        #expect(always.workingSeconds(from: .min, to: .max) == .max)
    }

    @Test func answersBeyondInt64Saturate() {
        #expect(c.adding(workingSeconds: .max, to: 0) == .max)
        #expect(c.adding(workingSeconds: .max, to: .min) == .max)
        #expect(c.adding(workingSeconds: 1, to: .max) == .max)
        #expect(c.adding(workingSeconds: .max, to: .max) == .max)
        #expect(c.nextWorkingMoment(atOrAfter: .max) == .max)
        #expect(c.nextWorkingMoment(atOrAfter: .min) >= .min)
        #expect(c.dueInstant(receivedAt: .max - 5, processingSeconds: .max, pauses: [Pause(start: .min, end: .max - 1)]) == .max)
        #expect(c.dueInstant(receivedAt: 0, processingSeconds: .max, pauses: [Pause(start: .min, end: nil)]) == nil)
        _ = c.startOfWorkingDay(containing: .max)
        _ = c.startOfWorkingDay(containing: .min)
        _ = c.localDate(of: .min)
        _ = c.localDate(of: .max)
        #expect(c.outcome(processedAt: .max, due: .max) == .onTime)
        #expect(c.outcome(processedAt: .min, due: .min) == .onTime || c.outcome(processedAt: .min, due: .min) == .early)
    }

    @Test func farFromTheTableTheDomainExamplesStillHold() {
        // 2300-06-01 is a Friday, 1901-01-04 a Friday: far outside the table, in closed form.
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2300-06-01 16:00"))) == "2300-06-04 16:00")
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("2300-06-02 10:00"))) == "2300-06-04 17:00")
        #expect(Local.text(c.adding(workingSeconds: Local.day, to: Local.t("1901-01-04 16:00"))) == "1901-01-07 16:00")
        #expect(Local.text(c.nextWorkingMoment(atOrAfter: Local.t("1901-01-05 12:00"))) == "1901-01-07 07:30")
        // From inside the table to well past its end: Mon 2100-12-27 07:30 + 10 days
        // → the 10th working day is Fri 2101-01-07 (Dec 27–31: 5, Jan 3–7: 5) → 17:00.
        #expect(Local.text(c.adding(workingSeconds: 10 * Local.day, to: Local.t("2100-12-27 07:30"))) == "2101-01-07 17:00")
        #expect(c.workingSeconds(from: Local.t("2100-12-27 07:30"), to: Local.t("2101-01-07 17:00")) == 10 * Local.day)
        // From before the table into it: Mon 1989-12-25 07:30 + 10 days → Fri 1990-01-05 17:00.
        #expect(Local.text(c.adding(workingSeconds: 10 * Local.day, to: Local.t("1989-12-25 07:30"))) == "1990-01-05 17:00")
    }
}
