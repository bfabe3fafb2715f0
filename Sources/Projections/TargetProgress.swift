import DossierRules
import LedgerContract
import WorkingTime

extension TargetRate {
    /// The rate's numerator, in counts of the reports.
    public var numerator: ReportPart {
        switch self {
        case .onTimeRate: .dossiers([.processedEarly, .processedOnTime])
        case .onlineShare: .dossiers([.receivedOnlineOffered])
        case .onlinePaymentRate: .dossiers([.feePaidOnline])
        case .inputDigitisationRate: .dossiers([.receivedInputDigitised])
        case .resultDigitisationRate: .dossiers([.processedResultDigitised])
        case .stepOnTimeRate: .dossiers([.stepHeldWithinBudget])
        }
    }

    /// The rate's denominator, in counts of the reports.
    public var denominator: ReportPart {
        switch self {
        case .onTimeRate, .resultDigitisationRate: .dossiers([.processed])
        case .onlineShare: .dossiers([.receivedOffered])
        case .onlinePaymentRate: .dossiers([.feePaid])
        case .inputDigitisationRate: .dossiers([.received])
        case .stepOnTimeRate: .dossiers([.stepHeld])
        }
    }
}

/// Where a target stands.
public enum TargetStatus: String, Sendable, CaseIterable {
    /// The period has ended and the value reached the target.
    case met
    /// The period is under way and its projected value reaches the target.
    case onTrack = "on_track"
    /// The period is under way and its projected value falls short.
    case atRisk = "at_risk"
    /// The period has ended and the value fell short.
    case missed
    /// Nothing counted yet (a rate over zero dossiers), or an indicator not in the scorecard in force.
    case noData = "no_data"

    /// Met, or on course to be.
    public var isOnCourse: Bool { self == .met || self == .onTrack }
}

/// A target in force for a holder, a measure and a period, and how far it
/// has got at the instant asked.
public struct TargetProgress: Sendable, Equatable {
    /// The assignment in force (for a period it holds when `inherited`).
    public var assignment: TargetAssignment
    /// The period measured: the assignment's own, or one it holds.
    public var period: TargetPeriod
    public var numerator: Int64 = 0
    public var denominator: Int64 = 0
    /// The value so far (nil over zero).
    public var actual: Double?
    /// The value at the period's end at the pace so far (`TargetEvaluation`).
    public var projected: Double?
    public var status: TargetStatus = .noData
    public var periodEnded = false
    /// For an agency's row: its own officers and the agencies directly under
    /// it that have targets in the same period, and how many of them are on
    /// course (every target of theirs met or on track).
    public var officersOnCourse = 0, officersWithTargets = 0
    public var subUnitsOnCourse = 0, subUnitsWithTargets = 0

    public var target: Double { assignment.value }
    /// The value so far minus the target.
    public var gap: Double? { actual.map { $0 - assignment.value } }
    /// Whether the target was assigned for a period holding this one (a year's target read for a quarter).
    public var inherited: Bool { assignment.period != period }
}

/// Measures targets (`target.assigned`) against what the dossiers did: for
/// each row — an assignment and the period it is read for — the value so
/// far, the value projected to the period's end, and the status.
///
/// Values use the counts of the reports (`ReportCount`), like form 06a and
/// the scorecard: an agency's target is measured on the agency with the
/// agencies under it; an officer's on what the officer did (received,
/// processed while holding, held). Add every dossier (`add`), then read the
/// progress; memory is that of the tallies (holders × periods), not dossiers.
///
/// **Projection.** The value at the period's end is projected at the pace
/// of the last `paceDays` days: the counts so far plus, for the time left,
/// the counts of those days scaled to it (`n + n₃₀ × left ÷ 30 days` over
/// `d + d₃₀ × left ÷ 30 days`). Within a period's first `paceDays` days, for
/// an ended period, and for indicators that count (agency, procedure) pairs
/// or open dossiers (O1, O2, T1, P1), the projection is the value so far.
public struct TargetEvaluation {
    /// One target to measure: an assignment in force, read for `period`.
    public struct Row: Sendable, Equatable {
        public var assignment: TargetAssignment
        public var period: TargetPeriod
        public init(assignment: TargetAssignment, period: TargetPeriod) { self.assignment = assignment; self.period = period }
    }

