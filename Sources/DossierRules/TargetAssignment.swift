import LedgerContract
import WorkingTime

/// A rate a target can name besides the scorecard's indicators: the rates
/// of the KPI views by their output names, and the share of steps held
/// within their budget. Each is measured for an agency (with the agencies
/// under it) and, where an officer can be said to have done it, for an
/// officer (restricted to what the officer did).
public enum TargetRate: String, CaseIterable, Sendable {
    /// Processed early or on time ÷ processed (an officer: processed while holding the dossier).
    case onTimeRate
    /// Received online ÷ received, over procedures offered online (an officer: received by them).
    case onlineShare
    /// Fees paid online ÷ fees paid (agencies only).
    case onlinePaymentRate
    /// Received with the input digitised ÷ received (an officer: received by them).
    case inputDigitisationRate
    /// Processed with the result digitised ÷ processed (an officer: processed while holding).
    case resultDigitisationRate
    /// Holds of a step ended within the step's budget ÷ holds ended (an officer: their holds).
    case stepOnTimeRate

    /// Whether an officer can be given a target on it.
    public var measuredForOfficers: Bool { self != .onlinePaymentRate }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What a target is set on: a rate, or an indicator of the scorecard by its code.
public enum TargetMeasure: Hashable, Sendable, CustomStringConvertible {
    case rate(TargetRate)
    /// A scorecard indicator's code (`P1`, `O3`…); measured with the
    /// scorecard in force at the period's end, for agencies only.
    case indicator(String)

    public var description: String {
        switch self {
        case .rate(let r): r.rawValue
        case .indicator(let code): code
        }
    }
}

/// The period a target is for: a year (`2026`), a quarter (`2026-Q2`) or a
/// month (`2026-05`), in local time. The reports take the bounds of their
/// months, quarters and years from it too (`KPIPeriod.bounds`).
public struct TargetPeriod: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Kind: Int, Sendable, Comparable {
        case year, quarter, month
        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    public let kind: Kind
    public let year: Int
    /// The quarter (1–4) or month (1–12); 0 for a year.
    public let number: Int

    public init(year: Int, quarter: Int) { kind = .quarter; self.year = year; number = quarter }
    public init(year: Int, month: Int) { kind = .month; self.year = year; number = month }
    public init(year: Int) { kind = .year; self.year = year; number = 0 }

    /// Reads `2026`, `2026-Q2` or `2026-05`.
    public init?(_ text: String) {
        let u = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= u.count, range.allSatisfy({ u[$0] >= 0x30 && u[$0] <= 0x39 }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(u[$1] - 0x30) }
        }
        guard let year = digits(0..<4), WorkingCalendar.years.contains(year) else { return nil }
        switch u.count {
        case 4: self.init(year: year)
        case 7 where u[4] == UInt8(ascii: "-") && u[5] == UInt8(ascii: "Q"):
            guard let q = digits(6..<7), (1...4).contains(q) else { return nil }
            self.init(year: year, quarter: q)
        case 7 where u[4] == UInt8(ascii: "-"):
            guard let m = digits(5..<7), (1...12).contains(m) else { return nil }
            self.init(year: year, month: m)
        default: return nil
        }
    }

    public var description: String {
        switch kind {
        case .year: "\(year)"
        case .quarter: "\(year)-Q\(number)"
        case .month: number < 10 ? "\(year)-0\(number)" : "\(year)-\(number)"
        }
    }

    /// The first day, and the first day after the period.
    public var days: (first: LocalDate, next: LocalDate) {
        switch kind {
        case .year: (LocalDate(year: year, month: 1, day: 1)!, LocalDate(year: year + 1, month: 1, day: 1)!)
        case .quarter:
            (LocalDate(year: year, month: 3 * number - 2, day: 1)!,
             number == 4 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: 3 * number + 1, day: 1)!)
        case .month:
            (LocalDate(year: year, month: number, day: 1)!,
             number == 12 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: number + 1, day: 1)!)
        }
    }

    /// The period's first instant and the instant after it, in `calendar`'s local time.
    public func instants(_ calendar: WorkingCalendar) -> (start: Int64, end: Int64) {
        let d = days
        return (calendar.instant(of: d.first, secondsFromMidnight: 0), calendar.instant(of: d.next, secondsFromMidnight: 0))
    }

    /// The periods holding this one, nearest first: a month's quarter and year, a quarter's year.
    public var enclosing: [TargetPeriod] {
        switch kind {
        case .year: []
        case .quarter: [TargetPeriod(year: year)]
        case .month: [TargetPeriod(year: year, quarter: (number - 1) / 3 + 1), TargetPeriod(year: year)]
        }
    }

    /// The year, quarter and month holding `date`.
    public static func holding(_ date: LocalDate) -> [TargetPeriod] {
        [TargetPeriod(year: date.year), TargetPeriod(year: date.year, quarter: (date.month - 1) / 3 + 1),
         TargetPeriod(year: date.year, month: date.month)]
    }

    public static func < (a: TargetPeriod, b: TargetPeriod) -> Bool {
        (a.days.first.daysSinceEpoch, a.kind) < (b.days.first.daysSinceEpoch, b.kind)
    }
}

