import DossierRules
import WorkingTime

/// What one side of a scorecard ratio counts (REPORTS.md §2): dossiers (or
/// fees) of some `ReportCount`s, or (agency, procedure) pairs having at
/// least one of each of some counts.
public enum ReportPart: Sendable, Equatable {
    /// The sum of these counts.
    case dossiers([ReportCount])
    /// The pairs whose dossiers have each of `having` at least once; each is
    /// listed by its first dossier counted `listedBy`.
    case pairs(having: [ReportCount], listedBy: ReportCount)
}

extension ScorecardMeasure {
    /// The ratio's numerator, in counts of the reports.
    public var numerator: ReportPart {
        switch self {
        case .onTimeShare: .dossiers([.processedOnTimeForPortal, .inProgressNotDue, .pausedNotDue])
        case .proceduresOnline: .pairs(having: [.receivedOffered], listedBy: .receivedOffered)
        case .onlineServicesUsed: .pairs(having: [.receivedOffered, .receivedOnline], listedBy: .receivedOnline)
        case .onlineDossierShare: .dossiers([.receivedOnlineOffered])
        case .proceduresPaidOnline: .pairs(having: [.feePaidOnline], listedBy: .feePaidOnline)
        case .feesPaidOnlineShare: .dossiers([.feePaidOnline])
        case .resultDigitised: .dossiers([.processedResultDigitised])
        case .inputDigitised: .dossiers([.receivedInputDigitised])
        case .satisfaction: .dossiers([.processedSatisfied])
        }
    }

    /// The ratio's denominator, in counts of the reports.
    public var denominator: ReportPart {
        switch self {
        case .onTimeShare: .dossiers([.processed, .inProgressNotDue, .inProgressOverdue, .pausedNotDue, .pausedOverdue])
        case .proceduresOnline: .pairs(having: [.received], listedBy: .received)
        case .onlineServicesUsed: .pairs(having: [.receivedOffered], listedBy: .receivedOffered)
        case .onlineDossierShare: .dossiers([.receivedOffered])
        case .proceduresPaidOnline: .pairs(having: [.feePaid], listedBy: .feePaid)
        case .feesPaidOnlineShare: .dossiers([.feePaid])
        case .resultDigitised, .satisfaction: .dossiers([.processed])
        case .inputDigitised: .dossiers([.received])
        }
    }
}

extension ReportPart {
    /// The part's value over one (agency, procedure, period)'s counts.
    func value(_ counts: UnsafeBufferPointer<Int64>) -> Int64 {
        switch self {
        case .dossiers(let kinds): kinds.reduce(0) { $0 + counts[$1.rawValue] }
        case .pairs(let having, _): having.allSatisfy { counts[$0.rawValue] > 0 } ? 1 : 0
        }
    }
}

/// One row of form 06a (REPORTS.md §1): an agency (with the agencies under
/// it when rolled up), optionally one procedure, over one period.
public struct Form06aRow: Sendable, Equatable {
    public var agency: String
    /// With `--by procedure`.
    public var procedure: String?
    public var periodIndex: Int
    public var period: String
    /// The twelve columns, in `ReportCount.form06a` order.
    public var columns: [Int64]

    public subscript(_ c: ReportCount) -> Int64 { columns[c.rawValue] }

    /// `carriedOver + received = processed + endedOtherwise + inProgress + paused`.
    public var balances: Bool {
        let c = columns
        return c[0] + c[1] + c[2] + c[3] == c[4] + c[5] + c[6] + c[7] + c[8] + c[9] + c[10] + c[11]
    }
}

/// One indicator of a scorecard row.
public struct IndicatorScore: Sendable, Equatable {
    public var indicator: ScorecardIndicator
    public var numerator: Int64
    public var denominator: Int64
    /// nil over zero.
    public var ratio: Double? { denominator > 0 ? Double(numerator) / Double(denominator) : nil }
    /// nil when not measured (zero denominator).
    public var points: Double? { indicator.points(at: ratio) }
}

/// The scorecard of an agency (with the agencies under it when rolled up)
/// for one period (REPORTS.md §2).
public struct ScorecardRow: Sendable {
    public var agency: String
    public var periodIndex: Int
    public var period: String
    /// The rules in force at the period's end.
    public var rules: ScorecardRules
    public var indicators: [IndicatorScore]
    /// Position among the period's rows by `scorePercent`, then score (1: best).
    public var rank = 0

    public var score: Double { indicators.reduce(0) { $0 + ($1.points ?? 0) } }
    /// The points of the indicators measured (a ratio over zero leaves the maximum).
    public var measuredMax: Double { indicators.reduce(0) { $0 + ($1.points == nil ? 0 : $1.indicator.points) } }
    public var scorePercent: Double { measuredMax > 0 ? 100 * score / measuredMax : 0 }
    public var band: String { rules.band(scorePercent: scorePercent) }
    /// Points per group, in the order the rules first name each group.
    public var groups: [(name: String, points: Double)] {
        var out: [(name: String, points: Double)] = []
        for s in indicators {
            if let i = out.firstIndex(where: { $0.name == s.indicator.group }) { out[i].points += s.points ?? 0 } else {
                out.append((s.indicator.group, s.points ?? 0))
            }
        }
        return out
    }
}

