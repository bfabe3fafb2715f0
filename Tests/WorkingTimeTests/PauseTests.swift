import Testing
@testable import WorkingTime

/// Due instants with clock pauses, worked out by hand (UTC+7, standard hours).
struct PauseTests {
    let c = Local.vietnam

    func due(_ received: String, _ amount: Int64, _ pauses: [(String, String?)]) -> String {
        Local.text(c.dueInstant(receivedAt: Local.t(received), processingSeconds: amount, pauses: pauses.map(pause)))
    }

    func pause(_ p: (String, String?)) -> Pause { Pause(start: Local.t(p.0), end: p.1.map { Local.t($0) }) }

    @Test func aPauseInsideWorkingTimeMovesTheDueInstantByItsWorkingLength() {
        // Mon 2024-03-04 09:00 + 1 day = Tue 09:00 (6.5 h Mon, 1.5 h Tue).
        #expect(due("2024-03-04 09:00", Local.day, []) == "2024-03-05 09:00")
        // Paused Mon 10:00–14:00 = 1.5 h + 1 h = 2.5 working hours → Tue 09:00 + 2.5 h = 11:30.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 14:00")]) == "2024-03-05 11:30")
        // Paused Mon 10:00–10:30 → Tue 09:30.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 10:30")]) == "2024-03-05 09:30")
    }

    @Test func aPauseOutsideWorkingTimeDoesNotMoveIt() {
        // Over lunch only.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 11:30", "2024-03-04 13:00")]) == "2024-03-05 09:00")
        // Over a weekend only: Fri 16:00 + 1 day = Mon 16:00 either way.
        #expect(due("2024-03-08 16:00", Local.day, [("2024-03-09 10:00", "2024-03-10 20:00")]) == "2024-03-11 16:00")
        // Over a night.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 17:00", "2024-03-05 07:30")]) == "2024-03-05 09:00")
    }

    @Test func aPauseSpanningAHolidayCostsOnlyItsWorkingTime() {
        // Received Tue 2024-02-06 09:00, 2 days (16 h). Paused Wed 7 Feb 15:00 → Thu 15 Feb 09:00 (across Tết).
        // Before: Tue 6.5 h, Wed 07:30–15:00 6 h = 12.5 h; 3.5 h left.
        // After: Thu 09:00–11:30 2.5 h, 13:00–14:00 1 h → 14:00.
        #expect(due("2024-02-06 09:00", 2 * Local.day, [("2024-02-07 15:00", "2024-02-15 09:00")]) == "2024-02-15 14:00")
        // Received Thu 2024-04-25 09:00, 2 days. Paused Fri 26 Apr 10:00 → Thu 2 May 10:00 (across 30/4–1/5).
        // Before: Thu 6.5 h, Fri 07:30–10:00 2.5 h = 9 h; 7 h left. After: Thu 10:00–11:30 1.5 h, 13:00–17:00 4 h,
        // Fri 3 May 07:30–09:00 1.5 h → 09:00.
        #expect(due("2024-04-25 09:00", 2 * Local.day, [("2024-04-26 10:00", "2024-05-02 10:00")]) == "2024-05-03 09:00")
    }

