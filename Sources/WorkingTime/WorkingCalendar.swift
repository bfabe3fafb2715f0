import LedgerContract
/// The working-time rules of one ledger: working days (Monday to Friday,
/// minus declared holidays, plus declared make-up working days) and working
/// hours, in a fixed UTC offset (UTC+7, Asia/Ho_Chi_Minh, by default; no
/// daylight saving).
///
/// Instants are `Int64` Unix seconds (UTC). Everything is integer
/// arithmetic on seconds and day numbers; no Foundation.
///
/// Guarantees:
/// - Every query is a pure function of the value: same calendar, same
///   arguments, same answer. Copies are independent (a value type); they
///   share storage until one of them declares a year.
/// - No query traps for any `Int64` instant or amount: an answer that does
///   not fit an `Int64` saturates (`Int64.max` / `Int64.min`).
/// - `workingSeconds(from: s, to: adding(workingSeconds: a, to: s)) == a` for
///   every `a >= 0`, and the instant `adding` returns is the earliest such.
///
/// Performance: a prefix-sum table of working seconds per day covers
/// 1990-01-01 to 2100-12-31, widened to cover every declared date; outside
/// it days are ordinary weeks, counted in closed form. So
/// `workingSeconds(from:to:)` is O(1) and `adding(workingSeconds:to:)` and
/// `nextWorkingMoment(atOrAfter:)` are O(log d) (d: days spanned) for
/// every instant. `declare` rebuilds the table: O(table days).
public struct WorkingCalendar: Sendable {
    /// The working hours of every working day.
    public let hours: WorkingHours
    /// Local time minus UTC, in seconds (25_200 for UTC+7).
    public let utcOffsetSeconds: Int

    /// One year's declaration, as day numbers.
    private struct Declaration: Sendable {
        var holidays: [Int]
        var workdays: [Int]
    }
    private var declarations: [Int: Declaration] = [:]
    private(set) var table: DayTable

    /// 1990-01-01 and 2101-01-01: the range the table always covers.
    static let defaultFirstDay = LocalDate(year: 1990, month: 1, day: 1)!.daysSinceEpoch
    static let defaultEndDay = LocalDate(year: 2101, month: 1, day: 1)!.daysSinceEpoch

    /// A calendar with no declared holidays or make-up days (so Monday to
    /// Friday are the working days) until `declare` is called.
    /// - Parameters:
    ///   - hours: the working hours of a working day.
    ///   - utcOffsetSeconds: local time minus UTC; must be within ±86_399.
    /// - Complexity: O(table days).
    public init(hours: WorkingHours = .standard, utcOffsetSeconds: Int = 7 * 3600) {
        precondition(abs(utcOffsetSeconds) < 86_400, "WorkingCalendar: UTC offset \(utcOffsetSeconds) s is a day or more")
        self.hours = hours
        self.utcOffsetSeconds = utcOffsetSeconds
        table = DayTable(first: Self.defaultFirstDay, end: Self.defaultEndDay, perDay: hours.secondsPerDay,
                         isWorking: DayTable.isOrdinaryWorkingDay)
    }

    /// Declares one year's holidays and make-up working days; a later
    /// declaration of the same year replaces the earlier one entirely.
    ///
    /// A holiday that falls on a Saturday or Sunday, or a make-up day on a
    /// weekday, changes nothing. Dates need not lie in `year` (they are
    /// simply replaced with it). If two declarations — or one — name the
    /// same date both a holiday and a working day, the holiday wins.
    /// - Complexity: O(table days + declared dates).
    public mutating func declare(year: Int, holidays: [LocalDate], workdays: [LocalDate]) {
        declarations[year] = Declaration(holidays: holidays.map(\.daysSinceEpoch), workdays: workdays.map(\.daysSinceEpoch))
        rebuildTable()
    }

    /// The years declared so far, ascending.
    public var declaredYearList: [Int] { declarations.keys.sorted() }

    /// The declaration in force for `year`, dates sorted; nil if none.
    public func declaration(of year: Int) -> (holidays: [LocalDate], workdays: [LocalDate])? {
        guard let d = declarations[year] else { return nil }
        return (d.holidays.sorted().map(LocalDate.init(daysSinceEpoch:)), d.workdays.sorted().map(LocalDate.init(daysSinceEpoch:)))
    }