/// The counts of `ReportCount` a set of dossiers adds to each
/// (agency, procedure, period) of some `ReportPeriods` — and, when asked,
/// to each (officer, period) — from which form 06a rows, scorecard rows and
/// target progress are summed (with roll-up to parent agencies).
///
/// Memory is O(agencies × procedures × periods + officers × periods) with
/// dossiers, whatever their number: dossiers are added one at a time and
/// not kept.
public struct ReportTally {
    public let periods: ReportPeriods
    /// Whether counts are also kept per officer (`officerSums`).
    public let byOfficer: Bool
    /// Whether holds of steps are counted against their budgets (`ReportCount.stepHeld`).
    public let steps: Bool
    private var agencies = NumberedKeys<String>()
    private var procedures = NumberedKeys<String>()
    private struct SlotKey: Hashable { var agency: Int32; var procedure: Int32; var period: Int }
    private var slots = NumberedKeys<SlotKey>()
    /// Counts of slot `i`: `counts[i * width ..< (i + 1) * width]`.
    private var counts: [Int64] = []
    private var officers = NumberedKeys<String>()
    private struct OfficerSlotKey: Hashable { var officer: Int32; var period: Int }
    private var officerSlots = NumberedKeys<OfficerSlotKey>()
    private var officerCounts: [Int64] = []
    private static let width = ReportCount.allCases.count
    private var definitions = ProcedureDefinitions()

    public init(periods: ReportPeriods, byOfficer: Bool = false, steps: Bool = false) {
        self.periods = periods
        self.byOfficer = byOfficer
        self.steps = steps
    }

    /// Adds what `state` counts for; `reference` holds the procedure
    /// definition it was received under.
    /// - Complexity: O(events of the dossier + periods it was open across).
    public mutating func add(_ state: DossierState, reference: ReferenceData) {
        guard let agency = state.agency, state.receivedAt != nil else { return }
        let a = Int32(agencies.number(of: agency).number)
        let p = Int32(procedures.number(of: state.procedure ?? "").number)
        let definition = definitions.definition(of: state, reference: reference)
        var lastPeriod = Int.min, lastSlot = 0
        state.forEachReportCount(in: periods, definition: definition, steps: steps) { period, what, _, _, officer in
            if period != lastPeriod {
                let (slot, isNew) = slots.number(of: SlotKey(agency: a, procedure: p, period: period))
                if isNew { counts.append(contentsOf: repeatElement(0, count: Self.width)) }
                lastPeriod = period
                lastSlot = slot
            }
            counts[lastSlot * Self.width + what.rawValue] += 1
            if byOfficer, let officer {
                let o = Int32(officers.number(of: officer).number)
                let (slot, isNew) = officerSlots.number(of: OfficerSlotKey(officer: o, period: period))
                if isNew { officerCounts.append(contentsOf: repeatElement(0, count: Self.width)) }
                officerCounts[slot * Self.width + what.rawValue] += 1
            }
        }
    }

    /// The agencies a count of `agency` is reported under: itself, and with
    /// `rollup` every agency above it; only `only` when given.
    static func rowAgencies(of agency: String, rollup: Bool, only: String?, reference: ReferenceData) -> [String] {
        let chain = rollup ? reference.lineage(of: agency) : [agency]
        let all = chain.isEmpty ? [agency] : chain
        return only.map { wanted in all.filter { $0 == wanted } } ?? all
    }

