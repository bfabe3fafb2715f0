import LedgerContract
@testable import WorkingTime

/// Instants written as local wall-clock times, so hand-worked cases read the
/// way a clerk would write them: `Local.t("2024-02-09 16:00")`.
enum Local {
    /// "2024-02-09 16:00" or "2024-02-09 16:00:30" at `offset` (UTC+7 by default).
    /// Written without the engine's own conversion so that it checks it.
    static func t(_ text: String, offset: Int = 7 * 3600) -> Int64 {
        let parts = text.split(separator: " ")
        precondition(parts.count == 2, "not a local time: \(text)")
        let date = LocalDate(iso: String(parts[0]))!
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        let seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
        return Int64(date.daysSinceEpoch) * 86_400 + Int64(seconds) - Int64(offset)
    }

    /// `instant` as "YYYY-MM-DD HH:MM" (":SS" added when not zero) at `offset`,
    /// so a failed expectation prints a readable local time.
    static func text(_ instant: Int64?, offset: Int = 7 * 3600) -> String {
        guard let instant else { return "nil" }
        let local = instant + Int64(offset)
        var day = local / 86_400, second = local % 86_400
        if second < 0 { second += 86_400; day -= 1 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let s = second % 60
        return "\(LocalDate(daysSinceEpoch: Int(day))) \(two(second / 3600)):\(two(second / 60 % 60))" + (s == 0 ? "" : ":\(two(s))")
    }

    static func d(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    static let hour: Int64 = 3600
    static let day: Int64 = 8 * 3600

    /// Vietnam's declared calendars for 2024 and 2025:
    /// - 2024: New Year 1 Jan; Tết 8–14 Feb (Thu–Wed); Hùng Kings 18 Apr (Thu);
    ///   30/4–1/5 with the bridge Monday 29 Apr and make-up Saturday 4 May;
    ///   National Day 2–3 Sep (Mon–Tue).
    /// - 2025: New Year 1 Jan; Tết 27–31 Jan (Mon–Fri) with make-up Saturday
    ///   8 Feb; Hùng Kings 7 Apr (Mon); 30 Apr–2 May (Wed–Fri) with make-up
    ///   Saturday 26 Apr; National Day 1–2 Sep (Mon–Tue).
    static let holidays2024 = ["2024-01-01",
                               "2024-02-08", "2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12", "2024-02-13", "2024-02-14",
                               "2024-04-18", "2024-04-29", "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03"]
    static let workdays2024 = ["2024-05-04"]
    static let holidays2025 = ["2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                               "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"]
    static let workdays2025 = ["2025-02-08", "2025-04-26"]

    /// Standard hours, UTC+7, 2024 and 2025 declared.
    static var vietnam: WorkingCalendar {
        var c = WorkingCalendar()
        c.declare(year: 2024, holidays: holidays2024.map(d), workdays: workdays2024.map(d))
        c.declare(year: 2025, holidays: holidays2025.map(d), workdays: workdays2025.map(d))
        return c
    }
}

/// A deliberately naive working-time calculator: it walks day by day and
/// period by period, with no tables, no closed forms and no shared code with
/// the engine beyond `LocalDate`. The engine must agree with it everywhere.
struct ReferenceCalendar {
    var periods: [(start: Int64, end: Int64)]
    var offset: Int64
    var holidays: Set<Int>
    var workdays: Set<Int>

    init(periods: [(start: Int, end: Int)] = [(27_000, 41_400), (46_800, 61_200)], offset: Int = 7 * 3600,
         holidays: [String] = [], workdays: [String] = []) {
        self.periods = periods.map { (Int64($0.start), Int64($0.end)) }
        self.offset = Int64(offset)
        self.holidays = Set(holidays.map { LocalDate(iso: $0)!.daysSinceEpoch })
        self.workdays = Set(workdays.map { LocalDate(iso: $0)!.daysSinceEpoch })
    }

    static var vietnam: ReferenceCalendar {
        ReferenceCalendar(holidays: Local.holidays2024 + Local.holidays2025, workdays: Local.workdays2024 + Local.workdays2025)
    }

    func isWorking(day: Int64) -> Bool {
        if holidays.contains(Int(day)) { return false }
        if workdays.contains(Int(day)) { return true }
        var m = (day + 3) % 7                  // 0 = Monday
        if m < 0 { m += 7 }
        return m < 5
    }

    func day(of t: Int64) -> Int64 {
        let local = t + offset
        return local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
    }

    /// The working intervals `[start, end)` of one local day, as instants.
    func intervals(day: Int64) -> [(start: Int64, end: Int64)] {
        guard isWorking(day: day) else { return [] }
        let midnight = day * 86_400 - offset
        return periods.map { (midnight + $0.start, midnight + $0.end) }
    }

    func workingSeconds(from: Int64, to: Int64) -> Int64 {
        guard to > from else { return 0 }
        var total: Int64 = 0
        for d in day(of: from)...day(of: to) {
            for i in intervals(day: d) {
                let a = max(i.start, from), b = min(i.end, to)
                if b > a { total += b - a }
            }
        }
        return total
    }

    /// Working seconds counted one minute at a time (for minute-aligned
    /// arguments): checks the day walk itself.
    func workingSecondsByMinute(from: Int64, to: Int64) -> Int64 {
        var total: Int64 = 0
        var t = from
        while t < to {
            let local = t + offset
            var s = local % 86_400
            if s < 0 { s += 86_400 }
            if isWorking(day: day(of: t)) && periods.contains(where: { s >= $0.start && s < $0.end }) { total += 60 }
            t += 60
        }
        return total
    }

    func adding(_ amount: Int64, to start: Int64) -> Int64 {
        dueInstant(receivedAt: start, amount: amount, pauses: [])!
    }

    /// The working intervals of `day` with every pause cut out, sorted.
    func pieces(day: Int64, pauses: [Pause]) -> [(start: Int64, end: Int64)] {
        var pieces = intervals(day: day)
        for p in pauses {
            let pe = p.end ?? .max
            guard pe > p.start else { continue }
            pieces = pieces.flatMap { piece -> [(start: Int64, end: Int64)] in
                if pe <= piece.start || p.start >= piece.end { return [piece] }
                return [(piece.start, max(piece.start, p.start)), (min(piece.end, pe), piece.end)].filter { $0.end > $0.start }
            }
        }
        return pieces.sorted { $0.start < $1.start }
    }

    func workingSeconds(from: Int64, to: Int64, excluding pauses: [Pause]) -> Int64 {
        guard to > from else { return 0 }
        var total: Int64 = 0
        for d in day(of: from)...day(of: to) {
            for piece in pieces(day: d, pauses: pauses) {
                let a = max(piece.start, from), b = min(piece.end, to)
                if b > a { total += b - a }
            }
        }
        return total
    }

    /// Walks working intervals from `receivedAt`, cutting out every pause,
    /// until `amount` seconds are used; nil if an open pause swallows the rest.
    func dueInstant(receivedAt: Int64, amount: Int64, pauses: [Pause]) -> Int64? {
        guard amount > 0 else { return receivedAt }
        var left = amount
        var d = day(of: receivedAt)
        let openFrom = pauses.filter { $0.end == nil }.map(\.start).min()
        while true {
            for piece in pieces(day: d, pauses: pauses) where piece.end > receivedAt {
                let start = max(piece.start, receivedAt)
                let available = piece.end - start
                if left <= available { return start + left }
                left -= available
            }
            if let openFrom, day(of: openFrom) < d { return nil }
            d += 1
        }
    }
}