    /// The days whose pace a projection assumes for the rest of a period.
    public static let paceDays = 30

    public let rows: [Row]
    /// The instant measured at: events after it are not counted.
    public let asOf: Int64
    private let calendar: WorkingCalendar
    private var tallies: [TargetPeriod.Kind: ReportTally] = [:]
    /// The last `paceDays` days up to `asOf` (whole local days; one period per calendar year they touch).
    private var window: ReportTally?

    /// - Parameter reference: the reference data the rows were chosen with (its calendar and scorecards).
    public init(rows: [Row], reference: ReferenceData, asOf: Int64) {
        self.rows = rows
        self.asOf = asOf
        let calendar = reference.calendar
        self.calendar = calendar
        for kind in Set(rows.map(\.period.kind)) {
            let ofKind = rows.filter { $0.period.kind == kind }
            let first = ofKind.map(\.period.days.first).min()!, last = ofKind.map { LocalDate(daysSinceEpoch: $0.period.days.next.daysSinceEpoch - 1) }.max()!
            tallies[kind] = ReportTally(periods: ReportPeriods(kind: Self.kpiPeriod(kind), calendar: calendar, from: first, to: last, asOf: asOf),
                                        byOfficer: Self.hasOfficers(ofKind), steps: Self.hasSteps(ofKind))
        }
        if rows.contains(where: { Self.paced($0, reference: reference, asOf: asOf) }) {
            let today = calendar.localDate(of: asOf)
            window = ReportTally(periods: ReportPeriods(kind: .year, calendar: calendar,
                                                        from: LocalDate(daysSinceEpoch: today.daysSinceEpoch - Self.paceDays), to: today, asOf: asOf),
                                 byOfficer: Self.hasOfficers(rows), steps: Self.hasSteps(rows))
        }
    }

    static func kpiPeriod(_ kind: TargetPeriod.Kind) -> KPIPeriod {
        switch kind {
        case .year: .year
        case .quarter: .quarter
        case .month: .month
        }
    }

    /// The period's index among `ReportPeriods` of its kind.
    static func index(of period: TargetPeriod) -> Int {
        ReportPeriods.index(of: period.days.first, kpiPeriod(period.kind))
    }

    /// Whether some row is an officer's (the tallies then keep officers' counts).
    private static func hasOfficers(_ rows: [Row]) -> Bool {
        rows.contains { if case .officer = $0.assignment.holder { true } else { false } }
    }

    /// Whether some row is on holds of steps (the tallies then count them).
    private static func hasSteps(_ rows: [Row]) -> Bool {
        rows.contains { $0.assignment.measure == .rate(.stepOnTimeRate) }
    }

    /// Whether the row's projection uses the pace of the last days: a
    /// period under way for more than `paceDays` days, on a measure that
    /// counts events (not pairs, nor dossiers open at the period's end).
    private static func paced(_ row: Row, reference: ReferenceData, asOf: Int64) -> Bool {
        let (start, end) = row.period.instants(reference.calendar)
        guard asOf < end, asOf - start > Int64(paceDays + 1) * 86_400 else { return false }
        if case .indicator(let code) = row.assignment.measure {
            guard let indicator = reference.scorecard(forPeriodEndingAt: asOf + 1).indicators.first(where: { $0.code == code }) else { return false }
            return !indicator.measure.countsPairs && indicator.measure != .onTimeShare
        }
        return true
    }

    /// Adds what `state` counts for; `reference` holds the procedure definition it was received under.
    public mutating func add(_ state: DossierState, reference: ReferenceData) {
        for kind in tallies.keys { tallies[kind]!.add(state, reference: reference) }
        window?.add(state, reference: reference)
    }

