import CLMDB
import SystemIO

/// A failed `mdb_*` call: the LMDB result code, the operation that failed and
/// what it was working on (ledger path, database, and whatever the caller adds:
/// seq, dossier).
///
/// New codes need no new cases: `code` is LMDB's own integer, and the
/// predicates below name the ones callers act on.
public struct LMDBError: Error, CustomStringConvertible, Sendable, IOFailure {
    /// LMDB's (or the system's `errno`) result code.
    public let code: Int32
    /// The C function that failed, e.g. `mdb_put`.
    public let operation: String
    /// What was being done: ledger path, database name, key, seq, dossier.
    public private(set) var context: [String]

    public init(code: Int32, operation: String, context: [String]) {
        self.code = code
        self.operation = operation
        self.context = context
    }

    /// LMDB's text for `code` (also covers system `errno` values).
    public var message: String { String(cString: mdb_strerror(code)) }

    /// The same error with one more piece of context (for example `seq 42`).
    public func adding(context item: String) -> LMDBError {
        var copy = self
        copy.context.append(item)
        return copy
    }

    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExists: Bool { code == MDB_KEYEXIST }
    /// The B-tree's pages are damaged (what `mdb_*` found them to be), not the machine failing.
    public var isDamage: Bool { code == MDB_CORRUPTED || code == MDB_PAGE_NOTFOUND || code == MDB_CURSOR_FULL }

    /// The transaction can go no further: its pages are damaged (`isDamage`),
    /// the file is not an LMDB file of this version, or LMDB gave up on the
    /// environment or the transaction.
    public var isCorruption: Bool {
        isDamage || code == MDB_PANIC || code == MDB_INVALID || code == MDB_VERSION_MISMATCH || code == MDB_BAD_TXN
    }

    public var description: String {
        let where_ = context.isEmpty ? "" : " (" + context.joined(separator: ", ") + ")"
        return "\(operation) failed: \(message) [\(code)]\(where_)"
    }
}

/// Turns an `mdb_*` return code into a thrown `LMDBError`.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String, _ context: @autoclosure () -> [String]) throws(LMDBError) {
    if rc != MDB_SUCCESS {
        throw LMDBError(code: rc, operation: operation(), context: context())
    }
}
