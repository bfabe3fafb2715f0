import Testing
import ProvinceGenerator
@testable import WorkingTime

/// Property-style checks with fixed seeds: the engine (prefix-sum tables,
/// closed forms, binary search) agrees with `ReferenceCalendar`, a naive
/// day-by-day walk, on thousands of random starts, amounts and pauses.
struct ReferenceAgreementTests {
    /// Random instants in `[low, high)`, half of them snapped to a minute,
    /// some to the edges of the working periods.
    static func instant(_ r: inout SplitMix64, _ low: Int64, _ high: Int64, offset: Int64 = 7 * 3600) -> Int64 {
        let t = low + r.below(high - low)
        switch r.below(4) {
        case 0: return t
        case 1: return t - t % 60
        default:
            // A period edge ± a second on t's local day.
            let edges: [Int64] = [0, 27_000, 41_400, 46_800, 61_200, 28_800, 43_200, 48_600, 63_000]
            var day = (t + offset) / 86_400
            if (t + offset) % 86_400 < 0 { day -= 1 }
            return day * 86_400 - offset + edges[Int(r.below(Int64(edges.count)))] + r.below(3) - 1
        }
    }

    static func amount(_ r: inout SplitMix64, maxDays: Int64, perDay: Int64 = 8 * 3600) -> Int64 {
        switch r.below(4) {
        case 0: return r.below(maxDays * perDay)
        case 1: return r.below(maxDays * 8) * 3600                 // whole hours
        case 2: return r.below(maxDays + 1) * perDay               // whole days
        default: return r.below(2 * 3600)                          // short
        }
    }

