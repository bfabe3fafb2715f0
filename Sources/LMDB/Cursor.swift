import CLMDB

/// A position in one database, in key order (bytewise, so big-endian integer
/// keys iterate numerically). Lent to the closure of `Transaction.withCursor`.
///
/// Each move returns the entry it lands on, or nil past either end. Buffers
/// point into the map and live as long as the transaction.
public struct Cursor {
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    let handle: OpaquePointer
    let database: Database
    let path: String

    @inline(__always)
    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc != MDB_SUCCESS {
            if rc == MDB_NOTFOUND { return nil }
            throw failure(rc, "mdb_cursor_get")
        }
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The error of a failed call, with the ledger and the database (built out of line).
    @inline(never)
    private func failure(_ rc: Int32, _ operation: String) -> LMDBError {
        LMDBError(code: rc, operation: operation, context: ["ledger \(path)", "database \(database.name)"])
    }

    public func first() throws -> Entry? { try move(MDB_FIRST) }
    public func last() throws -> Entry? { try move(MDB_LAST) }
    public func next() throws -> Entry? { try move(MDB_NEXT) }
    public func previous() throws -> Entry? { try move(MDB_PREV) }
    /// The entry with exactly this key.
    public func find(_ key: UnsafeRawBufferPointer) throws -> Entry? { try move(MDB_SET_KEY, key: key) }
    /// The first entry whose key is greater than or equal to `key`.
    public func seek(_ key: UnsafeRawBufferPointer) throws -> Entry? { try move(MDB_SET_RANGE, key: key) }

    /// The next value of the same key (databases of duplicates).
    public func nextDuplicate() throws -> Entry? { try move(MDB_NEXT_DUP) }

    /// Positions on the first value of `key`; nil when the key is absent.
    public func find(_ key: [UInt8]) throws -> Entry? {
        try key.withUnsafeBytes { k in try find(k) }
    }

    public func seek(_ key: [UInt8]) throws -> Entry? {
        try key.withUnsafeBytes { (k) in try seek(k) }
    }

    /// Stores an entry through the cursor (`.append` for keys past the end).
    public func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = mdb_cursor_put(handle, &k, &v, flags.rawValue)
        if rc != MDB_SUCCESS { throw failure(rc, "mdb_cursor_put") }
    }

    /// Deletes the entry the cursor is on.
    public func deleteCurrent() throws {
        try check(mdb_cursor_del(handle, 0), "mdb_cursor_del", ["ledger \(path)", "database \(database.name)"])
    }
}
