import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import WorkingTime

/// The periods a KPI table can be summed over.
public enum KPIPeriod: String, Sendable, CaseIterable {
    case day, month, quarter, year

    /// The period's label for a local date: `2024-03-05`, `2024-03`, `2024-Q1`, `2024`.
    public func label(_ d: LocalDate) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch self {
        case .day: return d.description
        case .month: return "\(d.year)-\(two(d.month))"
        case .quarter: return "\(d.year)-Q\((d.month - 1) / 3 + 1)"
        case .year: return "\(d.year)"
        }
    }

    /// The first day of the period holding `d`, and the first day after it.
    public func bounds(_ d: LocalDate) -> (start: LocalDate, next: LocalDate) {
        let period: TargetPeriod
        switch self {
        case .day: return (d, LocalDate(daysSinceEpoch: d.daysSinceEpoch + 1))
        case .month: period = TargetPeriod(year: d.year, month: d.month)
        case .quarter: period = TargetPeriod(year: d.year, quarter: (d.month - 1) / 3 + 1)
        case .year: period = TargetPeriod(year: d.year)
        }
        let days = period.days
        return (days.first, days.next)
    }
}

/// Colour bands of a rate: green ≥ 90 %, yellow ≥ 75 %, orange ≥ 50 %, red
/// below (configurable per KPI).
public struct BandThresholds: Sendable, Equatable {
    public var green = 0.90
    public var yellow = 0.75
    public var orange = 0.50
    public init() {}
    public init(green: Double, yellow: Double, orange: Double) { self.green = green; self.yellow = yellow; self.orange = orange }

    public enum Band: String, Sendable { case green, yellow, orange, red }

    /// nil for a rate over zero dossiers.
    public func band(_ rate: Double?) -> Band? {
        guard let rate else { return nil }
        if rate >= green { return .green }
        if rate >= yellow { return .yellow }
        if rate >= orange { return .orange }
        return .red
    }
}

/// One line of a KPI table.
public struct KPIRow: Sendable {
    public var agency: String
    public var period: String
    public var counters: KPICounters

    public init(agency: String, period: String, counters: KPICounters) {
        self.agency = agency
        self.period = period
        self.counters = counters
    }

    /// The rates of the row, in display order, with the key used for bands.
    public var rates: [(name: String, value: Double?)] {
        [("onTimeRate", counters.onTimeRate), ("onlineShare", counters.onlineShare),
         ("onlinePaymentRate", counters.onlinePaymentRate), ("inputDigitisationRate", counters.inputDigitisationRate),
         ("resultDigitisationRate", counters.resultDigitisationRate)]
    }
}

/// Sums agency-day counters into KPI rows: by period, with roll-up, and
/// with the overdue-in-progress count evaluated from the dossier states.
public struct KPIAggregation {
    public var agency: String?
    public var rollup = false
    public var period: KPIPeriod = .month
    public var from: LocalDate?
    public var to: LocalDate?
    /// "Now" for the overdue-in-progress count of the current period.
    public var asOf: Int64

    public init(agency: String? = nil, rollup: Bool = false, period: KPIPeriod = .month, from: LocalDate? = nil, to: LocalDate? = nil, asOf: Int64) {
        self.agency = agency
        self.rollup = rollup
        self.period = period
        self.from = from
        self.to = to
        self.asOf = asOf
    }

