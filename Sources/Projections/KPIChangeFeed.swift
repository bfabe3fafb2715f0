import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// Follows the KPI day counters event by event, for the `kpi` change feed:
/// starts from the counters every dossier adds up to at a seq, then for
/// each further event reports the agency-day rows it changed with their
/// new values.
///
/// Memory: the agency-day counters and the states of the dossiers followed
/// last (`FollowedStates`), not every dossier's.
/// - Complexity: the start walks the dossier states once; each event then
///   costs one dossier's contributions (and its stream, the first time it is met).
public struct KPIChangeFeed {
    private var states: FollowedStates
    /// The agency-day counters, summed from zero.
    private var days: KPIDayDeltas

    /// One changed row: the agency, the local day and the counters after the change.
    public struct Change {
        public var key: KPIKey
        public var counters: KPICounters
    }

    /// The last seq applied.
    package var position: UInt64 { states.position }

    public init(ledger: Ledger, through seq: UInt64) throws {
        (states, days) = try ledger.store.read { txn in
            let states = try FollowedStates(ledger: ledger, through: seq, in: txn)
            var days = KPIDayDeltas()
            try states.forEachDossier(ledger: ledger, in: txn) { state, reference in days.add(state.kpiContributions(reference: reference), sign: 1) }
            return (states, days)
        }
    }

    /// Applies the next event of the log (its record, read in `txn`) and returns the rows it changed.
    package mutating func apply(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws -> [Change] {
        let contributions = try states.apply(view, ledger: ledger, in: txn) { before, beforeReference, after, afterReference in
            (before?.kpiContributions(reference: beforeReference) ?? [], after.kpiContributions(reference: afterReference))
        }
        guard let (before, after) = contributions, before != after else { return [] }
        days.add(before, sign: -1)
        days.add(after, sign: 1)
        var touched = Set<KPIKey>()
        for c in before { touched.insert(KPIKey(agency: c.agency, day: c.day)) }
        for c in after { touched.insert(KPIKey(agency: c.agency, day: c.day)) }
        return touched.sorted { ($0.agency, $0.day) < ($1.agency, $1.day) }.compactMap { k in
            let old = before.filter { $0.agency == k.agency && $0.day == k.day }.sorted { $0.counter.rawValue < $1.counter.rawValue }
            let new = after.filter { $0.agency == k.agency && $0.day == k.day }.sorted { $0.counter.rawValue < $1.counter.rawValue }
            return old == new ? nil : Change(key: k, counters: days.slot(of: k).map(days.counters(ofSlot:)) ?? KPICounters())
        }
    }
}
