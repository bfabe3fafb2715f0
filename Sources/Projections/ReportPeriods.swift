import LedgerContract
import WorkingTime

/// The periods a report covers (REPORTS.md, "Common terms"): the calendar
/// periods of one kind (day, month, quarter, year) in local time, clipped
/// to the whole days `[from, to]` and to the instant the report is asked at.
///
/// A period is numbered by an index that grows by one from each period to
/// the next (months: `year × 12 + month − 1`; quarters: `year × 4 + q − 1`;
/// years: the year; days: days since 1970-01-01). Its `start` is inclusive,
/// its `end` exclusive; an event belongs to the period whose `[start, end)`
/// holds its `at`. A period that has not begun by `asOf` is not covered; the
/// period holding `asOf` ends just after it (the state "at the period's end"
/// is then the state now).
///
/// - Complexity: every operation is O(1).
public struct ReportPeriods: Sendable {
    public let kind: KPIPeriod
    public let calendar: WorkingCalendar
    /// The first index covered, and the last (`last < first`: none).
    public let first: Int
    public let last: Int
    private let fromInstant: Int64
    private let toEnd: Int64
    private let asOf: Int64

    /// - Parameters:
    ///   - from, to: the first and last whole days covered (nil: unbounded).
    ///   - asOf: the instant the report is asked at; events after it are not in it.
    public init(kind: KPIPeriod, calendar: WorkingCalendar, from: LocalDate? = nil, to: LocalDate? = nil, asOf: Int64) {
        self.kind = kind
        self.calendar = calendar
        self.asOf = asOf
        fromInstant = from.map { calendar.instant(of: $0, secondsFromMidnight: 0) } ?? .min
        toEnd = to.map { calendar.instant(of: LocalDate(daysSinceEpoch: $0.daysSinceEpoch + 1), secondsFromMidnight: 0) } ?? .max
        first = from.map { Self.index(of: $0, kind) } ?? .min
        var last = Self.index(of: calendar.localDate(of: asOf), kind)
        if let to { last = min(last, Self.index(of: to, kind)) }
        // The period holding asOf is covered only once it has begun.
        let lastStart = max(calendar.instant(of: Self.firstDay(of: last, kind), secondsFromMidnight: 0), fromInstant)
        self.last = lastStart >= asOf ? last - 1 : last
    }

    /// The index of the period holding `date`.
    public static func index(of date: LocalDate, _ kind: KPIPeriod) -> Int {
        switch kind {
        case .day: date.daysSinceEpoch
        case .month: date.year * 12 + date.month - 1
        case .quarter: date.year * 4 + (date.month - 1) / 3
        case .year: date.year
        }
    }

    /// The first day of period `index` (not clipped).
    public func firstDay(of index: Int) -> LocalDate { Self.firstDay(of: index, kind) }

    static func firstDay(of index: Int, _ kind: KPIPeriod) -> LocalDate {
        switch kind {
        case .day: LocalDate(daysSinceEpoch: index)
        case .month: LocalDate(year: floorDivision(index, 12), month: index - floorDivision(index, 12) * 12 + 1, day: 1)!
        case .quarter: LocalDate(year: floorDivision(index, 4), month: (index - floorDivision(index, 4) * 4) * 3 + 1, day: 1)!
        case .year: LocalDate(year: index, month: 1, day: 1)!
        }
    }

    /// The index of the period holding `instant` (covered or not).
    public func index(ofInstant instant: Int64) -> Int { Self.index(of: calendar.localDate(of: instant), kind) }

    /// Whether period `index` is covered.
    public func covers(_ index: Int) -> Bool { index >= first && index <= last }

    /// The period's first instant (clipped to `from`).
    public func start(of index: Int) -> Int64 {
        max(calendar.instant(of: firstDay(of: index), secondsFromMidnight: 0), fromInstant)
    }

    /// The instant after the period (clipped to `to` and to just after `asOf`).
    public func end(of index: Int) -> Int64 {
        let next = calendar.instant(of: firstDay(of: index + 1), secondsFromMidnight: 0)
        return min(next, toEnd, asOf == .max ? .max : asOf + 1)
    }

    /// The covered period whose `[start, end)` holds `instant`, if any.
    public func period(holding instant: Int64) -> Int? {
        let i = index(ofInstant: instant)
        guard covers(i), instant >= start(of: i), instant < end(of: i) else { return nil }
        return i
    }

    /// The period's label, as `kpi` writes it: `2024-03-05`, `2024-03`, `2024-Q1`, `2024`.
    public func label(of index: Int) -> String { kind.label(firstDay(of: index)) }
}

private func floorDivision(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
