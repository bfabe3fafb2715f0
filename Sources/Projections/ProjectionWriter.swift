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
    /// Counter deltas per agency-day, keyed by `deltaKey` (agency index and day).
    private var kpiDeltas: [Int64: KPICounters] = [:]
    /// The agencies of `kpiDeltas`, by index.
    private var agencies: [String] = []
    private var agencyIndex: [String: Int] = [:]
    /// The index of the agency last looked up (runs of dossiers share one).
    private var lastAgency = 0
    /// Reused for each row's bytes.
    private var scratch = ByteWriter(capacity: 1024)
    /// While `rebuild` writes its rows in key order: cursors on the state and
    /// contribution tables that append them (LMDB keeps an appending
    /// cursor on the last page instead of searching the tree for each row).
    private var appendCursors: (states: Cursor, contributions: Cursor)?

    init(ledger: Ledger, tablesAreEmpty: Bool = false) {
        self.ledger = ledger
        self.tablesAreEmpty = tablesAreEmpty
    }

    /// Stores `state`; `reference` is the reference data in force at the
    /// dossier's last event (its KPI contributions are computed with it).
    /// Runs `body` with rows appended through cursors (`tablesAreEmpty`
    /// only: the rows must come in key order).
    mutating func appendingRows<R>(in txn: Transaction, _ body: (inout ProjectionWriter) throws -> R) throws -> R {
        precondition(tablesAreEmpty, "rows are appended to empty tables only")
        let tables = ledger.tables
        return try txn.withCursor(tables.dossierStates) { states in
            try txn.withCursor(tables.kpiContributions) { contributions in
                appendCursors = (states, contributions)
                defer { appendCursors = nil }
                return try body(&self)
            }
        }
    }

    mutating func write(_ state: DossierState, reference: ReferenceData, in txn: Transaction) throws {
        var code = state.code
        try code.withUTF8 { try write(state, key: UnsafeRawBufferPointer($0), reference: reference, in: txn) }
    }

    private mutating func write(_ state: DossierState, key: UnsafeRawBufferPointer, reference: ReferenceData, in txn: Transaction) throws {
        let tables = ledger.tables
        scratch.removeAll()
        state.encode(into: &scratch)
        try putScratch(in: tables.dossierStates, through: appendCursors?.states, key: key, txn: txn)
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
        accumulate(old, sign: -1)
        accumulate(new, sign: 1)
        scratch.removeAll()
        new.encode(into: &scratch)
        try putScratch(in: tables.kpiContributions, through: appendCursors?.contributions, key: key, txn: txn)
    }

    /// Stores the bytes in `scratch` under `key`: appended through `cursor`
    /// while `rebuild` writes in key order, else a plain put (appended too
    /// when the tables started empty).
    private func putScratch(in table: Database, through cursor: Cursor?, key: UnsafeRawBufferPointer, txn: Transaction) throws {
        try scratch.withUnsafeBytes { value in
            if let cursor {
                try cursor.put(key: key, value: value, flags: .append)
            } else {
                _ = try txn.put(table, key: key, value: value, flags: tablesAreEmpty ? .append : [])
            }
        }
    }

    /// Adds `sign` × each contribution to `kpiDeltas`: one dictionary access
    /// per run of contributions to the same agency-day (a dossier's counts
    /// mostly fall on its reception and processing days).
    private mutating func accumulate(_ contributions: [KPIContribution], sign: Int64) {
        var i = 0
        while i < contributions.count {
            let first = contributions[i]
            var end = i + 1
            while end < contributions.count, contributions[end].day == first.day, contributions[end].agency == first.agency { end += 1 }
            kpiDeltas[deltaKey(agency: first.agency, day: first.day), default: KPICounters()].add(contributions[i..<end], sign: sign)
            i = end
        }
    }

    private mutating func deltaKey(agency: String, day: Int32) -> Int64 {
        if lastAgency >= agencies.count || agencies[lastAgency] != agency {
            if let known = agencyIndex[agency] {
                lastAgency = known
            } else {
                lastAgency = agencies.count
                agencies.append(agency)
                agencyIndex[agency] = lastAgency
            }
        }
        return Int64(lastAgency) << 32 | Int64(UInt32(bitPattern: day))
    }

    /// The agency-day counter of a `kpiDeltas` key.
    private func kpiKey(_ deltaKey: Int64) -> KPIKey {
        KPIKey(agency: agencies[Int(deltaKey >> 32)], day: Int32(truncatingIfNeeded: deltaKey))
    }

    /// Adds the accumulated deltas to the stored day counters and records `checkpoint`.
    mutating func finish(checkpoint: UInt64, in txn: Transaction) throws {
        let tables = ledger.tables
        if tablesAreEmpty {
            // Fresh table: the sums are the rows, appended in key order — the agency's bytes, then the day.
            let byteOrder = agencies.indices.sorted { a, b in
                var x = agencies[a], y = agencies[b]
                return x.withUTF8 { x in y.withUTF8 { y in Key.precedes(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
            }
            var rank = [Int](repeating: 0, count: agencies.count)
            for (r, a) in byteOrder.enumerated() { rank[a] = r }
            let rows = kpiDeltas.filter { $0.value.values.contains { $0 != 0 } }
                .sorted { a, b in (rank[Int(a.key >> 32)], Int32(truncatingIfNeeded: a.key)) < (rank[Int(b.key >> 32)], Int32(truncatingIfNeeded: b.key)) }
            try txn.withCursor(tables.kpiDays) { cursor in
                var key = ByteWriter(capacity: 64)
                for (deltaKey, counters) in rows {
                    key.removeAll()
                    kpiKey(deltaKey).write(into: &key)
                    scratch.removeAll()
                    counters.encode(into: &scratch)
                    try key.withUnsafeBytes { k in try scratch.withUnsafeBytes { v in try cursor.put(key: k, value: v, flags: .append) } }
                }
            }
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
        for (deltaKey, delta) in kpiDeltas where delta.values.contains(where: { $0 != 0 }) {
            let key = kpiKey(deltaKey)
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

    var bytes: [UInt8] {
        var w = ByteWriter(capacity: agency.utf8.count + 5)
        write(into: &w)
        return w.bytes
    }

    /// Appends `bytes` to `w`.
    func write(into w: inout ByteWriter) {
        var agency = agency
        agency.withUTF8 { w.raw(UnsafeRawBufferPointer($0)) }
        w.u8(0)
        withUnsafeBytes(of: (UInt32(bitPattern: day) ^ 0x8000_0000).bigEndian) { w.raw($0) }
    }

    public init(agency: String, day: Int32) { self.agency = agency; self.day = day }

    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count >= 5, raw[raw.count - 5] == 0,
              let agency = String(validating: UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 5)]).bindMemory(to: UInt8.self), as: UTF8.self)
        else { return nil }
        self.agency = agency
        day = Int32(bitPattern: Key.readU32(raw, at: raw.count - 4) ^ 0x8000_0000)
    }
}