    private mutating func rebuildTable() {
        var low = Self.defaultFirstDay, high = Self.defaultEndDay
        for d in declarations.values {
            for day in d.holidays + d.workdays { low = min(low, day); high = max(high, day + 1) }
        }
        // Per day of the table: 0 ordinary, 1 make-up working day, -1 holiday (a holiday wins).
        var declared = [Int8](repeating: 0, count: high - low)
        for d in declarations.values {
            for w in d.workdays where declared[w - low] == 0 { declared[w - low] = 1 }
            for h in d.holidays { declared[h - low] = -1 }
        }
        table = declared.withUnsafeBufferPointer { declared in
            DayTable(first: low, end: high, perDay: hours.secondsPerDay) { day in
                let d = declared[day - low]
                return d == 0 ? DayTable.isOrdinaryWorkingDay(day) : d > 0
            }
        }
    }

    /// Whether `date` is a working day: Monday to Friday and not a declared
    /// holiday, or a declared make-up working day.
    /// - Complexity: O(1).
    public func isWorkingDay(_ date: LocalDate) -> Bool { table.isWorking(date.daysSinceEpoch) }

    // MARK: Local time

    /// `instant` as (local day number, seconds from local midnight in `0..<86_400`).
    @inline(__always)
    func split(_ instant: Int64) -> (day: Int, second: Int) {
        var day = Int(floorDiv(instant, 86_400))
        var second = Int(floorMod(instant, 86_400)) + utcOffsetSeconds
        if second < 0 { second += 86_400; day -= 1 } else if second >= 86_400 { second -= 86_400; day += 1 }
        return (day, second)
    }

    /// The instant of local day `day` at `second` from its midnight, saturating.
    @inline(__always)
    func instant(day: Int, second: Int) -> Int64 {
        let (a, o1) = Int64(day).multipliedReportingOverflow(by: 86_400)
        let (b, o2) = a.addingReportingOverflow(Int64(second - utcOffsetSeconds))
        if o1 || o2 { return day < 0 ? .min : .max }
        return b
    }

    /// `instant` as a timestamp in the calendar's UTC offset (RFC 3339 output in local time).
    public func localTimestamp(_ instant: Int64) -> Timestamp {
        Timestamp(seconds: instant, offsetMinutes: Int16(utcOffsetSeconds / 60))
    }

    /// The local date of `instant`.
    /// - Complexity: O(1).
    public func localDate(of instant: Int64) -> LocalDate { LocalDate(daysSinceEpoch: split(instant).day) }

    /// The local day of `instant`, in days since 1970-01-01 (`localDate(of:).daysSinceEpoch`
    /// without building the civil date).
    /// - Complexity: O(1).
    public func localDay(of instant: Int64) -> Int { split(instant).day }

    /// The instant at which `date`'s local midnight is `secondsFromMidnight`
    /// past (any value; 86_400 is the next midnight). Saturates.
    /// - Complexity: O(1).
    public func instant(of date: LocalDate, secondsFromMidnight: Int) -> Int64 {
        instant(day: date.daysSinceEpoch, second: secondsFromMidnight)
    }

    // MARK: Counting working time

    /// Working seconds in `[from, to)`; 0 if `to <= from`. `Int64.max` if the
    /// true count does not fit.
    /// - Complexity: O(1) (O(periods of a day)).
    public func workingSeconds(from: Int64, to: Int64) -> Int64 {
        guard to > from else { return 0 }
        let a = split(from), b = split(to)
        if a.day == b.day {
            return table.isWorking(a.day) ? Int64(hours.seconds(from: a.second, to: b.second)) : 0
        }
        let head = table.isWorking(a.day) ? Int64(hours.seconds(from: a.second, to: 86_400)) : 0
        let tail = table.isWorking(b.day) ? Int64(hours.seconds(from: 0, to: b.second)) : 0
        let (total, overflow) = table.seconds(fromDay: a.day + 1, toDay: b.day).addingReportingOverflow(head + tail)
        return overflow ? .max : total
    }

