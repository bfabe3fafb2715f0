import DossierRules
import WorkingTime

/// One dossier behind a figure of a report: why it is counted in that
/// agency's row for that period.
public struct ExplainedCount: Sendable, Equatable {
    /// The row's agency (with `rollup`, possibly an agency above the dossier's).
    public var agency: String
    public var period: String
    public var periodIndex: Int
    /// `numerator` or `denominator` for a scorecard indicator; the column for form 06a.
    public var part: String
    /// What the dossier is counted as.
    public var count: ReportCount
    public var dossier: String
    /// The dossier's own agency and procedure.
    public var dossierAgency: String
    public var procedure: String?
    /// The instant and seq of the event that put it there.
    public var at: Int64
    public var seq: UInt64
    /// The due instant as known at the time counted (nil while the clock was stopped).
    public var dueAt: Int64?
}

/// Lists the dossiers behind figures of form 06a or of the scorecard, with
/// the same counts the figures are summed from (`forEachReportCount`), so
/// that a figure and its list always agree: a part over dossiers lists each
/// dossier (or fee) once per count, a part over (agency, procedure) pairs
/// lists each pair once, by its first dossier counted as the part says.
///
/// Memory: the lines listed, plus one entry per pair for pair parts.
public struct ReportExplainer {
    public let periods: ReportPeriods
    private let agency: String?
    private let rollup: Bool
    /// The parts to list in period `index`: their names and what they count.
    private let parts: (Int) -> [(name: String, part: ReportPart)]
    private var definitions = ProcedureDefinitions()
    public private(set) var lines: [ExplainedCount] = []

    private struct PairKey: Hashable { var rowAgency: String; var period: Int; var part: String; var agency: String; var procedure: String }
    /// For each pair of a pair part: which of its `having` counts were seen, and its first `listedBy` count.
    private var pairs: [PairKey: (seen: Set<ReportCount>, first: ExplainedCount?)] = [:]
    private var pairParts: [PairKey: [ReportCount]] = [:]

    /// - Parameters:
    ///   - agency: only the rows of this agency (nil: every agency).
    ///   - rollup: rows of each agency hold the dossiers of the agencies under it.
    ///   - parts: what to list in each period (a scorecard's indicator may differ between periods' rules).
    public init(periods: ReportPeriods, agency: String?, rollup: Bool, parts: @escaping (Int) -> [(name: String, part: ReportPart)]) {
        self.periods = periods
        self.agency = agency
        self.rollup = rollup
        self.parts = parts
    }

    public mutating func add(_ state: DossierState, reference: ReferenceData) {
        guard let dossierAgency = state.agency, state.receivedAt != nil else { return }
        let rowAgencies = ReportTally.rowAgencies(of: dossierAgency, rollup: rollup, only: agency, reference: reference)
        guard !rowAgencies.isEmpty else { return }
        let calendar = periods.calendar
        let definition = definitions.definition(of: state, reference: reference)
        var partsOfPeriod: (period: Int, parts: [(name: String, part: ReportPart)]) = (.min, [])
        state.forEachReportCount(in: periods, definition: definition) { period, what, at, seq, _ in
            if partsOfPeriod.period != period { partsOfPeriod = (period, parts(period)) }
            for (name, part) in partsOfPeriod.parts {
                let due: Int64? = switch what {
                case .carriedOver: state.dueInstant(knownBefore: periods.start(of: period), calendar: calendar)
                case .inProgressNotDue, .inProgressOverdue, .pausedNotDue, .pausedOverdue:
                    state.dueInstant(knownBefore: periods.end(of: period), calendar: calendar)
                default: state.dueInstant(calendar: calendar)
                }
                for rowAgency in rowAgencies {
                    let line = ExplainedCount(agency: rowAgency, period: periods.label(of: period), periodIndex: period, part: name,
                                              count: what, dossier: state.code, dossierAgency: dossierAgency,
                                              procedure: state.procedure, at: at, seq: seq, dueAt: due)
                    switch part {
                    case .dossiers(let kinds):
                        if kinds.contains(what) { lines.append(line) }
                    case .pairs(let having, let listedBy):
                        guard having.contains(what) || what == listedBy else { continue }
                        let key = PairKey(rowAgency: rowAgency, period: period, part: name, agency: dossierAgency, procedure: state.procedure ?? "")
                        var entry = pairs[key] ?? ([], nil)
                        if having.contains(what) { entry.seen.insert(what) }
                        if what == listedBy, entry.first.map({ (at, seq) < ($0.at, $0.seq) }) ?? true { entry.first = line }
                        pairs[key] = entry
                        pairParts[key] = having
                    }
                }
            }
        }
    }

    /// Everything listed: by agency, period, part, then instant and seq.
    public func explained() -> [ExplainedCount] {
        var out = lines
        for (key, entry) in pairs {
            guard let first = entry.first, pairParts[key]!.allSatisfy(entry.seen.contains) else { continue }
            out.append(first)
        }
        return out.sorted { a, b in
            (a.agency, a.periodIndex, a.part, a.at, a.seq, a.count.rawValue) < (b.agency, b.periodIndex, b.part, b.at, b.seq, b.count.rawValue)
        }
    }
}
