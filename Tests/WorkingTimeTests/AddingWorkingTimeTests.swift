import Testing
@testable import WorkingTime

/// Due instants without pauses (`adding` and `dueInstant` with no pauses),
/// each worked out by hand in local time (UTC+7, 07:30–11:30 and 13:00–17:00).
struct AddingWorkingTimeTests {
    let c = Local.vietnam

    @Test(arguments: [
        // DOMAIN.md: received Friday 16:00, 1 working day → Monday 16:00;
        // received Saturday 10:00, 1 day → Monday 17:00 (not Tuesday 07:30).
        ("2024-03-08 16:00", Local.day, "2024-03-11 16:00"),
        ("2024-03-09 10:00", Local.day, "2024-03-11 17:00"),
        // Sunday: counting starts Monday 07:30.
        ("2024-03-10 09:00", Local.hour, "2024-03-11 08:30"),
        ("2024-03-10 09:00", Local.day, "2024-03-11 17:00"),
    ])
    func domainExamplesAndWeekends(_ received: String, _ amount: Int64, _ due: String) {
        check(received, amount, due)
    }

    @Test(arguments: [
        // Tue 2024-03-05. 16:59: 1 min Tue, 7 h 59 min Wed (4 h morning + 3 h 59 min from 13:00).
        ("2024-03-05 16:59", Local.day, "2024-03-06 16:59"),
        // 17:00 is outside working hours: counting starts Wed 07:30.
        ("2024-03-05 17:00", Local.day, "2024-03-06 17:00"),
        ("2024-03-05 17:00", 4 * Local.hour, "2024-03-06 11:30"),     // lands exactly on a period end
        ("2024-03-05 17:00", 4 * Local.hour + 1, "2024-03-06 13:00:01"),
        // 11:30 and 12:00: lunch does not count.
        ("2024-03-05 11:30", Local.hour, "2024-03-05 14:00"),
        ("2024-03-05 12:00", Local.hour, "2024-03-05 14:00"),
        ("2024-03-05 11:30", Local.day, "2024-03-06 11:30"),         // 4 h Tue afternoon + 4 h Wed morning
        ("2024-03-05 12:00", Local.day, "2024-03-06 11:30"),
        // 07:29: counting starts 07:30.
        ("2024-03-05 07:29", Local.hour, "2024-03-05 08:30"),
        ("2024-03-05 07:29", Local.day, "2024-03-05 17:00"),         // the whole of Tuesday
        ("2024-03-05 07:30", Local.day, "2024-03-05 17:00"),
        // Ends of periods.
        ("2024-03-05 16:00", Local.hour, "2024-03-05 17:00"),
        ("2024-03-05 16:00", Local.hour + 1, "2024-03-06 07:30:01"),
        ("2024-03-05 11:00", Local.hour / 2, "2024-03-05 11:30"),
        ("2024-03-05 11:00", Local.hour / 2 + 60, "2024-03-05 13:01"),
        ("2024-03-05 09:00", 1, "2024-03-05 09:00:01"),
        // Nothing to add: the reception itself, even outside working hours.
        ("2024-03-05 09:00", 0, "2024-03-05 09:00"),
        ("2024-03-09 10:00", 0, "2024-03-09 10:00"),
        ("2024-03-05 09:00", -5, "2024-03-05 09:00"),
    ])
    func receptionsAroundTheWorkingDay(_ received: String, _ amount: Int64, _ due: String) {
        check(received, amount, due)
    }

    @Test(arguments: [
        // Hùng Kings, Thu 2024-04-18.
        ("2024-04-17 16:00", Local.day, "2024-04-19 16:00"),          // 1 h Wed, Thu off, 7 h Fri
        ("2024-04-18 09:00", Local.day, "2024-04-19 17:00"),          // received on the holiday
        ("2024-04-18 09:00", Local.hour, "2024-04-19 08:30"),
        // Tết 2024: Thu 8 … Wed 14 Feb off.
        ("2024-02-07 16:00", Local.day, "2024-02-15 16:00"),
        ("2024-02-10 09:00", Local.hour, "2024-02-15 08:30"),          // received during Tết
        ("2024-02-02 16:00", 4 * Local.day, "2024-02-15 16:00"),       // Fri 1 h; Mon, Tue, Wed 24 h; Thu 7 h
        // 30/4–1/5 2024: Mon 29 (bridge), Tue 30, Wed 1 off; Sat 4 May is a working day.
        ("2024-04-26 16:00", Local.day, "2024-05-02 16:00"),
        ("2024-04-26 09:00", 2 * Local.day, "2024-05-03 09:00"),       // Fri 6.5 h, Thu 8 h, Fri 1.5 h
        ("2024-04-29 09:00", Local.day, "2024-05-02 17:00"),           // received on the bridge Monday
        ("2024-05-03 16:00", Local.day, "2024-05-04 16:00"),           // 1 h Fri, 7 h on the make-up Saturday
        ("2024-05-03 16:00", 2 * Local.day, "2024-05-06 16:00"),       // … 8 h Sat, Sun off, 7 h Mon
        ("2024-05-04 10:00", Local.hour, "2024-05-04 11:00"),          // received on the make-up Saturday
        ("2024-05-05 10:00", Local.hour, "2024-05-06 08:30"),          // the Sunday after it is not
        // 2/9 2024 (Mon 2, Tue 3 Sep) and 2/9 2025 (Mon 1, Tue 2 Sep).
        ("2024-08-30 16:00", Local.day, "2024-09-04 16:00"),
        ("2025-08-29 16:00", Local.day, "2025-09-03 16:00"),
        ("2025-08-29 09:00", Local.day, "2025-09-03 09:00"),           // 6.5 h Fri, 1.5 h Wed
        // New Year 2025 across the two years' declarations.
        ("2024-12-31 16:00", Local.day, "2025-01-02 16:00"),
        // Tết 2025 (Mon 27 – Fri 31 Jan) and its make-up Saturday 8 Feb.
        ("2025-01-24 16:00", 2 * Local.day, "2025-02-04 16:00"),       // Fri 1 h, Mon 3 Feb 8 h, Tue 7 h
        ("2025-02-07 16:00", Local.day, "2025-02-08 16:00"),
        // 30/4 2025: Wed 30 – Fri 2 May off, make-up Saturday 26 Apr.
        ("2025-04-25 16:00", Local.day, "2025-04-26 16:00"),
        ("2025-04-29 16:00", Local.day, "2025-05-05 16:00"),
    ])
    func holidaysBridgeDaysAndMakeUpDays(_ received: String, _ amount: Int64, _ due: String) {
        check(received, amount, due)
    }

