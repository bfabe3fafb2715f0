import CLMDB

/// A live LMDB transaction, lent to the closure of `Environment.read` or
/// `Environment.write`. It is valid only inside that closure: the closure
/// ends the transaction when it returns, so never store it or hand it to
/// another thread. (It is not `~Copyable` because the 6.3 optimiser crashes
/// specialising generic closures over non-copyable parameters.)
///
/// Buffers returned by `get` and cursors point into LMDB's memory map and are
/// valid only until the transaction ends (and, in a write transaction, until
/// the next write to the same database): copy what must outlive it.
public struct Transaction {
    let txn: OpaquePointer
    /// The environment this transaction belongs to.
    public let environment: Environment
    /// True inside `Environment.read`.
    public let isReadOnly: Bool

    /// The transaction's id: for a read transaction, the id of the last commit its snapshot holds.
    public var id: Int { Int(mdb_txn_id(txn)) }

    /// Tells the environment that this write transaction has made its
    /// changes but for its last ones (the rows a batch writes at its end),
    /// so that a large commit (`Environment.write(writingBehind:)`) readies
    /// meanwhile, on another thread, the page cache of the pages it will
    /// append. A hint: it changes nothing the transaction reads or writes,
    /// and does nothing in another transaction.
    package func prepareCommit() {
        if !isReadOnly { environment.prepareCommitGrowth() }
    }

    init(txn: OpaquePointer, environment: Environment, isReadOnly: Bool) {
        self.txn = txn
        self.environment = environment
        self.isReadOnly = isReadOnly
    }

    func context(_ db: Database, _ more: String? = nil) -> [String] {
        var items = ["ledger \(environment.path)", "database \(db.name)"]
        if let more { items.append(more) }
        return items
    }

    /// Opens (or with `create`, creates) a named database. With
    /// `fixedSizeDuplicates`, a key holds a sorted list of values of one
    /// size (`MDB_DUPSORT | MDB_DUPFIXED`), packed without per-value overhead.
    public func openDatabase(_ name: String, create: Bool, fixedSizeDuplicates: Bool = false) throws -> Database {
        var dbi = MDB_dbi()
        var flags = create ? UInt32(MDB_CREATE) : 0
        if fixedSizeDuplicates { flags |= UInt32(MDB_DUPSORT | MDB_DUPFIXED) }
        try check(mdb_dbi_open(txn, name, flags, &dbi), "mdb_dbi_open",
                  ["ledger \(environment.path)", "database \(name)"])
        return Database(dbi: dbi, name: name)
    }

    /// The value stored under `key`, or nil. The buffer points into the map.
    public func get(_ db: Database, key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get", context(db))
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// Convenience for `get` with a byte-array key.
    public func get(_ db: Database, key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { (k) in try get(db, key: k) }
    }

    /// Stores `value` under `key`. Returns false (and writes nothing) when
    /// `flags` has `.noOverwrite` and the key exists.
    @discardableResult
    public func put(_ db: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []) throws -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = mdb_put(txn, db.dbi, &k, &v, flags.rawValue)
        if rc == MDB_KEYEXIST && flags.contains(.noOverwrite) { return false }
        try check(rc, "mdb_put", context(db))
        return true
    }

    /// Convenience for `put` with byte arrays.
    @discardableResult
    public func put(_ db: Database, key: [UInt8], value: [UInt8], flags: PutFlags = []) throws -> Bool {
        try key.withUnsafeBytes { (k) in
            try value.withUnsafeBytes { (v) in try put(db, key: k, value: v, flags: flags) }
        }
    }

    /// Deletes `key`; returns false when it was not there.
    @discardableResult
    public func delete(_ db: Database, key: UnsafeRawBufferPointer) throws -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, db.dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del", context(db))
        return true
    }

    @discardableResult
    public func delete(_ db: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { (k) in try delete(db, key: k) }
    }

    /// Removes every entry of `db`, keeping the database itself.
    ///
    /// LMDB frees the pages by walking the table's lowest branch pages (and
    /// its leaves where values overflow), and each page read maps the pages
    /// around it: emptying a table of hundreds of megabytes would map most
    /// of it. For a table larger than a quarter of `mappedPageBudget`, a
    /// helper thread keeps the process's resident file-backed memory within
    /// that budget meanwhile (`Environment.keepingMappedPagesWithinBudget`).
    public func removeAll(_ db: Database, mappedPageBudget: Int = Environment.residentFileBudgetWhileWriting) throws {
        try drop(db, deleting: false, mappedPageBudget: mappedPageBudget)
    }

    /// Deletes `db` and its entries from the environment (its handle must
    /// not be used again), its mapped pages kept within the budget as by `removeAll`.
    public func deleteDatabase(_ db: Database, mappedPageBudget: Int = Environment.residentFileBudgetWhileWriting) throws {
        try drop(db, deleting: true, mappedPageBudget: mappedPageBudget)
    }

    /// `mdb_drop` of `db` (deleting the database too, or only emptying it),
    /// with a helper keeping the mapped pages within `mappedPageBudget` for a large table.
    private func drop(_ db: Database, deleting: Bool, mappedPageBudget: Int) throws {
        let freePages = {
            try check(mdb_drop(txn, db.dbi, deleting ? 1 : 0), "mdb_drop", deleting ? context(db, "deleting the database") : context(db))
        }
        guard try statistics(db).bytes > mappedPageBudget / 4 else { return try freePages() }
        try environment.keepingMappedPagesWithinBudget(in: self, budget: mappedPageBudget, freePages)
    }

    /// Entry and page counts of `db` as seen by this transaction.
    public func statistics(_ db: Database) throws -> DatabaseStatistics {
        var raw = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &raw), "mdb_stat", context(db))
        return DatabaseStatistics(raw)
    }

    /// Runs `body` in a transaction nested in this write transaction: its
    /// writes become part of this one when `body` returns, and are undone
    /// (this transaction going on unaffected) when it throws. Do not use
    /// this transaction, or cursors on it, while `body` runs.
    public func nested<R>(_ body: (Transaction) throws -> R) throws -> R {
        var child: OpaquePointer?
        try check(mdb_txn_begin(environment.handle, txn, 0, &child), "mdb_txn_begin", ["ledger \(environment.path)", "nested transaction"])
        let result: R
        do {
            result = try body(Transaction(txn: child!, environment: environment, isReadOnly: false))
        } catch {
            mdb_txn_abort(child)
            throw error
        }
        // mdb_txn_commit frees the child whether or not it succeeds.
        try check(mdb_txn_commit(child), "mdb_txn_commit", ["ledger \(environment.path)", "nested transaction"])
        return result
    }

    /// Runs `body` with a cursor on `db`; the cursor is closed when it returns.
    public func withCursor<R>(_ db: Database, _ body: (Cursor) throws -> R) throws -> R {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &cursor), "mdb_cursor_open", context(db))
        defer { mdb_cursor_close(cursor) }
        return try body(Cursor(handle: cursor!, database: db, path: environment.path))
    }
}