    @Test func aPauseBeginningAtOrAfterTheDueInstantDoesNotMoveIt() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 10:00", "2024-03-07 10:00")]) == "2024-03-05 09:00")
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 09:00", "2024-03-07 10:00")]) == "2024-03-05 09:00")
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 09:00", nil)]) == "2024-03-05 09:00")
        // Due at a period's end (Tue 2024-03-05 07:30 + 4 h = 11:30); a pause from 11:30 does not move it,
        // nor does an open one from 12:00.
        #expect(due("2024-03-05 07:30", 4 * Local.hour, [("2024-03-05 11:30", "2024-03-06 10:00")]) == "2024-03-05 11:30")
        #expect(due("2024-03-05 07:30", 4 * Local.hour, [("2024-03-05 12:00", nil)]) == "2024-03-05 11:30")
    }

    @Test func aPauseBeginningBeforeTheMovedDueInstantMovesItToo() {
        // Mon 2024-03-04 09:00 + 1 day = Tue 09:00. Pause A Mon 13:00–17:00 (4 h) → Tue 14:30.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 13:00", "2024-03-04 17:00")]) == "2024-03-05 14:30")
        // Pause B Tue 10:00–10:30 begins after Tue 09:00 but before Tue 14:30: 0.5 h more → 15:00.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 10:00", "2024-03-05 10:30"),
                                                    ("2024-03-04 13:00", "2024-03-04 17:00")]) == "2024-03-05 15:00")
    }

    @Test func overlappingAndTouchingPausesCountOnce() {
        // 13:00–15:00 and 10:00–14:00 cover 10:00–15:00: 1.5 h + 2 h = 3.5 h → Tue 09:00 + 3.5 h = 14:00.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 13:00", "2024-03-04 15:00"),
                                                    ("2024-03-04 10:00", "2024-03-04 14:00")]) == "2024-03-05 14:00")
        // One inside another: only the outer counts (10:00–14:00 = 2.5 h → 11:30).
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 14:00"),
                                                    ("2024-03-04 10:30", "2024-03-04 11:00")]) == "2024-03-05 11:30")
        // Touching: 10:00–11:00 and 11:00–14:00 → the same 2.5 h.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 11:00", "2024-03-04 14:00"),
                                                    ("2024-03-04 10:00", "2024-03-04 11:00")]) == "2024-03-05 11:30")
        // The same pause twice.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 14:00"),
                                                    ("2024-03-04 10:00", "2024-03-04 14:00")]) == "2024-03-05 11:30")
    }

    @Test func anOpenPauseLeavesTheDueInstantUnknown() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", nil)]) == "nil")
        // Open from a Saturday, before the Monday due instant: the clock is stopped.
        #expect(due("2024-03-08 16:00", Local.day, [("2024-03-09 10:00", nil)]) == "nil")
        // A closed pause overlapping an open one is swallowed by it.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 11:00"), ("2024-03-04 10:30", nil)]) == "nil")
        // Open since before the reception.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-01 10:00", nil)]) == "nil")
        // Open, but only from after the due instant.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-06 10:00", nil)]) == "2024-03-05 09:00")
    }

    @Test func aPauseBeginningBeforeReceptionStopsTheClockUntilItEnds() {
        // Paused Fri 1 Mar 09:00 → Mon 4 Mar 10:00; received Mon 09:00: counting starts 10:00.
        // Mon 10:00–11:30 1.5 h, 13:00–17:00 4 h, Tue 2.5 h → 10:00.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-01 09:00", "2024-03-04 10:00")]) == "2024-03-05 10:00")
        // Ending before reception: no effect.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-01 09:00", "2024-03-01 10:00")]) == "2024-03-05 09:00")
    }

    @Test func emptyAndInvertedPausesStopNothing() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 10:00")]) == "2024-03-05 09:00")
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 14:00", "2024-03-04 10:00")]) == "2024-03-05 09:00")
    }

    @Test func aZeroProcessingTimeIsDueAtReception() {
        #expect(due("2024-03-04 09:00", 0, [("2024-03-04 08:00", nil)]) == "2024-03-04 09:00")
    }

    @Test func workingSecondsExcludingPauses() {
        let from = Local.t("2024-03-04 09:00"), to = Local.t("2024-03-04 17:00")
        // 6.5 h − 2.5 h paused.
        #expect(c.workingSeconds(from: from, to: to, excluding: [pause(("2024-03-04 10:00", "2024-03-04 14:00"))]) == 4 * Local.hour)
        // Open from 12:00: 09:00–11:30 only.
        #expect(c.workingSeconds(from: from, to: to, excluding: [pause(("2024-03-04 12:00", nil))]) == 2 * Local.hour + 1800)
        // Overlapping, unsorted, one reaching outside the range: paused 08:00–10:00 and 09:30–11:00 → 09:00–11:00 lost.
        #expect(c.workingSeconds(from: from, to: to, excluding: [pause(("2024-03-04 09:30", "2024-03-04 11:00")),
                                                                pause(("2024-03-04 08:00", "2024-03-04 10:00"))]) == 4 * Local.hour + 1800)
        // Across Tết: Wed 7 Feb 15:00 → Thu 15 Feb 09:00 paused out of Tue 6 09:00 → Thu 15 17:00:
        // 6.5 + 8 + 8 = 22.5 h in all, 2 h (Wed) + 1.5 h (Thu) paused → 19 h.
        #expect(c.workingSeconds(from: Local.t("2024-02-06 09:00"), to: Local.t("2024-02-15 17:00"),
                                 excluding: [pause(("2024-02-07 15:00", "2024-02-15 09:00"))]) == 19 * Local.hour)
        // A pause covering the whole range.
        #expect(c.workingSeconds(from: from, to: to, excluding: [pause(("2024-03-01 00:00", nil))]) == 0)
        #expect(c.workingSeconds(from: to, to: from, excluding: []) == 0)
    }
}
