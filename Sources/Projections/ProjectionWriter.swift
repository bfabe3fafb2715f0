import DossierRules
import LMDB
import LedgerStore

/// Writes changed dossier states and everything derived from them (KPI day
/// counters) inside the caller's write transaction. Both the live append
/// and `rebuild` go through it, so they cannot disagree.
struct ProjectionWriter {
    let ledger: Ledger
    /// Set by `rebuild` after emptying the tables: nothing to read back,
    /// and dossiers come in key order so rows are appended.
    private let tablesAreEmpty: Bool
    private var kpiDeltas: [KPIKey: KPICounters] = [:]

    init(ledger: Ledger, tablesAreEmpty: Bool = false) {
        self.ledger = ledger
        self.tablesAreEmpty = tablesAreEmpty
    }

    /// Stores `state`; `reference` is the reference data in force at the
    /// dossier's last event (its KPI contributions are computed with it).
    mutating func write(_ state: DossierState, reference: ReferenceData, in txn: Transaction) throws {
        let key = Array(state.code.utf8)
        let tables = ledger.tables
        let flags: PutFlags = tablesAreEmpty ? .append : []
        try txn.put(tables.dossierStates, key: key, value: state.encoded(), flags: flags)
        let old: [KPIContribution]
        if !tablesAreEmpty, let raw = try txn.get(tables.kpiContributions, key: key) {
            do { old = try [KPIContribution](decoding: raw) } catch {
                throw LedgerError(.corrupt, "\(ledger.path): dossier \(state.code): stored KPI contributions do not decode")
            }
        } else {
            old = []
        }
        let new = state.kpiContributions(reference: reference)
        guard old != new else { return }
        for c in old { kpiDeltas[KPIKey(agency: c.agency, day: c.day), default: KPICounters()][c.counter] -= c.delta }
        for c in new { kpiDeltas[KPIKey(agency: c.agency, day: c.day), default: KPICounters()][c.counter] += c.delta }
        try txn.put(tables.kpiContributions, key: key, value: new.encoded(), flags: flags)
    }

    /// Adds the accumulated deltas to the stored day counters and records `checkpoint`.
    mutating func finish(checkpoint: UInt64, in txn: Transaction) throws {
        let tables = ledger.tables
        if tablesAreEmpty {
            // Fresh table: the sums are the rows; written in key order, appended.
            let rows = kpiDeltas.compactMap { key, delta in delta.values.contains(where: { $0 != 0 }) ? (key.bytes, delta) : nil }
                .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            for (k, counters) in rows { try txn.put(tables.kpiDays, key: k, value: counters.encoded(), flags: .append) }
        } else {
            try addDeltasToStoredCounters(in: txn)
        }
        kpiDeltas.removeAll()
        for name in Ledger.projectionNames {
            try txn.put(tables.checkpoints, key: Array(name.utf8), value: Key.u64(checkpoint))
        }
    }

    private func addDeltasToStoredCounters(in txn: Transaction) throws {
        let tables = ledger.tables
        for (key, delta) in kpiDeltas where delta.values.contains(where: { $0 != 0 }) {
            let k = key.bytes
            var counters = KPICounters()
            if let raw = try txn.get(tables.kpiDays, key: k) {
                do { counters = try KPICounters(decoding: raw) } catch {
                    throw LedgerError(.corrupt, "\(ledger.path): KPI counters of \(key.agency) day \(key.day) do not decode")
                }
            }
            counters += delta
            try txn.put(tables.kpiDays, key: k, value: counters.encoded())
        }
    }
}

/// The key of an agency-day counter: agency code, a zero byte, then the day
/// offset to sort numerically.
public struct KPIKey: Hashable, Sendable {
    public var agency: String
    /// Local day, days since 1970-01-01.
    public var day: Int32

    var bytes: [UInt8] { Array(agency.utf8) + [0] + Key.u32(UInt32(bitPattern: day) ^ 0x8000_0000) }

    public init(agency: String, day: Int32) { self.agency = agency; self.day = day }

    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count >= 5, raw[raw.count - 5] == 0,
              let agency = String(validating: UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 5)]).bindMemory(to: UInt8.self), as: UTF8.self)
        else { return nil }
        self.agency = agency
        day = Int32(bitPattern: Key.readU32(raw, at: raw.count - 4) ^ 0x8000_0000)
    }
}
