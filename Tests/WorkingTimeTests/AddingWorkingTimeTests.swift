import Testing
@testable import WorkingTime

/// Due instants without pauses, worked out by hand (local UTC+7 times).
struct AddingWorkingTimeTests {
    let c = Local.calendar2024

    @Test(arguments: [
        // DOMAIN.md's two examples.
        ("2024-03-08 16:00", Local.day, "2024-03-11 16:00"),         // Friday 16:00 + 1 day → Monday 16:00
        ("2024-03-09 10:00", Local.day, "2024-03-11 17:00"),         // Saturday 10:00 + 1 day → Monday 17:00
        // Receptions around the end of the day.
        ("2024-03-05 16:59", Local.day, "2024-03-06 16:59"),
        ("2024-03-05 17:00", Local.day, "2024-03-06 17:00"),         // counts from Wednesday 07:30
        ("2024-03-05 17:00", 4 * Local.hour, "2024-03-06 11:30"),    // ends exactly at a period's end
        ("2024-03-05 11:30", Local.hour, "2024-03-05 14:00"),         // lunch does not count
        ("2024-03-05 12:00", Local.hour, "2024-03-05 14:00"),
        ("2024-03-05 07:29", Local.hour, "2024-03-05 08:30"),
        ("2024-03-10 09:00", Local.hour, "2024-03-11 08:30"),         // Sunday
        ("2024-03-05 09:00", 0, "2024-03-05 09:00"),
        // Half a day = 4 working hours.
        ("2024-03-05 15:00", 4 * Local.hour, "2024-03-06 09:30"),
        // Tết 2024: Wed 7 Feb 16:00 + 1 day; Thu 8 … Wed 14 are holidays.
        ("2024-02-07 16:00", Local.day, "2024-02-15 16:00"),
        ("2024-02-10 09:00", Local.hour, "2024-02-15 08:30"),         // received during Tết
        // 30/4–1/5 2024: Fri 26 Apr 16:00 + 1 day → make-up Saturday 4 May? No: Thu 2 May is the next working day.
        ("2024-04-26 16:00", Local.day, "2024-05-02 16:00"),
        // …and the make-up Saturday 4 May counts: Fri 3 May 16:00 + 1 day → Sat 4 May 16:00.
        ("2024-05-03 16:00", Local.day, "2024-05-04 16:00"),
        // Hùng Kings 18 Apr 2024 (Thursday).
        ("2024-04-17 16:00", Local.day, "2024-04-19 16:00"),
        // 2/9 2024: Fri 30 Aug 16:00 + 1 day → Wed 4 Sep 16:00.
        ("2024-08-30 16:00", Local.day, "2024-09-04 16:00"),
        // Tết 2025 with its make-up Saturday 8 Feb: Fri 24 Jan 16:00 + 2 days.
        ("2025-01-24 16:00", 2 * Local.day, "2025-02-04 16:00"),
        // 30 working days across Tết 2024 from Thu 1 Feb 07:30: Feb 1–7 (5 days), Tết 8–14,
        // Feb 15–29 (11), Mar 1–19 (13), Mar 20 is the 30th → its 17:00.
        ("2024-02-01 07:30", 30 * Local.day, "2024-03-20 17:00"),
    ])
    func dueInstant(_ received: String, _ amount: Int64, _ due: String) {
        #expect(c.adding(workingSeconds: amount, to: Local.t(received)) == Local.t(due), "\(received) + \(amount / 3600) h")
        #expect(c.dueInstant(receivedAt: Local.t(received), processingSeconds: amount, pauses: []) == Local.t(due))
    }

    @Test func workingDays() {
        #expect(c.isWorkingDay(Local.d("2024-05-04")))       // make-up Saturday
        #expect(!c.isWorkingDay(Local.d("2024-04-29")))      // bridge Monday
        #expect(!c.isWorkingDay(Local.d("2024-03-09")))      // ordinary Saturday
        #expect(c.isWorkingDay(Local.d("2024-03-08")))
    }