    /// The parts a measure is summed from in a period ending at `end` (nil:
    /// an indicator the scorecard in force then does not have).
    private static func parts(of measure: TargetMeasure, endingAt end: Int64, reference: ReferenceData) -> (ReportPart, ReportPart)? {
        switch measure {
        case .rate(let rate): return (rate.numerator, rate.denominator)
        case .indicator(let code):
            guard let indicator = reference.scorecard(forPeriodEndingAt: end).indicators.first(where: { $0.code == code }) else { return nil }
            return (indicator.measure.numerator, indicator.measure.denominator)
        }
    }

    /// Sums of each measure's numerator and denominator for every agency
    /// (rolled up) and officer and every period of `tally`, measures
    /// numbered as in `measures`.
    private struct Sums {
        var agencies: [ReportTally.RowKey: [Int64]]
        var officers: [ReportTally.RowKey: [Int64]] = [:]

        func values(of holder: TargetHolder, period: Int) -> [Int64]? {
            switch holder {
            case .agency(let a): agencies[ReportTally.RowKey(holder: a, period: period)]
            case .officer(let o): officers[ReportTally.RowKey(holder: o, period: period)]
            }
        }

        /// The sums over every period, by holder.
        func totals(of holder: TargetHolder) -> [Int64]? {
            let (table, code): ([ReportTally.RowKey: [Int64]], String) = switch holder {
            case .agency(let a): (agencies, a)
            case .officer(let o): (officers, o)
            }
            var total: [Int64]?
            for (key, values) in table where key.holder == code {
                total = total.map { zip($0, values).map { $0 + $1 } } ?? values
            }
            return total
        }
    }

    private static func sums(_ tally: ReportTally, measures: [TargetMeasure], reference: ReferenceData) -> Sums {
        let parts: (Int) -> [ReportPart] = { period in
            let end = tally.periods.end(of: period)
            return measures.flatMap { m -> [ReportPart] in
                guard let (n, d) = Self.parts(of: m, endingAt: end, reference: reference) else { return [.dossiers([]), .dossiers([])] }
                return [n, d]
            }
        }
        var out = Sums(agencies: tally.agencySums(reference: reference, rollup: true, parts: parts))
        if tally.byOfficer {
            out.officers = tally.officerSums { period in parts(period).map { if case .pairs = $0 { .dossiers([]) } else { $0 } } }
        }
        return out
    }

    /// Each row's progress, in the order of `rows`, with the roll-up counts on agencies' rows.
    public func progress(reference: ReferenceData) -> [TargetProgress] {
        let measures = Array(Set(rows.map(\.assignment.measure))).sorted { $0.description < $1.description }
        let measureIndex = Dictionary(uniqueKeysWithValues: measures.enumerated().map { ($1, $0) })
        var sumsByKind: [TargetPeriod.Kind: Sums] = [:]
        for (kind, tally) in tallies { sumsByKind[kind] = Self.sums(tally, measures: measures, reference: reference) }
        let windowSums = window.map { Self.sums($0, measures: measures, reference: reference) }
        let windowStart = window.map { $0.periods.start(of: $0.periods.first) } ?? asOf

        var out: [TargetProgress] = []
        for row in rows {
            var p = TargetProgress(assignment: row.assignment, period: row.period)
            let (start, end) = row.period.instants(calendar)
            p.periodEnded = end <= asOf + 1
            let m = measureIndex[row.assignment.measure]!
            let measurable = Self.parts(of: row.assignment.measure, endingAt: min(end, asOf + 1), reference: reference) != nil
            let values = sumsByKind[row.period.kind]?.values(of: row.assignment.holder, period: Self.index(of: row.period))
            p.numerator = values?[2 * m] ?? 0
            p.denominator = values?[2 * m + 1] ?? 0
            p.actual = measurable && p.denominator > 0 ? Double(p.numerator) / Double(p.denominator) : nil
            p.projected = p.actual
            if p.actual != nil, Self.paced(row, reference: reference, asOf: asOf) {
                let recent = windowSums?.totals(of: row.assignment.holder)
                let n = Double(recent?[2 * m] ?? 0), d = Double(recent?[2 * m + 1] ?? 0)
                let scale = Double(end - asOf - 1) / Double(max(1, asOf + 1 - max(windowStart, start)))
                let pd = Double(p.denominator) + d * scale
                if pd > 0 { p.projected = (Double(p.numerator) + n * scale) / pd }
            }
            p.status = Self.status(p)
            out.append(p)
        }
        Self.rollUp(&out, reference: reference)
        return out
    }