    @Test func addingAndCountingAgreeAcrossTheDeclaredYears() {
        let c = Local.vietnam, ref = ReferenceCalendar.vietnam
        var r = SplitMix64(seed: 20_240_208)
        let low = Local.t("2023-12-01 00:00"), high = Local.t("2026-01-31 00:00")
        for _ in 0..<3000 {
            let start = Self.instant(&r, low, high)
            let amount = Self.amount(&r, maxDays: 45)
            let end = c.adding(workingSeconds: amount, to: start)
            #expect(end == ref.adding(amount, to: start), "\(Local.text(start)) + \(amount)")
            #expect(c.workingSeconds(from: start, to: end) == amount)
            if amount > 0 { #expect(c.workingSeconds(from: start, to: end - 1) == amount - 1) }
            let other = start + r.below(70 * 86_400) - 5 * 86_400
            #expect(c.workingSeconds(from: start, to: other) == ref.workingSeconds(from: start, to: other),
                    "\(Local.text(start)) → \(Local.text(other))")
            let middle = min(start, other) + r.below(abs(other - start) + 1)
            #expect(c.workingSeconds(from: min(start, other), to: middle) + c.workingSeconds(from: middle, to: max(start, other))
                    == c.workingSeconds(from: min(start, other), to: max(start, other)))
            #expect(c.nextWorkingMoment(atOrAfter: start) == ref.adding(1, to: start) - 1)
            #expect(c.workingSeconds(from: start, to: c.nextWorkingMoment(atOrAfter: start)) == 0)
        }
    }

    @Test func theReferenceAgreesWithAMinuteByMinuteWalk() {
        let c = Local.vietnam, ref = ReferenceCalendar.vietnam
        var r = SplitMix64(seed: 430)
        let low = Local.t("2024-01-25 00:00"), high = Local.t("2024-05-10 00:00")
        for _ in 0..<300 {
            let from = (low + r.below(high - low)) / 60 * 60
            let to = from + r.below(6 * 86_400) / 60 * 60
            let walked = ref.workingSecondsByMinute(from: from, to: to)
            #expect(ref.workingSeconds(from: from, to: to) == walked)
            #expect(c.workingSeconds(from: from, to: to) == walked, "\(Local.text(from)) → \(Local.text(to))")
        }
    }

    @Test func pausesAgreeWithTheReference() {
        let c = Local.vietnam, ref = ReferenceCalendar.vietnam
        var r = SplitMix64(seed: 61)
        let low = Local.t("2023-12-15 00:00"), high = Local.t("2025-12-15 00:00")
        for _ in 0..<2000 {
            let received = Self.instant(&r, low, high)
            let amount = Self.amount(&r, maxDays: 20)
            var pauses: [Pause] = []
            for _ in 0..<r.below(5) {
                let start = Self.instant(&r, received - 5 * 86_400, received + 30 * 86_400)
                let open = r.below(7) == 0
                pauses.append(Pause(start: start, end: open ? nil : start + r.below(10 * 86_400) - 3600))
            }
            let due = c.dueInstant(receivedAt: received, processingSeconds: amount, pauses: pauses)
            #expect(due == ref.dueInstant(receivedAt: received, amount: amount, pauses: pauses),
                    "\(Local.text(received)) + \(amount) with \(pauses.map { (Local.text($0.start), Local.text($0.end)) })")
            if let due, amount > 0 {
                #expect(c.workingSeconds(from: received, to: due, excluding: pauses) == amount)
                #expect(c.workingSeconds(from: received, to: due - 1, excluding: pauses) == amount - 1)
                // Pauses beginning at or after the due instant do not move it.
                let later = pauses.filter { $0.start >= due }
                if !later.isEmpty {
                    let earlier = pauses.filter { $0.start < due }
                    #expect(c.dueInstant(receivedAt: received, processingSeconds: amount, pauses: earlier) == due)
                }
            }
            let to = received + r.below(40 * 86_400)
            #expect(c.workingSeconds(from: received, to: to, excluding: pauses) == ref.workingSeconds(from: received, to: to, excluding: pauses))
            #expect(c.workingSeconds(from: received, to: to, excluding: pauses) == c.workingSeconds(from: received, to: to, excluding: pauses.reversed()))
        }
    }

    /// Other hours, offsets and declarations, near and beyond the edges of
    /// the table (1990, 2101), before 1970 and far in the future.
    @Test(arguments: [
        ("standard, UTC+7", [(27_000, 41_400), (46_800, 61_200)], 7 * 3600),
        ("08:00–12:00 13:30–17:30, UTC−5", [(28_800, 43_200), (48_600, 63_000)], -5 * 3600),
        ("odd seconds, UTC+5:45", [(0, 1), (3600, 7201), (50_000, 86_400)], 5 * 3600 + 2700),
        ("one period, UTC", [(32_400, 36_000)], 0),
    ])
    func otherCalendarsAgreeWithTheReference(_ name: String, _ periods: [(Int, Int)], _ offset: Int) {
        let holidays = ["1975-04-30", "1975-05-01", "1989-12-29", "1990-01-01", "1990-01-02",
                        "2100-12-30", "2100-12-31", "2150-01-01", "2150-01-02", "1969-12-31", "1970-01-02"]
        let workdays = ["1989-12-30", "2101-01-02", "1975-05-03", "2150-01-03", "1969-12-28"]
        var c = WorkingCalendar(hours: WorkingHours(periods: periods.map { (start: $0.0, end: $0.1) })!, utcOffsetSeconds: offset)
        for year in Set((holidays + workdays).map { Local.d($0).year }) {
            c.declare(year: year, holidays: holidays.map(Local.d).filter { $0.year == year },
                      workdays: workdays.map(Local.d).filter { $0.year == year })
        }
        let ref = ReferenceCalendar(periods: periods.map { (start: $0.0, end: $0.1) }, offset: offset, holidays: holidays, workdays: workdays)
        let perDay = Int64(c.hours.secondsPerDay)
        var r = SplitMix64(seed: UInt64(periods.count * 1000 + offset + 100_000))
        let windows = [("1969-12-01 00:00", "1970-02-01 00:00"), ("1975-04-01 00:00", "1975-06-01 00:00"),
                       ("1989-11-15 00:00", "1990-02-01 00:00"), ("2100-11-15 00:00", "2101-02-01 00:00"),
                       ("2149-12-01 00:00", "2150-01-31 00:00"), ("2300-05-01 00:00", "2300-07-01 00:00"),
                       ("1901-01-01 00:00", "1901-03-01 00:00")]
        for (a, b) in windows {
            let low = Local.t(a, offset: offset), high = Local.t(b, offset: offset)
            for _ in 0..<250 {
                let start = Self.instant(&r, low, high, offset: Int64(offset))
                let amount = Self.amount(&r, maxDays: 30, perDay: perDay)
                let end = c.adding(workingSeconds: amount, to: start)
                #expect(end == ref.adding(amount, to: start), "\(name): \(Local.text(start, offset: offset)) + \(amount)")
                #expect(c.workingSeconds(from: start, to: end) == amount)
                let other = start + r.below(60 * 86_400) - 10 * 86_400
                #expect(c.workingSeconds(from: start, to: other) == ref.workingSeconds(from: start, to: other),
                        "\(name): \(Local.text(start, offset: offset)) → \(Local.text(other, offset: offset))")
                #expect(c.nextWorkingMoment(atOrAfter: start) == ref.adding(1, to: start) - 1)
                let day = c.localDate(of: start)
                #expect(c.isWorkingDay(day) == ref.isWorking(day: Int64(day.daysSinceEpoch)))
            }
        }
    }
}
