/// The working-time rules of one ledger: working days (Monday to Friday,
/// minus declared holidays, plus declared make-up working days) and working
/// hours, in a fixed UTC offset (UTC+7, Asia/Ho_Chi_Minh, by default).
///
/// Instants are Unix seconds. Nothing here uses Foundation's `Calendar`:
/// a prefix-sum table of working seconds per day makes
/// `workingSeconds(from:to:)` O(1) and `adding(workingSeconds:to:)`
/// O(log days) for dates from 1970 to 2199; outside that range a day-by-day
/// walk gives the same answers more slowly.
///
/// A value type: copies share the table until one of them declares a year.
public struct WorkingCalendar: Sendable {
    public let hours: WorkingHours
    public let utcOffsetSeconds: Int
    /// Declared holidays (false) and make-up working days (true), by day number.
    private var overrides: [Int: Bool] = [:]
    private var declaredYears: [Int: [Int]] = [:]
    /// cumulative[i] = working seconds of days [tableStart, tableStart + i).
    private var cumulative: [Int64] = []

    static let tableStart = 0                                   // 1970-01-01
    static let tableEnd = LocalDate(year: 2200, month: 1, day: 1)!.daysSinceEpoch

    public init(hours: WorkingHours = .standard, utcOffsetSeconds: Int = 7 * 3600) {
        self.hours = hours
        self.utcOffsetSeconds = utcOffsetSeconds
        rebuildTable()
    }

    /// Declares one year's holidays and make-up working days; a later
    /// declaration of the same year replaces the earlier one.
    public mutating func declare(year: Int, holidays: [LocalDate], workdays: [LocalDate]) {
        for day in declaredYears[year] ?? [] { overrides.removeValue(forKey: day) }
        var days: [Int] = []
        for h in holidays { overrides[h.daysSinceEpoch] = false; days.append(h.daysSinceEpoch) }
        for w in workdays { overrides[w.daysSinceEpoch] = true; days.append(w.daysSinceEpoch) }
        declaredYears[year] = days
        rebuildTable()
    }

    /// The years declared so far.
    public var declaredYearList: [Int] { declaredYears.keys.sorted() }

    private mutating func rebuildTable() {
        let count = Self.tableEnd - Self.tableStart
        var table = [Int64](repeating: 0, count: count + 1)
        let perDay = Int64(hours.secondsPerDay)
        var running: Int64 = 0
        for i in 0..<count {
            table[i] = running
            if isWorkingDay(number: Self.tableStart + i) { running += perDay }
        }
        table[count] = running
        cumulative = table
    }

    @inline(__always)
    func isWorkingDay(number day: Int) -> Bool {
        if let o = overrides[day] { return o }
        return LocalDate.weekday(ofDay: day) <= 5
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool { isWorkingDay(number: date.daysSinceEpoch) }

    @inline(__always)
    private func split(_ instant: Int64) -> (day: Int, second: Int) {
        let local = instant + Int64(utcOffsetSeconds)
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return (Int(day), Int(local - day * 86_400))
    }

    @inline(__always)
    private func instant(day: Int, second: Int) -> Int64 {
        Int64(day) * 86_400 + Int64(second) - Int64(utcOffsetSeconds)
    }

    public func localDate(of instant: Int64) -> LocalDate { LocalDate(daysSinceEpoch: split(instant).day) }

    public func instant(of date: LocalDate, secondsFromMidnight: Int) -> Int64 {
        instant(day: date.daysSinceEpoch, second: secondsFromMidnight)
    }

    /// Working seconds of whole days [a, b).
    @inline(__always)
    private func wholeDays(_ a: Int, _ b: Int) -> Int64 {
        guard b > a else { return 0 }
        if a >= Self.tableStart && b <= Self.tableEnd {
            return cumulative[b - Self.tableStart] - cumulative[a - Self.tableStart]
        }
        var total: Int64 = 0
        for d in a..<b where isWorkingDay(number: d) { total += Int64(hours.secondsPerDay) }
        return total
    }

    @inline(__always)
    private func within(day: Int, from: Int, to: Int) -> Int64 {
        isWorkingDay(number: day) ? Int64(hours.seconds(from: from, to: to)) : 0
    }

    /// Working seconds in [from, to); 0 if `to` is not after `from`.
    /// - Complexity: O(1) within the table's range.
    public func workingSeconds(from: Int64, to: Int64) -> Int64 {
        guard to > from else { return 0 }
        let a = split(from), b = split(to)
        if a.day == b.day { return within(day: a.day, from: a.second, to: b.second) }
        return within(day: a.day, from: a.second, to: 86_400) + wholeDays(a.day + 1, b.day) + within(day: b.day, from: 0, to: b.second)
    }

    /// The earliest instant t ≥ `start` with `workingSeconds(start, t) == amount`:
    /// counting starts at the next working moment, and a total reached at
    /// the end of a period (11:30, 17:00) is that end.
    /// - Complexity: O(log days) within the table's range.
    public func adding(workingSeconds amount: Int64, to start: Int64) -> Int64 {
        guard amount > 0 else { return start }
        let s = split(start)
        var left = amount
        if isWorkingDay(number: s.day) {
            let today = Int64(hours.seconds(from: s.second, to: 86_400))
            if left <= today { return instant(day: s.day, second: hours.instant(consuming: Int(left), from: s.second)!) }
            left -= today
        }
        // The day on which the remaining time runs out: the first day d with wholeDays(s.day + 1, d + 1) >= left.
        let first = s.day + 1
        var day: Int
        if first >= Self.tableStart && first < Self.tableEnd && cumulative[Self.tableEnd - Self.tableStart] - cumulative[first - Self.tableStart] >= left {
            let base = cumulative[first - Self.tableStart]
            var low = first, high = Self.tableEnd - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid + 1 - Self.tableStart] - base >= left { high = mid } else { low = mid + 1 }
            }
            day = low
            left -= cumulative[day - Self.tableStart] - base
        } else {
            day = first
            while true {
                if isWorkingDay(number: day) {
                    let full = Int64(hours.secondsPerDay)
                    if left <= full { break }
                    left -= full
                }
                day += 1
            }
        }
        return instant(day: day, second: hours.instant(consuming: Int(left), from: 0)!)
    }

    /// The instant itself inside working hours (a period's start is inside,
    /// its end is not), else the start of the next working period.
    public func nextWorkingMoment(atOrAfter instant: Int64) -> Int64 {
        let s = split(instant)
        if isWorkingDay(number: s.day) {
            for p in hours.periods {
                if s.second >= p.start && s.second < p.end { return instant }
                if s.second < p.start { return self.instant(day: s.day, second: p.start) }
            }
        }
        var day = s.day + 1
        while !isWorkingDay(number: day) { day += 1 }
        return self.instant(day: day, second: hours.periods[0].start)
    }

    /// The start of the working day of `instant`'s local date (its first period's start).
    public func startOfWorkingDay(containing instant: Int64) -> Int64 {
        self.instant(day: split(instant).day, second: hours.periods[0].start)
    }

    /// A procedure's processing time in working seconds: days × the working
    /// day's length (0.5 day = 4 hours by default) or hours × 3600.
    public func processingSeconds(days: Double?, hours h: Double?) -> Int64? {
        if let days, days.isFinite, days >= 0 { return Int64((days * Double(hours.secondsPerDay)).rounded()) }
        if let h, h.isFinite, h >= 0 { return Int64((h * 3600).rounded()) }
        return nil
    }
}
