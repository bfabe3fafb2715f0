import DossierRules
import LMDB
import LedgerStore
import LedgerContract

/// Writes changed dossier states and everything derived from them (KPI day
/// counters, the index of open dossiers) inside the caller's write transaction. Both the live append
/// and `rebuild` go through it, so they cannot disagree.
struct ProjectionWriter: ~Copyable {
    let ledger: Ledger
    /// The projection tables written (the live set, or the one `rebuild` fills).
    let tables: Ledger.ProjectionTables
    /// Set by `rebuild` after emptying the tables: nothing to read back,
    /// and dossiers come in key order so rows are appended.
    private let tablesAreEmpty: Bool
    /// The counter deltas per agency-day of the rows written.
    private var days = KPIDayDeltas()
    /// Reused for each row's bytes.
    private var scratch = ByteWriter(capacity: 1024)
    /// Reused for the contributions of each row read: those a row held
    /// before `write`, or those of a row `appendRow` stores.
    private var contributions: [KPIContribution] = []
    /// A cursor on the state table while `withRowCursor` runs.
    private var rowCursor: Cursor?
    private var rows = DossierRowEncoder()

    init(ledger: Ledger, tables: Ledger.ProjectionTables, tablesAreEmpty: Bool = false) {
        self.ledger = ledger
        self.tables = tables
        self.tablesAreEmpty = tablesAreEmpty
    }

    /// Runs `body` with the rows it writes going through one cursor on the
    /// state table. `rebuild` appends its rows, in key order: LMDB keeps an
    /// appending cursor on the last page instead of searching the tree for
    /// each row. Otherwise each dossier's row is found with the cursor and
    /// replaced where it lies: one search of the tree per dossier, where a
    /// read and then a write would search it twice.
    mutating func withRowCursor<R>(in txn: Transaction, _ body: (inout ProjectionWriter) throws -> R) throws -> R {
        try txn.withCursor(tables.dossierStates) { cursor in
            rowCursor = cursor
            defer { rowCursor = nil }
            return try body(&self)
        }
    }

    /// Stores `state` and its KPI contributions in its row (`DossierRow`);
    /// `reference` is the reference data in force at the dossier's last
    /// event (the contributions are computed with it). The day counters
    /// change by the difference from the contributions stored before.
    mutating func write(_ state: DossierState, reference: ReferenceData, in txn: Transaction) throws {
        try state.code.withUTF8Bytes { try write(state, key: $0, reference: reference, in: txn) }
    }

    private mutating func write(_ state: DossierState, key: UnsafeRawBufferPointer, reference: ReferenceData, in txn: Transaction) throws {
        contributions.removeAll(keepingCapacity: true)
        var wasOpen = false
        let stored: UnsafeRawBufferPointer?
        if tablesAreEmpty {
            stored = nil
        } else if let rowCursor {
            stored = try rowCursor.find(key)?.value
        } else {
            stored = try txn.get(tables.dossierStates, key: key)
        }
        if let row = stored {
            do {
                let (stateBytes, contributionBytes) = try DossierRow.split(row)
                try DossierRow.contributions(contributionBytes, into: &contributions)
                wasOpen = try DossierState.stage(ofEncoded: stateBytes).isOpen
            } catch {
                throw LedgerError(.corrupt, "\(ledger.path): dossier \(state.code): stored KPI contributions do not decode: \(error.reason)")
            }
        }
        scratch.removeAll()
        rows.encode(state, reference: reference, into: &scratch)
        if !Self.same(contributions, rows.counts, of: state.agency) {
            days.add(contributions, sign: -1)
            if let agency = state.agency { days.add(rows.counts, of: agency) }
        }
        try scratch.withUnsafeBytes { row in
            try put(row, key: key, replacingFound: stored != nil, isOpen: state.stage.isOpen, wasOpen: wasOpen, in: txn)
        }
    }

    /// Appends a row made by `DossierRowEncoder` (`rebuild`, into empty
    /// tables, in key order): its contributions are added to the day
    /// counters as they are.
    mutating func appendRow(_ row: UnsafeRawBufferPointer, code: String, in txn: Transaction) throws {
        precondition(tablesAreEmpty, "rows are appended to empty tables only")
        let isOpen: Bool
        do {
            let (stateBytes, contributionBytes) = try DossierRow.split(row)
            isOpen = try DossierState.stage(ofEncoded: stateBytes).isOpen
            try DossierRow.contributions(contributionBytes, into: &contributions)
        } catch {
            throw LedgerError(.storage, "\(ledger.path): dossier \(code): a rebuilt row does not decode: \(error.reason)")
        }
        days.add(contributions, sign: 1)
        try code.withUTF8Bytes { key in try put(row, key: key, replacingFound: false, isOpen: isOpen, wasOpen: false, in: txn) }
    }

