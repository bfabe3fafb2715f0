import CLMDB
import Synchronization
import SystemIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open LMDB environment: one directory holding `data.mdb` and `lock.mdb`.
///
/// Guarantees:
/// - Many processes may open the same directory; readers never block the
///   writer, and writers in different processes are serialised by LMDB's
///   writer lock.
/// - Transactions are closure-scoped (`read {}` / `write {}`): a transaction
///   cannot outlive its closure, and a write transaction commits only if its
///   closure returns normally.
/// - The map grows by itself: when a write fills it (`MDB_MAP_FULL`) the
///   transaction is aborted, the map size doubled and the closure run again;
///   when another process grew it (`MDB_MAP_RESIZED`) the new size is adopted.
///
/// Thread rules: any thread may start a transaction (the environment is
/// opened with `MDB_NOTLS`); a transaction's closure runs on the calling
/// thread and must not hand the transaction to another thread. LMDB forbids
/// opening the same environment twice in one process.
///
/// This is the only `@unchecked Sendable` type of the ledger. It is safe
/// because the `MDB_env` handle is thread-safe for starting transactions, the
/// stored properties are immutable after `init` (the one that changes is a
/// `Mutex`), and the one operation that
/// is not thread-safe (`mdb_env_set_mapsize`, which needs no live transaction
/// in this process) runs under the exclusive side of `resizeLock`, while every
/// transaction holds its shared side.
public final class Environment: @unchecked Sendable {
    /// Options fixed when the environment is opened.
    public struct Options: Sendable {
        /// How many named databases may exist.
        public var maxDatabases: UInt32 = 32
        /// The initial map size in bytes; it grows by doubling when full.
        public var mapSize: Int = 64 << 20
        /// Open for reading only (no write transactions).
        public var readOnly = false
        /// Permission bits of the files LMDB creates.
        public var fileMode: mode_t = 0o600
        /// Skip the fsync at commit (benchmarks and scratch environments only).
        public var noSync = false
        public init() {}
    }

    /// The directory path, as given.
    public let path: String
    let handle: OpaquePointer
    private let resizeLock: UnsafeMutablePointer<pthread_rwlock_t>
    /// Where `MapFaultReport` records this environment's map; nil when it is not installed.
    private let faultReportSlot: Int?
    /// The pages the large commit under way appends, and the helper readying them.
    private let commitGrowth = Mutex(CommitGrowth())
    /// Counts the moves of the map (`watchMap`): a region found while it
    /// had a count still holds the map while the count is the same.
    private let mapMoves = Atomic<Int>(0)

    /// What `write(writingBehind:)` knows of the data file's growth.
    private struct CommitGrowth {
        /// Bytes the last large commit added past the data file's last page.
        var lastBytes = 0
        /// Where the large commit under way appends, and about how much: from its start to its end.
        var range: (fileDescriptor: Int32, offset: Int, length: Int)?
        /// The helper readying `range`, once `Transaction.prepareCommit` started it.
        var helper: PageCacheAhead?
    }

    /// The least a large commit is expected to append (`write(writingBehind:)`).
    static let commitGrowthAtLeast = 4 << 20