    private func withCounts<R>(ofSlot slot: Int, _ body: (UnsafeBufferPointer<Int64>) -> R) -> R {
        counts.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[slot * Self.width ..< (slot + 1) * Self.width])) }
    }

    /// A holder (agency or officer) and a period index.
    public struct RowKey: Hashable, Sendable {
        public var holder: String
        public var period: Int
    }

    /// The value of each of `parts(period)` for each row of an agency (with
    /// the agencies under it when `rollup`) and period: sums of counts, and
    /// for pair parts the number of (agency, procedure) pairs that qualify.
    public func agencySums(reference: ReferenceData, agency only: String? = nil, rollup: Bool,
                           parts: (_ period: Int) -> [ReportPart]) -> [RowKey: [Int64]] {
        var sums: [RowKey: [Int64]] = [:]
        var partsOf: [Int: [ReportPart]] = [:]
        for slot in 0..<slots.count {
            let key = slots[slot]
            if partsOf[key.period] == nil { partsOf[key.period] = parts(key.period) }
            let list = partsOf[key.period]!
            withCounts(ofSlot: slot) { c in
                for rowAgency in Self.rowAgencies(of: agencies[Int(key.agency)], rollup: rollup, only: only, reference: reference) {
                    let k = RowKey(holder: rowAgency, period: key.period)
                    var values = sums[k] ?? [Int64](repeating: 0, count: list.count)
                    for (i, part) in list.enumerated() { values[i] += part.value(c) }
                    sums[k] = values
                }
            }
        }
        return sums
    }

    /// The value of each of `parts(period)` (parts over dossiers: pairs are
    /// agencies' business) for each officer and period; needs `byOfficer`.
    public func officerSums(parts: (_ period: Int) -> [ReportPart]) -> [RowKey: [Int64]] {
        var sums: [RowKey: [Int64]] = [:]
        officerCounts.withUnsafeBufferPointer { all in
            for slot in 0..<officerSlots.count {
                let key = officerSlots[slot]
                let c = UnsafeBufferPointer(rebasing: all[slot * Self.width ..< (slot + 1) * Self.width])
                sums[RowKey(holder: officers[Int(key.officer)], period: key.period)] = parts(key.period).map { $0.value(c) }
            }
        }
        return sums
    }

    /// Every non-zero count by the dossier's own agency, procedure ("" for none) and period index.
    public func forEachCount(_ body: (_ agency: String, _ procedure: String, _ period: Int, _ count: ReportCount, _ value: Int64) throws -> Void) rethrows {
        for slot in 0..<slots.count {
            let key = slots[slot]
            for count in ReportCount.allCases {
                let value = counts[slot * Self.width + count.rawValue]
                if value != 0 { try body(agencies[Int(key.agency)], procedures[Int(key.procedure)], key.period, count, value) }
            }
        }
    }

    /// The form 06a rows, by agency, period and (with `byProcedure`)
    /// procedure; rows whose twelve columns are all zero are left out.
    public func form06aRows(reference: ReferenceData, agency only: String? = nil, rollup: Bool = false,
                            byProcedure: Bool = false) -> [Form06aRow] {
        struct Key: Hashable { var agency: String; var procedure: String?; var period: Int }
        var rows: [Key: [Int64]] = [:]
        for slot in 0..<slots.count {
            let key = slots[slot]
            let procedure = byProcedure ? procedures[Int(key.procedure)] : nil
            withCounts(ofSlot: slot) { c in
                for rowAgency in Self.rowAgencies(of: agencies[Int(key.agency)], rollup: rollup, only: only, reference: reference) {
                    let k = Key(agency: rowAgency, procedure: procedure, period: key.period)
                    var columns = rows[k] ?? [Int64](repeating: 0, count: ReportCount.form06a.count)
                    for column in ReportCount.form06a { columns[column.rawValue] += c[column.rawValue] }
                    rows[k] = columns
                }
            }
        }
        return rows.filter { $0.value.contains { $0 != 0 } }
            .map { Form06aRow(agency: $0.key.agency, procedure: $0.key.procedure, periodIndex: $0.key.period,
                              period: periods.label(of: $0.key.period), columns: $0.value) }
            .sorted { ($0.agency, $0.periodIndex, $0.procedure ?? "") < ($1.agency, $1.periodIndex, $1.procedure ?? "") }
    }

    /// The scorecard rows, each period scored with the rules in force at its
    /// end (`ReferenceData.scorecard(forPeriodEndingAt:)`), ranked within
    /// each period; an agency and period with nothing measured has no row.
    public func scorecardRows(reference: ReferenceData, agency only: String? = nil, rollup: Bool = false) -> [ScorecardRow] {
        func rules(_ period: Int) -> ScorecardRules { reference.scorecard(forPeriodEndingAt: periods.end(of: period)) }
        let sums = agencySums(reference: reference, agency: only, rollup: rollup) { period in
            rules(period).indicators.flatMap { [$0.measure.numerator, $0.measure.denominator] }
        }
        var rows: [ScorecardRow] = []
        for (key, values) in sums {
            let r = rules(key.period)
            let scores = r.indicators.enumerated().map { i, indicator in
                IndicatorScore(indicator: indicator, numerator: values[2 * i], denominator: values[2 * i + 1])
            }
            guard scores.contains(where: { $0.ratio != nil }) else { continue }
            rows.append(ScorecardRow(agency: key.holder, periodIndex: key.period, period: periods.label(of: key.period),
                                     rules: r, indicators: scores))
        }
        rows.sort { a, b in
            if a.periodIndex != b.periodIndex { return a.periodIndex < b.periodIndex }
            if a.scorePercent != b.scorePercent { return a.scorePercent > b.scorePercent }
            if a.score != b.score { return a.score > b.score }
            return a.agency < b.agency
        }
        var rank = 0, period = Int.min
        for i in rows.indices {
            if rows[i].periodIndex != period { period = rows[i].periodIndex; rank = 0 }
            rank += 1
            rows[i].rank = rank
        }
        return rows
    }
}