    @Test func aLaterDeclarationReplacesTheYear() {
        var c = Local.calendar2024
        c.declare(year: 2024, holidays: [Local.d("2024-03-08")], workdays: [])
        #expect(!c.isWorkingDay(Local.d("2024-03-08")))
        #expect(c.isWorkingDay(Local.d("2024-02-08")))       // no longer a holiday
        #expect(!c.isWorkingDay(Local.d("2024-05-04")))      // no longer a make-up day
        #expect(c.adding(workingSeconds: Local.day, to: Local.t("2024-03-07 16:00")) == Local.t("2024-03-11 16:00"))
    }

    @Test func processingTimes() {
        #expect(c.processingSeconds(days: 0.5, hours: nil) == Int64(4 * 3600))
        #expect(c.processingSeconds(days: 30, hours: nil) == Int64(240 * 3600))
        #expect(c.processingSeconds(days: nil, hours: 4) == Int64(4 * 3600))
    }

    @Test func nextWorkingMomentAndStartOfDay() {
        #expect(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 07:30")) == Local.t("2024-03-05 07:30"))
        #expect(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-05 11:30")) == Local.t("2024-03-05 13:00"))
        #expect(c.nextWorkingMoment(atOrAfter: Local.t("2024-03-08 17:00")) == Local.t("2024-03-11 07:30"))
        #expect(c.nextWorkingMoment(atOrAfter: Local.t("2024-02-07 17:30")) == Local.t("2024-02-15 07:30"))
        #expect(c.startOfWorkingDay(containing: Local.t("2024-03-05 16:00")) == Local.t("2024-03-05 07:30"))
    }

    @Test func otherWorkingHoursAndOffset() {
        var c = WorkingCalendar(hours: WorkingHours(text: "08:00-12:00,13:30-17:30")!, utcOffsetSeconds: 6 * 3600)
        c.declare(year: 2024, holidays: [], workdays: [])
        let start = Local.t("2024-03-08 17:00", offset: 6 * 3600)
        #expect(c.adding(workingSeconds: Local.day, to: start) == Local.t("2024-03-11 17:00", offset: 6 * 3600))
        #expect(c.workingSeconds(from: Local.t("2024-03-11 11:00", offset: 6 * 3600), to: Local.t("2024-03-11 14:30", offset: 6 * 3600)) == 2 * 3600)
        #expect(WorkingHours(text: "12:00-08:00") == nil)
    }

    /// `adding` and `workingSeconds` agree with a minute-by-minute reference walk.
    @Test func agreesWithAMinuteByMinuteWalk() {
        func naive(from: Int64, to: Int64) -> Int64 {
            var total: Int64 = 0
            var t = from
            while t < to {
                let local = t + 7 * 3600
                let day = Int(local / 86_400), second = Int(local % 86_400)
                let working = c.isWorkingDay(LocalDate(daysSinceEpoch: day))
                    && ((27_000..<41_400).contains(second) || (46_800..<61_200).contains(second))
                if working { total += min(60, to - t) }
                t += 60
            }
            return total
        }
        var seed: UInt64 = 42
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int64((seed >> 33) % UInt64(bound))
        }
        let base = Local.t("2024-01-29 00:00")
        for _ in 0..<150 {
            let start = base + next(40 * 86_400) / 60 * 60
            let amount = next(6 * Local.day) / 60 * 60
            let end = c.adding(workingSeconds: amount, to: start)
            #expect(naive(from: start, to: end) == amount)
            #expect(c.workingSeconds(from: start, to: end) == amount)
            if amount > 0 { #expect(naive(from: start, to: end - 60) < amount) }  // the earliest such instant
            let other = start + next(20 * 86_400) / 60 * 60
            #expect(c.workingSeconds(from: start, to: other) == naive(from: start, to: other))
        }
    }
}