    /// - Parameters:
    ///   - days: calls its argument with each agency-day counter.
    ///   - dossiers: calls its argument with each dossier state.
    public func rows(reference: ReferenceData,
                     days: ((KPIKey, KPICounters) throws -> Void) throws -> Void,
                     dossiers: ((DossierState) throws -> Void) throws -> Void) throws -> [KPIRow] {
        let calendar = reference.calendar
        var rows: [String: KPIRow] = [:]
        func targets(_ a: String) -> [String] {
            let chain = rollup ? reference.lineage(of: a) : [a]
            let all = chain.isEmpty ? [a] : chain
            return agency.map { wanted in all.filter { $0 == wanted } } ?? all
        }
        func rowKey(_ a: String, _ label: String) -> String { a + "\u{0}" + label }
        let fromDay = from?.daysSinceEpoch ?? Int.min
        let toDay = to?.daysSinceEpoch ?? Int.max
        var periodEnds: [String: Int64] = [:]
        try days { key, counters in
            guard Int(key.day) >= fromDay, Int(key.day) <= toDay else { return }
            let date = LocalDate(daysSinceEpoch: Int(key.day))
            let label = period.label(date)
            periodEnds[label] = calendar.instant(of: period.bounds(date).next, secondsFromMidnight: 0)
            for a in targets(key.agency) {
                rows[rowKey(a, label), default: KPIRow(agency: a, period: label, counters: KPICounters())].counters += counters
            }
        }
        // Overdue in progress: open and past due at each period's end (or now, for the current one).
        let ends = periodEnds.map { (label: $0.key, instant: min($0.value, asOf)) }.sorted { $0.instant < $1.instant }
        try dossiers { state in
            guard let a = state.agency, let received = state.receivedAt else { return }
            let closed = [state.processedAt, state.endedAt].compactMap { $0 }.min() ?? .max
            // With every pause known, a dossier is overdue at t exactly when due < t < closed;
            // while the due instant is unknown (an open pause), ask at each period end.
            let due = state.dueInstant(calendar: calendar)
            let after = max(received, due ?? received)
            var i = ends.partitioningIndex(where: { $0.instant <= after })
            while i < ends.count, ends[i].instant < closed {
                if due != nil || state.isOverdue(at: ends[i].instant, calendar: calendar) {
                    for t in targets(a) {
                        rows[rowKey(t, ends[i].label), default: KPIRow(agency: t, period: ends[i].label, counters: KPICounters())].counters.overdueInProgress += 1
                    }
                }
                i += 1
            }
        }
        return rows.values.sorted { ($0.agency, $0.period) < ($1.agency, $1.period) }
    }
}

extension Ledger {
    /// KPI rows per agency and period from the live projections (stored day
    /// counters and dossier states).
    public func kpiRows(agency: String? = nil, rollup: Bool = false, period: KPIPeriod = .month,
                        from: LocalDate? = nil, to: LocalDate? = nil, asOf: Int64) throws -> [KPIRow] {
        try store.read { txn in
            let aggregation = KPIAggregation(agency: agency, rollup: rollup, period: period, from: from, to: to, asOf: asOf)
            return try aggregation.rows(reference: try reference(in: txn), days: { visit in try forEachKPIDay(in: txn, visit) },
                                        dossiers: { visit in try forEachDossier(in: txn, visit) })
        }
    }

    /// Every stored agency-day row of KPI counters, in key order.
    package func forEachKPIDay(in txn: Transaction, _ visit: (KPIKey, KPICounters) throws -> Void) throws {
        try txn.withCursor(try projections(in: txn).kpiDays) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                guard let key = KPIKey(e.key) else {
                    throw LedgerError(.corrupt, "\(path): a KPI counter key does not decode")
                }
                do { try visit(key, try KPICounters(decoding: e.value)) } catch let error as RecordDecodingError {
                    throw LedgerError(.corrupt, "\(path): KPI counters of \(key.agency) day \(key.day) do not decode: \(error.reason)")
                }
                entry = try cursor.next()
            }
        }
    }
}

extension LedgerSnapshot {
    /// Every agency-day row of KPI counters (DOMAIN.md "KPIs"), in key order.
    public func forEachKPIDay(_ visit: (KPIKey, KPICounters) throws -> Void) throws { try ledger.forEachKPIDay(in: txn, visit) }
}

extension Dictionary where Key == KPIKey, Value == KPICounters {
    /// Adds what `state` contributes to the agency-day counters, with the
    /// reference data in force at its last event.
    package mutating func add(_ state: DossierState, reference: ReferenceData) {
        for c in state.kpiContributions(reference: reference) { add(c) }
    }

    /// Adds one contribution to its agency-day's counters.
    mutating func add(_ c: KPIContribution) {
        self[KPIKey(agency: c.agency, day: c.day), default: KPICounters()][c.counter] += c.delta
    }
}

extension Array {
    /// The first index whose element fails `belongsBefore` (elements must be partitioned by it).
    func partitioningIndex(where belongsBefore: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsBefore(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