    /// The earliest instant `t >= start` with
    /// `workingSeconds(from: start, to: t) == amount`; `start` itself for an
    /// amount of 0 or less.
    ///
    /// A start outside working hours starts counting at the next working
    /// moment, and a total reached at the end of a period is that end:
    /// Friday 16:00 + 8 h → Monday 16:00; Saturday 10:00 + 8 h → Monday 17:00
    /// (not Tuesday 07:30); Tuesday 17:00 + 4 h → Wednesday 11:30.
    /// Saturates at `Int64.max` when the answer does not fit.
    /// - Complexity: O(log d), d being the days spanned (binary search on the table).
    public func adding(workingSeconds amount: Int64, to start: Int64) -> Int64 {
        guard amount > 0 else { return start }
        let (day, second) = split(start)
        var left = amount
        if table.isWorking(day) {
            let today = Int64(hours.seconds(from: second, to: 86_400))
            if left <= today { return instant(day: day, second: hours.second(consuming: Int(left), from: second)) }
            left -= today
        }
        let from = day + 1
        let (target, overflow) = table.secondsBefore(from).addingReportingOverflow(left)
        guard !overflow, let dueDay = table.firstDay(reaching: target, from: from) else { return .max }
        let rest = target - table.secondsBefore(dueDay)               // in 1...secondsPerDay
        return instant(day: dueDay, second: hours.second(consuming: Int(rest), from: 0))
    }

    /// `instant` itself if it is inside working hours of a working day (a
    /// period's start counts as inside, its end does not), else the start of
    /// the next working period. Saturates at `Int64.max`.
    /// - Complexity: O(log d), d being the days skipped.
    public func nextWorkingMoment(atOrAfter instant: Int64) -> Int64 {
        let (day, second) = split(instant)
        if table.isWorking(day) {
            for p in hours.periods where second < p.end {
                return second >= p.start ? instant : self.instant(day: day, second: p.start)
            }
        }
        let from = day + 1
        guard let next = table.firstDay(reaching: table.secondsBefore(from) + 1, from: from) else { return .max }
        return self.instant(day: next, second: hours.periods[0].start)
    }

    /// The start of the working day of `instant`'s local date: that date at
    /// the first period's start (07:30 local by default), whether or not the
    /// date is a working day.
    /// - Complexity: O(1).
    public func startOfWorkingDay(containing instant: Int64) -> Int64 {
        self.instant(day: split(instant).day, second: hours.periods[0].start)
    }

    /// The years a calendar can declare, and the local years events and
    /// queries may name: a time outside them is a typing slip (3024 for
    /// 2024) that no working calendar describes.
    public static let years: ClosedRange<Int> = 1900...2200

    /// The local days of `years`, in days since 1970-01-01.
    private static let daysOfYears = LocalDate(year: years.lowerBound, month: 1, day: 1)!.daysSinceEpoch
        ..< LocalDate(year: years.upperBound + 1, month: 1, day: 1)!.daysSinceEpoch

    /// Whether the local date of `instant` lies in `years`.
    /// - Complexity: O(1), without building the civil date.
    public func isInYears(_ instant: Int64) -> Bool { Self.daysOfYears.contains(localDay(of: instant)) }

    /// The longest processing time or step budget a procedure may declare:
    /// one million working hours. Larger figures are refused so that due
    /// instants and budget sums stay far inside `Int64`.
    public static let maximumWorkingSeconds: Int64 = 3_600_000_000

    /// A procedure's processing time in working seconds, rounded to the
    /// nearest second (halves away from zero): `days × hours.secondsPerDay`
    /// (0.5 day = 4 working hours with standard hours), else `hours × 3600`.
    /// `days` wins when both are given. nil when the one used is negative,
    /// not finite or above ``maximumWorkingSeconds``, or when both are nil.
    /// - Complexity: O(1).
    public func processingSeconds(days: Double?, hours h: Double?) -> Int64? {
        let seconds: Double
        if let days { seconds = days * Double(hours.secondsPerDay) } else if let h { seconds = h * 3600 } else { return nil }
        guard seconds.isFinite, seconds >= 0, seconds <= Double(Self.maximumWorkingSeconds) else { return nil }
        return Int64(seconds.rounded())
    }
}
