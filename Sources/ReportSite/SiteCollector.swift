import Audit
import DossierRules
import Projections
import WorkingTime

/// The `limit` best of the elements offered, by `before` (best first), and
/// how many were offered: what a page lists, bounded.
struct BoundedList<Element> {
    let limit: Int
    let before: (Element, Element) -> Bool
    private(set) var items: [Element] = []
    private(set) var total = 0

    init(limit: Int, before: @escaping (Element, Element) -> Bool) {
        self.limit = limit
        self.before = before
    }

    mutating func offer(_ element: Element) {
        total += 1
        if items.count == limit {
            guard let last = items.last, before(element, last) else { return }
            items.removeLast()
        }
        let at = items.firstIndex { before(element, $0) } ?? items.count
        items.insert(element, at: at)
    }
}

/// A dossier processed late in the period shown.
struct LateDossier {
    var dossier: String
    var agency: String
    var procedure: String?
    var dueAt: Int64
    var processedAt: Int64
    /// Working seconds from the due instant to processing.
    var lateSeconds: Int64

    static func worseFirst(_ a: LateDossier, _ b: LateDossier) -> Bool {
        (a.lateSeconds, b.dossier) > (b.lateSeconds, a.dossier)
    }
}

/// An officer's holds that began in the period shown.
struct OfficerHolds {
    var steps = 0
    var stepsOverBudget = 0
    var overBudgetSeconds: Int64 = 0
    var heldSeconds: Int64 = 0
}

/// What the site shows, gathered in one visit of every dossier (live, or a
/// replay): the report counts of every period, and for the period shown
/// (the last) the bounded lists pages link to.
///
/// Memory: O(agencies × procedures × periods + officers + agencies × lists × limit), not
/// O(dossiers): each dossier is added and let go.
struct SiteCollector {
    let reference: ReferenceData
    let asOf: Int64
    let limit: Int
    /// Every period up to `asOf`.
    let periods: ReportPeriods
    /// The period shown: the last one.
    let shown: ReportPeriods
    var tally: ReportTally
    /// Per agency (with the agencies under it): deadline warnings by bucket, and the most urgent overdue and due soon.
    var bucketCounts: [String: [DeadlineBucket: Int]] = [:]
    var overdue: [String: BoundedList<DeadlineWarning>] = [:]
    var dueSoon: [String: BoundedList<DeadlineWarning>] = [:]
    /// Per agency (with the agencies under it): processed late in the period shown, latest first.
    var late: [String: BoundedList<LateDossier>] = [:]
    /// Per agency (with the agencies under it) and indicator code: dossiers that cost points in the period shown.
    var costs: [String: [String: BoundedList<String>]] = [:]
    /// Per agency (with the agencies under it): violations by code as of `asOf`; and examples for the whole province.
    var violationCounts: [String: [Violation.Code: Int]] = [:]
    var violationExamples: [Violation.Code: BoundedList<Violation>] = [:]
    /// Per officer: holds begun in the period shown.
    var officerHolds: [String: OfficerHolds] = [:]
    private var lineages: [String: [String]] = [:]
    private let costParts: [(code: String, numerator: [ReportCount], denominator: [ReportCount])]

    init(reference: ReferenceData, kind: KPIPeriod, asOf: Int64, limit: Int) {
        self.reference = reference
        self.asOf = asOf
        self.limit = limit
        periods = ReportPeriods(kind: kind, calendar: reference.calendar, asOf: asOf)
        shown = ReportPeriods(kind: kind, calendar: reference.calendar, from: periods.firstDay(of: periods.last), asOf: asOf)
        tally = ReportTally(periods: periods)
        let rules = reference.scorecard(forPeriodEndingAt: shown.end(of: shown.last))
        costParts = rules.indicators.compactMap { i in
            guard case .dossiers(let n) = i.measure.numerator, case .dossiers(let d) = i.measure.denominator else { return nil }
            return (i.code, n, d)
        }
    }

    /// The indicators whose dossiers that cost points are listed (pair indicators count procedures, not dossiers).
    var costIndicators: Set<String> { Set(costParts.map(\.code)) }

    private mutating func lineage(of agency: String) -> [String] {
        if let known = lineages[agency] { return known }
        let chain = reference.lineage(of: agency)
        let out = chain.isEmpty ? [agency] : chain
        lineages[agency] = out
        return out
    }

    mutating func add(_ state: DossierState, reference dossierReference: ReferenceData) {
        tally.add(state, reference: dossierReference)
        guard let agency = state.agency, state.receivedAt != nil else { return }
        let calendar = reference.calendar
        let chain = lineage(of: agency)
        let limit = self.limit

        if let w = state.deadlineWarning(at: asOf, reference: dossierReference) {
            for a in chain {
                bucketCounts[a, default: [:]][w.bucket, default: 0] += 1
                switch w.bucket {
                case .overdue: overdue[a, default: BoundedList(limit: limit, before: DeadlineWarning.moreUrgent)].offer(w)
                case .dueSoon: dueSoon[a, default: BoundedList(limit: limit, before: DeadlineWarning.moreUrgent)].offer(w)
                case .notDue: break
                }
            }
        }

        if let processedAt = state.processedAt, shown.period(holding: processedAt) != nil,
           let due = state.dueInstant(calendar: calendar), processedAt > due,
           state.outcome(calendar: calendar) == .late {
            let line = LateDossier(dossier: state.code, agency: agency, procedure: state.procedure, dueAt: due, processedAt: processedAt,
                                   lateSeconds: calendar.workingSeconds(from: due, to: processedAt))
            for a in chain { late[a, default: BoundedList(limit: limit, before: LateDossier.worseFirst)].offer(line) }
        }

        // Which counts of the period shown this dossier has: it costs an indicator's points when
        // it is in the denominator and not in the numerator.
        var mask: UInt64 = 0
        let definition = state.procedure.flatMap { dossierReference.procedure($0, definedBy: state.procedureSeq) }
        state.forEachReportCount(in: shown, definition: definition) { _, what, _, _, _ in mask |= 1 << UInt64(what.rawValue) }
        if mask != 0 {
            func has(_ kinds: [ReportCount]) -> Bool { kinds.contains { mask & (1 << UInt64($0.rawValue)) != 0 } }
            for part in costParts where has(part.denominator) && !has(part.numerator) {
                for a in chain { costs[a, default: [:]][part.code, default: BoundedList(limit: limit, before: <)].offer(state.code) }
            }
        }

        let violations = state.violations(reference: dossierReference, asOf: asOf)
        for v in violations {
            for a in chain { violationCounts[a, default: [:]][v.code, default: 0] += 1 }
            violationExamples[v.code, default: BoundedList(limit: 5, before: { ($0.dossier, $0.evidence.first ?? 0) < ($1.dossier, $1.evidence.first ?? 0) })].offer(v)
        }

        for h in HoldRecord.holds(of: state, reference: dossierReference, asOf: asOf,
                                  from: shown.start(of: shown.last), to: shown.end(of: shown.last)) {
            var o = officerHolds[h.officer] ?? OfficerHolds()
            o.steps += 1
            o.heldSeconds += h.heldSeconds
            if h.overBudgetSeconds > 0 {
                o.stepsOverBudget += 1
                o.overBudgetSeconds += h.overBudgetSeconds
            }
            officerHolds[h.officer] = o
        }
    }
}