    @Test(arguments: [
        // Half a day = 4 working hours: Tue 15:00 → 2 h Tue, 2 h Wed.
        ("2024-03-05 15:00", Local.day / 2, "2024-03-06 09:30"),
        // 1.5 days = 12 h from Mon 07:30: 8 h Mon, 4 h Tue.
        ("2024-03-04 07:30", 3 * Local.day / 2, "2024-03-05 11:30"),
        // 2.25 days = 18 h from Fri 13:00: 4 h Fri, 8 h Mon, 4 h Tue morning, 2 h → 15:00.
        ("2024-03-08 13:00", 9 * Local.day / 4, "2024-03-12 15:00"),
        // 30 working days across Tết from Thu 1 Feb 07:30: Feb 1–7 (5 days), Tết 8–14, Feb 15–16 (7),
        // 19–23 (12), 26–29 (16), Mar 1 (17), 4–8 (22), 11–15 (27), 18, 19, 20 (30) → Wed 20 Mar 17:00.
        ("2024-02-01 07:30", 30 * Local.day, "2024-03-20 17:00"),
        // From Wed 31 Jan 10:00: 5.5 h that day (1.5 + 4), 29 days = 232 h (to Tue 19 Mar),
        // 2.5 h on Wed 20 Mar → 10:00.
        ("2024-01-31 10:00", 30 * Local.day, "2024-03-20 10:00"),
    ])
    func fractionalAndLongProcessingTimes(_ received: String, _ amount: Int64, _ due: String) {
        check(received, amount, due)
    }

    @Test func processingTimesFromProcedures() {
        #expect(c.processingSeconds(days: 0.5, hours: nil) == 4 * Local.hour)
        #expect(c.processingSeconds(days: 1, hours: nil) == Local.day)
        #expect(c.processingSeconds(days: 1.5, hours: nil) == 12 * Local.hour)
        #expect(c.processingSeconds(days: 30, hours: nil) == 240 * Local.hour)
        #expect(c.processingSeconds(days: 0.1, hours: nil) == 2880)
        #expect(c.processingSeconds(days: 1.0 / 3.0, hours: nil) == 9600)
        #expect(c.processingSeconds(days: 0.3333, hours: nil) == 9599)         // 9599.04 rounds down
        #expect(c.processingSeconds(days: 0, hours: nil) == 0)
        #expect(c.processingSeconds(days: nil, hours: 4) == 4 * Local.hour)
        #expect(c.processingSeconds(days: nil, hours: 0.5) == 1800)
        #expect(c.processingSeconds(days: nil, hours: 1.0 / 7.0) == 514)       // 514.29
        #expect(c.processingSeconds(days: nil, hours: 0.000_138_9) == 1)        // 0.50004 s rounds up
        #expect(c.processingSeconds(days: 2, hours: 3) == 2 * Local.day)        // days win
        #expect(c.processingSeconds(days: nil, hours: nil) == nil)
        #expect(c.processingSeconds(days: -1, hours: nil) == nil)
        #expect(c.processingSeconds(days: -1, hours: 3) == nil)
        #expect(c.processingSeconds(days: nil, hours: -0.5) == nil)
        #expect(c.processingSeconds(days: .nan, hours: nil) == nil)
        #expect(c.processingSeconds(days: .infinity, hours: nil) == nil)
        #expect(c.processingSeconds(days: 1e300, hours: nil) == nil)
        // A working day is the ledger's working day: 4 h when the hours are 07:00–11:00.
        let short = WorkingCalendar(hours: WorkingHours(text: "07:00-11:00")!)
        #expect(short.processingSeconds(days: 0.5, hours: nil) == 2 * Local.hour)
        #expect(short.processingSeconds(days: nil, hours: 1) == Local.hour)
    }

    func check(_ received: String, _ amount: Int64, _ due: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let start = Local.t(received)
        #expect(Local.text(c.adding(workingSeconds: amount, to: start)) == due, "\(received) + \(amount) s", sourceLocation: sourceLocation)
        #expect(Local.text(c.dueInstant(receivedAt: start, processingSeconds: amount, pauses: [])) == due, sourceLocation: sourceLocation)
        if amount > 0 {
            // The due instant uses up exactly the amount, and is the earliest instant that does.
            let end = c.adding(workingSeconds: amount, to: start)
            #expect(c.workingSeconds(from: start, to: end) == amount, sourceLocation: sourceLocation)
            #expect(c.workingSeconds(from: start, to: end - 1) == amount - 1, sourceLocation: sourceLocation)
        }
    }
}