    /// Stores a dossier's row, and its entry in the index of open dossiers
    /// when it opened or ended. `replacingFound`: the row cursor is on the
    /// dossier's stored row (found by `write`).
    private func put(_ row: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, replacingFound: Bool,
                     isOpen: Bool, wasOpen: Bool, in txn: Transaction) throws {
        if let rowCursor {
            try rowCursor.put(key: key, value: row, flags: tablesAreEmpty ? .append : replacingFound ? .current : [])
        } else {
            _ = try txn.put(tables.dossierStates, key: key, value: row, flags: tablesAreEmpty ? .append : [])
        }
        // The index of open dossiers changes only when the dossier opens or ends.
        if isOpen != wasOpen {
            if wasOpen {
                _ = try txn.delete(tables.openDossiers, key: key)
            } else {
                _ = try txn.put(tables.openDossiers, key: key, value: UnsafeRawBufferPointer(start: nil, count: 0),
                                flags: tablesAreEmpty ? .append : [])
            }
        }
    }

    /// Whether stored contributions are a dossier's `counts` to `agency`.
    private static func same(_ stored: [KPIContribution], _ counts: [KPICount], of agency: String?) -> Bool {
        guard stored.count == counts.count else { return false }
        guard let agency else { return stored.isEmpty }
        for (s, c) in zip(stored, counts) where s.day != c.day || s.counter != c.counter || s.delta != c.delta || !s.agency.hasSameUTF8(as: agency) {
            return false
        }
        return true
    }

    /// Adds the accumulated deltas to the stored day counters and records `checkpoint`.
    mutating func finish(checkpoint: UInt64, in txn: Transaction) throws {
        if tablesAreEmpty {
            // Fresh table: the sums are the rows, appended in key order — the agency's bytes, then the day.
            try txn.withCursor(tables.kpiDays) { cursor in
                var key = ByteWriter(capacity: 64)
                for slot in days.changedSlotsInKeyOrder() {
                    key.removeAll()
                    days.key(ofSlot: slot).write(into: &key)
                    scratch.removeAll()
                    KPICounters.encode(days.deltas(ofSlot: slot), into: &scratch)
                    try key.withUnsafeBytes { k in try scratch.withUnsafeBytes { v in try cursor.put(key: k, value: v, flags: .append) } }
                }
            }
        } else {
            try addDeltasToStoredCounters(in: txn)
        }
        days.removeAll()
        for name in Ledger.projectionNames {
            try txn.put(ledger.tables.checkpoints, key: Array(name.utf8), value: Key.u64(checkpoint))
        }
    }

    private func addDeltasToStoredCounters(in txn: Transaction) throws {
        for slot in 0..<days.count where days.changes(slot: slot) {
            let delta = days.counters(ofSlot: slot)
            let key = days.key(ofSlot: slot)
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

    /// Keys are equal when their bytes are, as the table's keys: an agency
    /// code spelled with a combining accent is not the precomposed one.
    public static func == (a: KPIKey, b: KPIKey) -> Bool { a.day == b.day && a.agency.hasSameUTF8(as: b.agency) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ExactText(agency))
        hasher.combine(day)
    }

    var bytes: [UInt8] {
        var w = ByteWriter(capacity: agency.utf8.count + 5)
        write(into: &w)
        return w.bytes
    }

    /// Appends `bytes` to `w`.
    func write(into w: inout ByteWriter) {
        agency.withUTF8Bytes { w.raw($0) }
        w.u8(0)
        withUnsafeBytes(of: (UInt32(bitPattern: day) ^ 0x8000_0000).bigEndian) { w.raw($0) }
    }

    public init(agency: String, day: Int32) { self.agency = agency; self.day = day }

    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count >= 5, raw[raw.count - 5] == 0,
              let agency = String(storedUTF8: UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 5)]))
        else { return nil }
        self.agency = agency
        guard let day = try? Key.readU32(raw, at: raw.count - 4) else { return nil }
        self.day = Int32(bitPattern: day ^ 0x8000_0000)
    }
}

/// Keys numbered 0, 1, 2… in the order first seen, found both ways.
struct NumberedKeys<Key: Hashable> {
    private var keys: [Key] = []
    private var numbers: [Key: Int] = [:]

    var count: Int { keys.count }

    subscript(number: Int) -> Key { keys[number] }

    /// The number of `key`, nil when it has none.
    func existingNumber(of key: Key) -> Int? { numbers[key] }

    /// The number of `key`, given the next one when it is new.
    mutating func number(of key: Key) -> (number: Int, isNew: Bool) {
        if let known = numbers[key] { return (known, false) }
        keys.append(key)
        numbers[key] = keys.count - 1
        return (keys.count - 1, true)
    }
}