/// Who a target is given to.
public enum TargetHolder: Hashable, Sendable {
    case agency(String)
    case officer(String)

    public var code: String {
        switch self {
        case .agency(let c), .officer(let c): c
        }
    }
}

/// A `target.assigned`: a value a holder is to reach on a measure over a
/// period. A later assignment for the same holder, measure and period
/// replaces it from its `at` on.
public struct TargetAssignment: Sendable, Equatable {
    public var holder: TargetHolder
    public var measure: TargetMeasure
    /// A fraction in [0, 1].
    public var value: Double
    public var period: TargetPeriod
    /// The `at` of the assignment (Unix seconds), from which it is in force.
    public var effectiveFrom: Int64
    public var seq: UInt64

    /// What a later assignment replaces: the same holder, measure and period.
    public struct Key: Hashable, Sendable {
        public var holder: TargetHolder
        public var measure: TargetMeasure
        public var period: TargetPeriod
        public init(holder: TargetHolder, measure: TargetMeasure, period: TargetPeriod) {
            self.holder = holder
            self.measure = measure
            self.period = period
        }
    }

    public var key: Key { Key(holder: holder, measure: measure, period: period) }
}

extension ReferenceData {
    /// Reads and checks the `data` of a `target.assigned` against the reference data so far.
    /// - Throws: `RuleViolation` naming the field and the rule broken.
    func targetAssignment(_ d: JSONObject, at: Int64, seq: UInt64) throws(RuleViolation) -> TargetAssignment {
        let agency = try d.optionalString("agency"), officer = try d.optionalString("officer")
        let holder: TargetHolder
        switch (agency, officer) {
        case let (a?, nil):
            guard agencies[a] != nil else { throw RuleViolation("data.agency \"\(a)\" is not a registered agency") }
            holder = .agency(a)
        case let (nil, o?):
            guard officers[o] != nil else { throw RuleViolation("data.officer \"\(o)\" is not a registered officer") }
            holder = .officer(o)
        default:
            throw RuleViolation("target.assigned needs exactly one of data.agency and data.officer")
        }
        let name = try d.requiredString("measure")
        let measure: TargetMeasure
        if let rate = TargetRate(rawValue: name) {
            if case .officer = holder, !rate.measuredForOfficers {
                throw RuleViolation("data.measure \(name) is measured for agencies only, not for an officer")
            }
            measure = .rate(rate)
        } else if knownIndicatorCodes.contains(name) {
            if case .officer = holder {
                throw RuleViolation("data.measure \(name) is a scorecard indicator, measured for agencies only, not for an officer")
            }
            measure = .indicator(name)
        } else {
            throw RuleViolation("data.measure \"\(name)\" is not a known measure (rates: \(TargetRate.allNames); scorecard indicators: \(knownIndicatorCodes.sorted().joined(separator: ", ")))")
        }
        guard let value = d["value"]?.numberValue, value.isFinite, value >= 0, value <= 1 else {
            throw RuleViolation("data.value must be a fraction from 0 to 1, e.g. 0.8 for 80 %")
        }
        let periodText = try d.requiredString("period")
        guard let period = TargetPeriod(periodText) else {
            throw RuleViolation("data.period \"\(periodText)\" must be a year, quarter or month like 2026, 2026-Q2 or 2026-05")
        }
        return TargetAssignment(holder: holder, measure: measure, value: value, period: period, effectiveFrom: at, seq: seq)
    }

    /// Whether `holder` is `agency`, an agency under it, or an officer of one of them.
    public func holder(_ holder: TargetHolder, isUnder agency: String) -> Bool {
        switch holder {
        case .agency(let a): lineage(of: a).contains(agency)
        case .officer(let o): officers[o].map { lineage(of: $0.agency).contains(agency) } ?? false
        }
    }

    /// The codes of the indicators of the national scorecard and of every `scorecard.defined` so far.
    public var knownIndicatorCodes: Set<String> {
        Set(([ScorecardRules.national] + scorecards).flatMap { $0.indicators.map(\.code) })
    }

    /// The assignments in force at `instant`: for each holder, measure and
    /// period, the last assignment whose `at` is not after it.
    /// - Complexity: O(assignments).
    public func targets(inForceAt instant: Int64) -> [TargetAssignment] {
        var latest: [TargetAssignment.Key: Int] = [:]
        for (i, t) in targets.enumerated() where t.effectiveFrom <= instant { latest[t.key] = i }
        return latest.values.sorted().map { targets[$0] }
    }
}
