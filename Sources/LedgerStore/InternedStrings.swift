import LedgerContract
import LMDB

/// The in-memory copy of the ledger's string table (codes, officer ids,
/// data keys → small integers). Ids start at 1 and are never reused, so the
/// copy only ever needs the entries past its `count`.
struct InternedStrings: Sendable {
    /// By exact bytes (`ExactText`): a string canonically equivalent to a stored one is a string of its own.
    var ids: [ExactText: UInt32] = [:]
    var texts: [String] = []   // texts[id - 1]

    var count: UInt32 { UInt32(texts.count) }

    /// Loads the entries another process (or an earlier open) committed
    /// after ours.
    mutating func catchUp(in txn: Transaction, table: Database) throws {
        try txn.withCursor(table) { cursor in
            guard let last = try cursor.last(), try Key.readU32(last.key) > count else { return }
            var entry = try cursor.seek(Key.u32(count + 1))
            while let e = entry {
                let id = try Key.readU32(e.key)
                guard id == count + 1, let text = String(storedUTF8: e.value) else {
                    throw LedgerError(.corrupt, "string table entry \(id) is damaged")
                }
                texts.append(text)
                ids[ExactText(text)] = id
                entry = try cursor.next()
            }
        }
    }
}

/// The strings a ledger had committed when it was taken, and their ids:
/// an id once committed never changes, so what it gives holds for every
/// later transaction. Taken on any thread (`EventStore.committedStrings`);
/// a copy of the store's cache that shares its storage.
package struct CommittedStrings: Sendable {
    let ids: [ExactText: UInt32]
}

extension EventStore {
    /// The strings this process knows committed (`CommittedStrings`).
    package func committedStrings() -> CommittedStrings {
        CommittedStrings(ids: strings.withLock { $0.ids })
    }

    /// The text of string id `id`, reading newer entries when needed.
    func text(ofString id: UInt32, in txn: Transaction) throws -> String {
        if let t = strings.withLock({ id <= $0.count ? $0.texts[Int(id) - 1] : nil }) { return t }
        try strings.withLock { try $0.catchUp(in: txn, table: tables.strings) }
        guard let t = strings.withLock({ id <= $0.count ? $0.texts[Int(id) - 1] : nil }) else {
            throw LedgerError(.corrupt, "string id \(id) is not in the string table")
        }
        return t
    }
}

extension EventStore {
    /// The whole string table as of `txn`: `texts[id - 1]` is the text of
    /// string id `id`. Scans that resolve many ids read this once.
    public func stringTexts(in txn: Transaction) throws -> [String] {
        try strings.withLock { try $0.catchUp(in: txn, table: tables.strings) }
        return strings.withLock { $0.texts }
    }
}