    /// A fraction reaches a target when it is not below it (a little rounding allowed).
    private static func reaches(_ value: Double, _ target: Double) -> Bool { value >= target - 1e-9 }

    private static func status(_ p: TargetProgress) -> TargetStatus {
        guard let actual = p.actual else { return .noData }
        if p.periodEnded { return reaches(actual, p.target) ? .met : .missed }
        return reaches(p.projected ?? actual, p.target) ? .onTrack : .atRisk
    }

    /// Fills the roll-up counts of agencies' rows from the other rows of the same period.
    private static func rollUp(_ rows: inout [TargetProgress], reference: ReferenceData) {
        struct HolderPeriod: Hashable { var holder: TargetHolder; var period: TargetPeriod }
        var onCourse: [HolderPeriod: Bool] = [:]
        for r in rows where r.status != .noData {
            let k = HolderPeriod(holder: r.assignment.holder, period: r.period)
            onCourse[k] = (onCourse[k] ?? true) && r.status.isOnCourse
        }
        for i in rows.indices {
            guard case .agency(let agency) = rows[i].assignment.holder else { continue }
            for (k, fine) in onCourse where k.period == rows[i].period {
                switch k.holder {
                case .officer(let o) where reference.officers[o]?.agency == agency:
                    rows[i].officersWithTargets += 1
                    if fine { rows[i].officersOnCourse += 1 }
                case .agency(let a) where reference.agencies[a]?.parent == agency:
                    rows[i].subUnitsWithTargets += 1
                    if fine { rows[i].subUnitsOnCourse += 1 }
                default: break
                }
            }
        }
    }

    /// The rows a query asks for. With `period`: each holder's target for
    /// that period — its own assignment, else that of the nearest period
    /// holding it (a quarter's, then the year's). Without: every assignment
    /// whose period holds `asOf`, each for its own period. `agency` keeps
    /// the targets of that agency, of the agencies under it and of their
    /// officers; `officer` keeps that officer's.
    public static func rows(reference: ReferenceData, asOf: Int64, period: TargetPeriod? = nil,
                            agency: String? = nil, officer: String? = nil) -> [Row] {
        func selected(_ holder: TargetHolder) -> Bool {
            if let officer { return holder == .officer(officer) }
            return agency.map { reference.holder(holder, isUnder: $0) } ?? true
        }
        let inForce = reference.targets(inForceAt: asOf).filter { selected($0.holder) }
        var out: [Row] = []
        if let period {
            struct HolderMeasure: Hashable { var holder: TargetHolder; var measure: TargetMeasure }
            var byKey: [TargetAssignment.Key: TargetAssignment] = [:]
            var pairs: [HolderMeasure] = []
            for t in inForce {
                byKey[t.key] = t
                let hm = HolderMeasure(holder: t.holder, measure: t.measure)
                if !pairs.contains(hm) { pairs.append(hm) }
            }
            for hm in pairs {
                for candidate in [period] + period.enclosing {
                    if let t = byKey[TargetAssignment.Key(holder: hm.holder, measure: hm.measure, period: candidate)] {
                        out.append(Row(assignment: t, period: period))
                        break
                    }
                }
            }
        } else {
            let current = Set(TargetPeriod.holding(reference.calendar.localDate(of: asOf)))
            out = inForce.filter { current.contains($0.period) }.map { Row(assignment: $0, period: $0.period) }
        }
        return out.sorted(by: precedes)
    }

    /// Agencies before officers, then by code, period and measure.
    static func precedes(_ a: Row, _ b: Row) -> Bool {
        func rank(_ h: TargetHolder) -> Int { if case .agency = h { 0 } else { 1 } }
        let ka = (rank(a.assignment.holder), a.assignment.holder.code), kb = (rank(b.assignment.holder), b.assignment.holder.code)
        if ka != kb { return ka < kb }
        if a.period != b.period { return a.period < b.period }
        return a.assignment.measure.description < b.assignment.measure.description
    }
}
