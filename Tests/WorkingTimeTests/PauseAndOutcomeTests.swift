import Testing
@testable import WorkingTime

/// Due instants with pauses, and outcomes, worked out by hand.
struct PauseAndOutcomeTests {
    let c = Local.calendar2024

    func due(_ received: String, _ amount: Int64, _ pauses: [(String, String?)]) -> Int64? {
        c.dueInstant(receivedAt: Local.t(received), processingSeconds: amount,
                     pauses: pauses.map { Pause(start: Local.t($0.0), end: $0.1.map { Local.t($0) }) })
    }

    @Test func aPauseInsideWorkingTimeMovesTheDueInstantByItsWorkingLength() {
        // Mon 09:00 + 1 day = Tue 09:00; a pause Mon 10:00–14:00 (2.5 working hours) → Tue 11:30.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", "2024-03-04 14:00")]) == Local.t("2024-03-05 11:30"))
    }

    @Test func aPauseSpanningTetCostsOnlyItsWorkingTime() {
        // Received Tue 6 Feb 09:00, 2 days (16 h). Paused Wed 7 Feb 15:00 → Thu 15 Feb 09:00.
        // Before: Tue 09:00–17:00 = 6.5 h, Wed 07:30–15:00 = 6 h (12.5 h used, 3.5 h left).
        // After: Thu 15 Feb 09:00–11:30 = 2.5 h, then 13:00–14:00 = 1 h → 14:00.
        #expect(due("2024-02-06 09:00", 2 * Local.day, [("2024-02-07 15:00", "2024-02-15 09:00")]) == Local.t("2024-02-15 14:00"))
    }

    @Test func aPauseBeginningAfterTheDueInstantDoesNotMoveIt() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 10:00", "2024-03-07 10:00")]) == Local.t("2024-03-05 09:00"))
        // Beginning exactly at the due instant does not move it either.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-05 09:00", "2024-03-07 10:00")]) == Local.t("2024-03-05 09:00"))
    }

    @Test func overlappingAndUnsortedPausesCountOnce() {
        let pauses: [(String, String?)] = [("2024-03-04 13:00", "2024-03-04 15:00"), ("2024-03-04 10:00", "2024-03-04 14:00")]
        // Paused 10:00–15:00 = 1.5 + 2 = 3.5 working hours → Tue 09:00 + 3.5 h = 14:00.
        #expect(due("2024-03-04 09:00", Local.day, pauses) == Local.t("2024-03-05 14:00"))
    }

    @Test func anOpenPauseLeavesTheDueInstantUnknown() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-04 10:00", nil)]) == nil)
        // …unless it began after the due instant.
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-06 10:00", nil)]) == Local.t("2024-03-05 09:00"))
    }

    @Test func aPauseBeginningBeforeReceptionCountsFromReception() {
        #expect(due("2024-03-04 09:00", Local.day, [("2024-03-01 09:00", "2024-03-04 10:00")]) == Local.t("2024-03-05 10:00"))
    }

    @Test func workingSecondsExcludingPauses() {
        let pauses = [Pause(start: Local.t("2024-03-04 10:00"), end: Local.t("2024-03-04 14:00"))]
        #expect(c.workingSeconds(from: Local.t("2024-03-04 09:00"), to: Local.t("2024-03-04 17:00"), excluding: pauses) == 4 * Local.hour)  // 6.5 h − 2.5 h paused
        #expect(c.workingSeconds(from: Local.t("2024-03-04 09:00"), to: Local.t("2024-03-04 17:00"),
                                 excluding: [Pause(start: Local.t("2024-03-04 12:00"), end: nil)]) == 2 * Local.hour + 1800)
    }

    @Test func outcomes() {
        let dueAt = Local.t("2024-03-06 15:00")
        #expect(c.outcome(processedAt: Local.t("2024-03-05 16:00"), due: dueAt) == .early)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 07:00"), due: dueAt) == .early)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 07:30"), due: dueAt) == .onTime)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 15:00"), due: dueAt) == .onTime)
        #expect(c.outcome(processedAt: Local.t("2024-03-06 15:00:01"), due: dueAt) == .late)
    }
}