    /// Opens (creating the files if needed, never the directory) the
    /// environment in directory `path`.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create", ["ledger \(path)"])
        guard let env else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create", context: ["ledger \(path)"]) }
        do {
            try check(mdb_env_set_maxdbs(env, options.maxDatabases), "mdb_env_set_maxdbs", ["ledger \(path)"])
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize", ["ledger \(path)"])
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            try check(mdb_env_open(env, path, flags, options.fileMode), "mdb_env_open", ["ledger \(path)"])
        } catch {
            mdb_env_close(env)
            throw error
        }
        handle = env
        resizeLock = .allocate(capacity: 1)
        pthread_rwlock_init(resizeLock, nil)
        faultReportSlot = MapFaultReport.claimSlot()
        if faultReportSlot != nil {
            // An assertion of liblmdb reports damage instead of aborting; where liblmdb is built without them, there are none to report.
            try check(mdb_env_set_assert(env, reportLMDBAssertion), "mdb_env_set_assert", ["ledger \(path)"])
        }
        watchMap()
    }

    deinit {
        if let faultReportSlot { MapFaultReport.release(slot: faultReportSlot) }
        mdb_env_close(handle)
        pthread_rwlock_destroy(resizeLock)
        resizeLock.deallocate()
    }

    /// Runs `body` in a read-only transaction: a consistent snapshot of the
    /// last commit at the moment it starts, unaffected by later commits.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        let txn = try begin(flags: UInt32(MDB_RDONLY))
        defer { mdb_txn_abort(txn) }
        return try body(Transaction(txn: txn, environment: self, isReadOnly: true))
    }

    /// Runs `body` in a read-only transaction begun on a helper thread while
    /// another thread of this process holds a transaction of this
    /// environment and waits for the helper (one long read shared between
    /// two threads). Unlike `read`, it never adopts a map size another
    /// process grew: that waits until no transaction of this process is
    /// live, the waiting one's included, so it would never return. It gives
    /// nil instead, and the caller does the helper's share itself.
    public func readAlongside<R>(_ body: (Transaction) throws -> R) throws -> R? {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        var handle: OpaquePointer?
        let rc = mdb_txn_begin(self.handle, nil, UInt32(MDB_RDONLY), &handle)
        if rc == MDB_MAP_RESIZED { return nil }
        try check(rc, "mdb_txn_begin", ["ledger \(path)", "read alongside another transaction"])
        let txn = handle!
        defer { mdb_txn_abort(txn) }
        return try body(Transaction(txn: txn, environment: self, isReadOnly: true))
    }

    /// Runs `body` in the write transaction and commits it when `body`
    /// returns; aborts it (nothing written) when `body` throws.
    ///
    /// `body` may run more than once: after `MDB_MAP_FULL` the map is grown
    /// and `body` retried from the start on a fresh transaction, so it must
    /// keep any state outside the transaction unchanged until it returns.
    ///
    /// - Parameter writingBehind: for a transaction that changes many
    ///   pages (an import's batch): its commit runs `WriteBehind.during`, so
    ///   that the disk writes the pages while LMDB is still copying them
    ///   and the commit's `fdatasync` waits for fewer. LMDB still syncs the
    ///   data before it writes the meta page. Once `body` calls
    ///   `Transaction.prepareCommit`, a helper thread also readies the page
    ///   cache of the pages the commit will append past the data file's end
    ///   (`PageCacheAhead`, about a quarter more than the last such commit
    ///   appended), so that LMDB copies the pages into memory already
    ///   there. The data file may then end up to that much longer than its
    ///   pages in use (zeros, which LMDB never reads).
    public func write<R>(writingBehind: Bool = false, _ body: (Transaction) throws -> R) throws -> R {
        while true {
            do {
                return try writeOnce(writingBehind: writingBehind, body)
            } catch let error as LMDBError where error.isMapFull {
                try growMap()
            }
        }
    }

    private func writeOnce<R>(writingBehind: Bool, _ body: (Transaction) throws -> R) throws -> R {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        let txn = try begin(flags: 0)
        // Without the data file's descriptor, its page size or its last page, the commit runs without the hints.
        var fd: Int32 = -1
        guard writingBehind, mdb_env_get_fd(handle, &fd) == MDB_SUCCESS,
              let before = try? currentInfo(), let pageSize = try? statistics.pageSize else {
            return try run(txn, body) { mdb_txn_commit(txn) }
        }
        let end = (before.lastPage + 1) * pageSize
        commitGrowth.withLock { growth in
            let expected = max(growth.lastBytes + growth.lastBytes / 4, Self.commitGrowthAtLeast)
            growth.range = (fd, end, min(expected, before.mapSize - end))
        }
        defer {
            commitGrowth.withLock { growth in
                defer { growth.range = nil }
                return growth.helper.take()
            }?.stop()
        }
        let result = try run(txn, body) { WriteBehind.during(fileDescriptor: fd) { mdb_txn_commit(txn) } }
        if let after = try? currentInfo() {
            commitGrowth.withLock { $0.lastBytes = max(0, after.lastPage - before.lastPage) * pageSize }
        }
        return result
    }

    /// Runs `body` in the write transaction `txn`, then commits it with
    /// `commit` (which frees it whether or not it succeeds); aborts it
    /// (nothing written) when `body` throws.
    private func run<R>(_ txn: OpaquePointer, _ body: (Transaction) throws -> R, commit: () -> Int32) throws -> R {
        let result: R
        do {
            result = try body(Transaction(txn: txn, environment: self, isReadOnly: false))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try check(commit(), "mdb_txn_commit", ["ledger \(path)"])
        return result
    }

    /// Starts preparing the page cache of the pages the large commit under
    /// way will append (`Transaction.prepareCommit`); does nothing when no
    /// large commit is under way or its helper has started already.
    func prepareCommitGrowth() {
        commitGrowth.withLock { growth in
            guard growth.helper == nil, let range = growth.range else { return }
            growth.helper = PageCacheAhead(fileDescriptor: range.fileDescriptor, offset: range.offset, length: range.length)
        }
    }

    private func begin(flags: UInt32) throws -> OpaquePointer {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(handle, nil, flags, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, then start again.
            pthread_rwlock_unlock(resizeLock)
            pthread_rwlock_wrlock(resizeLock)
            let adopt = mdb_env_set_mapsize(handle, 0)
            watchMap()
            pthread_rwlock_unlock(resizeLock)
            pthread_rwlock_rdlock(resizeLock)
            try check(adopt, "mdb_env_set_mapsize", ["ledger \(path)", "adopting a size grown by another process"])
            rc = mdb_txn_begin(handle, nil, flags, &txn)
        }
        try check(rc, "mdb_txn_begin", ["ledger \(path)"])
        return txn!
    }

    /// Doubles the map size. Waits until no transaction of this process is live.
    public func growMap() throws {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        let current = try currentInfo().mapSize
        try check(mdb_env_set_mapsize(handle, current * 2), "mdb_env_set_mapsize", ["ledger \(path)", "growing to \(current * 2) bytes"])
        watchMap()
    }

    /// Grows the map (by doubling) until at least `bytes` lie past the last
    /// page in use, so that a write transaction expected to need that much
    /// new space does not fill the map and run its closure a second time.
    /// Pages a transaction frees become reusable only after it commits, so a
    /// transaction that replaces whole tables needs room for their new copy.
    /// Waits until no transaction of this process is live, when the map
    /// must grow (a map already large enough is checked without waiting).
    public func reserve(bytes: Int) throws {
        func needed(_ info: Info) throws -> Int { (info.lastPage + 1) * (try statistics.pageSize) + max(0, bytes) }
        if let info = try? currentInfo(), info.mapSize >= (try needed(info)) { return }
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        let info = try currentInfo()
        let needed = try needed(info)
        guard info.mapSize < needed else { return }
        var size = info.mapSize
        while size < needed { size *= 2 }
        try check(mdb_env_set_mapsize(handle, size), "mdb_env_set_mapsize", ["ledger \(path)", "reserving \(bytes) bytes: growing to \(size) bytes"])
        watchMap()
    }

    /// Tells `MapFaultReport` and `MappedPageBudget` that the map may have
    /// moved: after opening, and after each resize. Where the map cannot be
    /// found, faults on it are not reported as damage.
    private func watchMap() {
        mapMoves.add(1, ordering: .releasing)
        guard let faultReportSlot else { return }
        var fd: Int32 = -1
        guard mdb_env_get_fd(handle, &fd) == MDB_SUCCESS else { return }
        MapFaultReport.watch(slot: faultReportSlot, environment: handle, fileDescriptor: fd, path: path)
    }

    /// Map size and last transaction id (`mdb_env_info`).
    public struct Info: Sendable {
        public let mapSize: Int
        public let lastPage: Int
        public let lastTransactionID: Int
        public let maxReaders: Int
        public let readers: Int
    }

    /// The id of the last commit a read transaction begun now sees (any
    /// process). A commit's meta page (what `info` reports) is written
    /// just before readers are told of it: a reader woken by `info` alone
    /// could still begin on the snapshot before. Waiting on this id avoids that.
    public var visibleTransactionID: Int {
        get throws { try read { $0.id } }
    }

    public var info: Info {
        get throws { try currentInfo() }
    }

    /// The longest key, in bytes, this environment's databases take
    /// (`mdb_env_get_maxkeysize`); a longer or empty key is refused with `MDB_BAD_VALSIZE`.
    public var maximumKeySize: Int { Int(mdb_env_get_maxkeysize(handle)) }

    private func currentInfo() throws -> Info {
        var raw = MDB_envinfo()
        try check(mdb_env_info(handle, &raw), "mdb_env_info", ["ledger \(path)"])
        return Info(mapSize: raw.me_mapsize, lastPage: raw.me_last_pgno, lastTransactionID: raw.me_last_txnid,
                    maxReaders: Int(raw.me_maxreaders), readers: Int(raw.me_numreaders))
    }

    /// Page size and counts of the main (unnamed) database.
    public var statistics: DatabaseStatistics {
        get throws {
            var raw = MDB_stat()
            try check(mdb_env_stat(handle, &raw), "mdb_env_stat", ["ledger \(path)"])
            return DatabaseStatistics(raw)
        }
    }

    /// The resident file-backed memory (the ledger's mapped pages, the
    /// executable and its libraries) a process lets a ledger's reads keep:
    /// the log's scans and folds release the mapped pages when it is
    /// exceeded (`releaseMappedPagesOverBudget`, `MappedPageBudget`); a write keeps to
    /// `residentFileBudgetWhileWriting`. Their window of the ledger is this
    /// size however large the ledger; below it, pages read stay mapped, and
    /// are not faulted in again by the other reader of `verify`, or by the
    /// next chunk of a fold. Walks that do not come back (replays, feeds)
    /// release everything as they go instead.
    public static let residentFileBudget = 192 << 20

    /// The budget of `residentFileBudget` for a write transaction
    /// (`MappedPageBudget` in an append): smaller, because a writer also
    /// holds its batch's dirty pages on the heap. What a writer maps is
    /// mostly pages it never reads: it looks entries up all over its tables,
    /// and each page it reads first maps the 64 KiB around it (the kernel's
    /// fault-around, whatever `madvise` says). Reading a released page again
    /// is a minor fault on a page still in the page cache, but each release
    /// costs the writer its whole working set of mappings: imports of 10^7
    /// events ran as fast with this budget as with `residentFileBudget`
    /// (36.0 s against 36.3 s on average, interleaved) and peaked at 437–455
    /// MiB instead of 491–496 MiB; with 96 MiB they peaked at 382–394 MiB
    /// but ran 5–15 % slower.
    public static let residentFileBudgetWhileWriting = 160 << 20

    /// Drops this process's mapping of the ledger's pages when its resident
    /// file-backed memory exceeds `residentFileBudget` (or cannot be read):
    /// they stay in the kernel's page cache and come back on the next read
    /// (a minor fault), but stop counting in this process's resident memory.
    /// A long scan calls it as it goes, so its resident memory stays within
    /// the budget, not the size of what it read. Safe inside a transaction:
    /// the pages' contents do not change, only whether they are mapped.
    ///
    /// LMDB does not tell where it mapped the file (`me_mapaddr` is set only
    /// for a fixed map), so the mapping is found by the data file's descriptor.
    public func releaseMappedPagesOverBudget() throws {
        if Self.residentFileBytesExceed(Self.residentFileBudget) { try releaseMappedPages() }
    }

    /// Whether this process's resident file-backed memory exceeds `budget`
    /// bytes (true where it cannot be read, so a caller releases).
    static func residentFileBytesExceed(_ budget: Int) -> Bool {
        guard let resident = FileSystem.residentFileBackedBytes() else { return true }
        return resident > budget
    }

    /// Drops this process's mapping of all the ledger's pages, whatever the
    /// budget (see `releaseMappedPagesOverBudget`): for walks that will not
    /// read again what they passed.
    public func releaseMappedPages() throws {
        var fd: Int32 = -1
        try check(mdb_env_get_fd(handle, &fd), "mdb_env_get_fd", ["ledger \(path)"])
        do { try FileSystem.releaseMappings(ofFileDescriptor: fd, subject: "ledger \(path)") } catch {
            throw LMDBError(code: error.code, operation: error.operation, context: ["ledger \(path)", "releasing mapped pages"])
        }
    }

    /// Runs `body`, one LMDB call in `txn` that reads pages the caller cannot
    /// step through (`Transaction.removeAll`), while a helper thread
    /// (`RepeatingHelper`, every 250 µs) keeps the process's resident
    /// file-backed memory within `budget` by releasing this environment's
    /// map whenever it is exceeded (`MappedRegion.releaseAll(ifResidentFileBytesExceed:)`):
    /// what `body` maps stays bounded, however large the table it walks.
    /// Released pages stay in the page cache, and a read of one by `body`
    /// maps it again. Use only in `txn`, on its thread.
    func keepingMappedPagesWithinBudget<R>(in txn: Transaction, budget: Int, _ body: () throws -> R) throws -> R {
        let region = try mappedRegion(in: txn)
        let helper = RepeatingHelper(name: "mapped-page-release", interval: 250) { try region.releaseAll(ifResidentFileBytesExceed: budget) }
        let result: R
        do { result = try body() } catch {
            try? helper.stop()
            throw error
        }
        try helper.stop()
        return result
    }

    /// Where this process maps the ledger, to release its pages without a
    /// walk of `/proc/self/maps` each time. Valid while the transaction it
    /// was taken in is open: the map moves only when it is resized, which
    /// waits until no transaction of this process is live.
    public struct MappedRegion: Sendable {
        let ranges: [Range<UInt>]
        let path: String

        /// Releases every page of the map, as `Environment.releaseMappedPages`
        /// does, without finding the map again.
        public func releaseAll() throws {
            for range in ranges { try release(range) }
        }

        /// Releases every page of the map when the process's resident
        /// file-backed memory (the map's pages, the executable and its
        /// libraries) exceeds `budget` bytes, or cannot be read; true when it
        /// released them. Reads that jump about the map keep their resident
        /// pages bounded by the budget this way, however large the ledger.
        @discardableResult
        public func releaseAll(ifResidentFileBytesExceed budget: Int) throws -> Bool {
            guard Environment.residentFileBytesExceed(budget) else { return false }
            try releaseAll()
            return true
        }

        private func release(_ range: Range<UInt>) throws {
            do { try FileSystem.releaseMapping(range, subject: "ledger \(path)") } catch {
                throw LMDBError(code: error.code, operation: error.operation, context: ["ledger \(path)", "releasing mapped pages"])
            }
        }
    }

    /// Keeps the mapped pages a long write or read touches within a budget
    /// (`residentFileBudgetWhileWriting` for an append): a write looks up
    /// each entry where it lies in its table, and a fault maps the pages
    /// around the one read, so a large batch would otherwise map most of the
    /// tables it touches, and a long read all it passes. Call `step()` once
    /// per entry written or read, `step(farReadWeight)` for a read far from
    /// the last one, or `step(reading:)`, which tells the two apart by the
    /// address read; every `interval` steps it reads the process's
    /// resident file-backed memory and, over the budget, releases the map's
    /// pages (`MappedRegion.releaseAll`). A budget of 0 releases them every
    /// `interval` steps, for a walk that will not read again what it passed.
    /// The map's region is found at the first release, so a write or read
    /// that stays within the budget costs one read of `/proc/self/statm`
    /// per check.
    ///
    /// Made for a transaction, use it only inside that transaction, on one
    /// thread. Made without one (`init(_:budget:checkingEvery:)`), it may
    /// outlive transactions, and is stepped and released only inside one of
    /// this environment's transactions (the map cannot move then): it finds
    /// the map again after each resize, and keeps the region it found meanwhile.
    public struct MappedPageBudget {
        private let environment: Environment
        private let transaction: Transaction?
        private var region: MappedRegion?
        /// For a budget kept across transactions: the map's moves when `region` was found.
        private var regionMoves = 0
        private let budget: Int
        private let interval: Int
        private var steps = 0

        /// The weight of a read far from the last one. The kernel may map a
        /// whole page-cache folio around a read, up to 2 MiB (and does, for
        /// the folios a large file's writes and readahead leave): with the
        /// default interval a walk checks after 4 far reads, so it maps at
        /// most about 8 MiB past its budget between two checks.
        public static let farReadWeight = 256

        /// - Parameters:
        ///   - budget: resident file-backed bytes of the process above which the map's pages are released.
        ///   - interval: steps between two checks of the resident memory.
        public init(_ environment: Environment, in txn: Transaction, budget: Int = Environment.residentFileBudget, checkingEvery interval: Int = 1024) {
            precondition(interval > 0, "the interval is positive")
            self.environment = environment
            transaction = txn
            self.budget = budget
            self.interval = interval
        }

        /// A budget kept across transactions: a release after a resize finds the map again.
        public init(_ environment: Environment, budget: Int = Environment.residentFileBudget, checkingEvery interval: Int = 1024) {
            precondition(interval > 0, "the interval is positive")
            self.environment = environment
            transaction = nil
            self.budget = budget
            self.interval = interval
        }

        /// How far from the last read (`step(reading:)`) a read still counts
        /// as near: the 64 KiB the kernel maps around a page it faults in.
        public static let nearReadBytes: UInt = 64 << 10

        /// Where the last read counted by `step(reading:)` was.
        private var lastRead: UInt = 0

        /// Counts a read of the bytes at `address` of the map: one step
        /// within `nearReadBytes` of the last such read, else a far read
        /// (`farReadWeight`). A walk of a table whose leaves lie one after
        /// another (as `rebuild` writes them) checks its budget seldom; one
        /// whose leaves lie scattered over the file (as appends leave them)
        /// checks it after a few leaves, however much each maps.
        public mutating func step(reading address: UnsafeRawPointer) throws {
            let at = UInt(bitPattern: address)
            let distance = at >= lastRead ? at - lastRead : lastRead - at
            lastRead = at
            try step(distance <= Self.nearReadBytes ? 1 : Self.farReadWeight)
        }

        /// Counts `weight` steps; at the end of each `interval`, releases the map's pages when over the budget.
        public mutating func step(_ weight: Int = 1) throws {
            steps += weight
            guard steps >= interval else { return }
            steps = 0
            guard Environment.residentFileBytesExceed(budget) else { return }
            try releaseAll()
        }

        /// Releases the map's pages now, whatever the budget: for a walk
        /// that has passed pages it will not read again, so that it holds
        /// less than the budget while it can.
        public mutating func releaseAll() throws {
            if let transaction {
                if region == nil { region = try environment.mappedRegion(in: transaction) }
            } else {
                let moves = environment.mapMoves.load(ordering: .acquiring)
                if region == nil || moves != regionMoves {
                    region = try environment.mappedRegionNow()
                    regionMoves = moves
                }
            }
            try region!.releaseAll()
        }
    }

    /// The region where the ledger is mapped now; use it only inside the transaction it is taken in.
    public func mappedRegion(in txn: Transaction) throws -> MappedRegion {
        try mappedRegionNow()
    }

    /// The region where the ledger is mapped now (`/proc/self/maps`): valid until the map is next resized.
    private func mappedRegionNow() throws -> MappedRegion {
        var fd: Int32 = -1
        try check(mdb_env_get_fd(handle, &fd), "mdb_env_get_fd", ["ledger \(path)"])
        do { return MappedRegion(ranges: try FileSystem.mappings(ofFileDescriptor: fd, subject: "ledger \(path)"), path: path) } catch {
            throw LMDBError(code: error.code, operation: error.operation, context: ["ledger \(path)", "finding the mapped pages"])
        }
    }

    /// Forces a flush to disk (needed only with `noSync`).
    public func sync() throws {
        try check(mdb_env_sync(handle, 1), "mdb_env_sync", ["ledger \(path)"])
    }

    /// Writes a consistent copy of the environment into directory `target`
    /// (which must exist and be empty), compacting free pages.
    public func copy(to target: String) throws {
        try check(mdb_env_copy2(handle, target, UInt32(MDB_CP_COMPACT)), "mdb_env_copy2", ["ledger \(path)", "copy to \(target)"])
    }

    /// Opens the named database, creating it when `create` is set (which
    /// needs a write transaction; the environment runs one of its own).
    public func openDatabase(_ name: String, create: Bool) throws -> Database {
        if create { return try write { txn in try txn.openDatabase(name, create: true) } }
        return try read { txn in try txn.openDatabase(name, create: false) }
    }
}
