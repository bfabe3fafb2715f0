import CLMDB

/// A named database inside an `Environment` (LMDB's `MDB_dbi`).
///
/// Handles are opened once per environment and are valid for every later
/// transaction of that environment, on any thread.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
    /// The database's name, used in error context.
    public let name: String
}

/// Counts LMDB keeps for one database (`mdb_stat`).
public struct DatabaseStatistics: Sendable {
    public let entries: Int
    public let depth: Int
    public let branchPages: Int
    public let leafPages: Int
    public let overflowPages: Int
    public let pageSize: Int

    /// Pages of any kind times the page size.
    public var bytes: Int { (branchPages + leafPages + overflowPages) * pageSize }

    init(_ s: MDB_stat) {
        entries = Int(s.ms_entries)
        depth = Int(s.ms_depth)
        branchPages = Int(s.ms_branch_pages)
        leafPages = Int(s.ms_leaf_pages)
        overflowPages = Int(s.ms_overflow_pages)
        pageSize = Int(s.ms_psize)
    }
}

/// Flags for `put`.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Fail with `isKeyExists` instead of overwriting.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database (fast bulk append).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
    /// Replace the entry the cursor is on (cursor puts only; same key).
    public static let current = PutFlags(rawValue: UInt32(MDB_CURRENT))
}
