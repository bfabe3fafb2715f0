import Dispatch
import Foundation
import Testing
import SystemIO
@testable import LMDB

/// A fresh directory under the system temp dir, removed by `cleanup`.
func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The key of value `n` in `pageTable`.
func pageKey(_ n: UInt32) -> [UInt8] { withUnsafeBytes(of: n.bigEndian) { Array($0) } }

/// A new environment in `dir` whose table `name` holds `count` values of
/// 3,000 bytes of 7, keyed `pageKey(0..<count)`: a page each.
func pageTable(_ count: UInt32, in dir: String, named name: String = "pages") throws -> (Environment, Database) {
    let env = try Environment(path: dir)
    let db = try env.openDatabase(name, create: true)
    try env.write { txn in
        for n: UInt32 in 0..<count { try txn.put(db, key: pageKey(n), value: [UInt8](repeating: 7, count: 3000)) }
    }
    return (env, db)
}

struct EnvironmentTests {
    @Test func writesAndReadsInKeyOrder() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir)
        let db = try env.openDatabase("numbers", create: true)
        try env.write { txn in
            for n: UInt64 in [3, 1, 2] {
                try txn.put(db, key: withUnsafeBytes(of: n.bigEndian) { Array($0) }, value: Array("v\(n)".utf8))
            }
        }
        let values = try env.read { txn in
            try txn.withCursor(db) { cursor in
                var out: [String] = []
                var e = try cursor.first()
                while let entry = e { out.append(String(decoding: entry.value, as: UTF8.self)); e = try cursor.next() }
                return out
            }
        }
        #expect(values == ["v1", "v2", "v3"])
    }

    @Test func mappedPagesAreReleasedOnlyOverTheBudget() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir)
        let db = try env.openDatabase("pages", create: true)
        let value = [UInt8](repeating: 7, count: 3000)   // one leaf page a value
        try env.write { txn in
            for n: UInt32 in 0..<4096 { try txn.put(db, key: withUnsafeBytes(of: n.bigEndian) { Array($0) }, value: value) }
        }
        try env.read { txn in
            let map = try env.mappedRegion(in: txn)
            var sum = 0
            try txn.withCursor(db) { cursor in
                var e = try cursor.first()
                while let entry = e { sum += Int(entry.value[0]); e = try cursor.next() }
            }
            #expect(sum == 7 * 4096)
            let mapped = try #require(FileSystem.residentFileBackedBytes())
            #expect(try !map.releaseAll(ifResidentFileBytesExceed: Int.max))
            #expect(try map.releaseAll(ifResidentFileBytesExceed: 0))
            let released = try #require(FileSystem.residentFileBackedBytes())
            // The 4096 leaf pages read (16 MB) are no longer resident in this process.
            #expect(mapped - released >= 12 << 20)
        }
    }

    /// This process's resident bytes of the ledger's data file in `dir`
    /// (`/proc/self/smaps`): unlike the process's file-backed total, what
    /// other tests map meanwhile does not count.
    func mappedBytes(ofLedgerIn dir: String) throws -> Int {
        let fd = try FileSystem.openForReading("/proc/self/smaps")
        defer { FileSystem.close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let n = try chunk.withUnsafeMutableBytes({ try FileSystem.read(fd, into: $0) }), n > 0 { bytes += chunk[0..<n] }
        let smaps = String(decoding: bytes, as: UTF8.self)
        var ours = false, total = 0
        for line in smaps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                ours = line.hasSuffix(dir + "/data.mdb")
            } else if ours, line.hasPrefix("Rss:") {
                total += (Int(line.split(separator: " ")[1]) ?? 0) << 10
            }
        }
        return total
    }

    @Test func aWriteLetsGoOfItsMappedPagesOverItsBudget() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, db) = try pageTable(4096, in: dir)
        let key = pageKey
        /// Rewrites every value (each leaf page read through the map, then copied), a step of a
        /// `MappedPageBudget` of `budget` bytes checked every 16 steps after each; gives the most of
        /// the data file this process had mapped meanwhile.
        func rewrite(to byte: UInt8, budget: Int) throws -> Int {
            try env.releaseMappedPages()
            return try env.write { txn in
                var pages = Environment.MappedPageBudget(env, in: txn, budget: budget, checkingEvery: 16)
                var highest = 0
                for n: UInt32 in 0..<4096 {
                    #expect(try txn.get(db, key: key(n))?.first == byte - 1)
                    try txn.put(db, key: key(n), value: [UInt8](repeating: byte, count: 3000))
                    try pages.step()
                    if n % 64 == 63 { highest = max(highest, try mappedBytes(ofLedgerIn: dir)) }
                }
                return highest
            }
        }
        let under = try rewrite(to: 8, budget: .max)
        #expect(under >= 12 << 20, "under its budget, the 16 MB of leaf pages read stay mapped")
        let over = try rewrite(to: 9, budget: 0)
        // Released every 16 steps: at most what 16 steps map (a page and the 64 KiB around it each).
        #expect(over <= 16 * (68 << 10), "\(over) bytes mapped")
        let values = try env.read { txn in try (0..<4096).map { try txn.get(db, key: key($0))?.first } }
        #expect(values.allSatisfy { $0 == 9 }, "releasing the map inside the write changed nothing written")
    }

    /// A budget made without a transaction (a feed's, kept from one read
    /// transaction to the next) releases what each of them maps.
    @Test func aBudgetKeptAcrossTransactionsReleasesInEach() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, db) = try pageTable(4096, in: dir)
        try env.releaseMappedPages()
        var unbounded = Environment.MappedPageBudget(env, budget: .max)
        #expect(try readEachPage(of: env, db, in: dir, stepping: &unbounded) >= 12 << 20, "under its budget, the 16 MB of leaf pages read stay mapped")
        try env.releaseMappedPages()
        var none = Environment.MappedPageBudget(env, budget: 0)
        for _ in 0..<2 {
            // Checked every 4 far reads: at most what 4 reads map (a page and the 64 KiB around it each).
            let most = try readEachPage(of: env, db, in: dir, stepping: &none)
            #expect(most <= 4 * (68 << 10), "\(most) bytes mapped")
        }
    }

    /// Reads every value of `pageTable(4096, in: dir)` in a read transaction of its own, each a far
    /// read of `pages`; gives the most of the data file this process had mapped meanwhile.
    func readEachPage(of env: Environment, _ db: Database, in dir: String, stepping pages: inout Environment.MappedPageBudget) throws -> Int {
        try env.read { txn in
            var highest = 0
            for n: UInt32 in 0..<4096 {
                #expect(try txn.get(db, key: pageKey(n))?.first == 7)
                try pages.step(Environment.MappedPageBudget.farReadWeight)
                if n % 64 == 63 { highest = max(highest, try mappedBytes(ofLedgerIn: dir)) }
            }
            return highest
        }
    }

    /// A budget kept across transactions keeps the map's region it found,
    /// and finds it again once the map has been resized (which moves it):
    /// it still releases what the reads map, and never the addresses the
    /// map left.
    @Test func aBudgetKeptAcrossTransactionsFindsTheMapAgainAfterAResize() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, db) = try pageTable(4096, in: dir)
        var none = Environment.MappedPageBudget(env, budget: 0)
        let before = try env.info.mapSize
        for round in 0..<3 {
            let most = try readEachPage(of: env, db, in: dir, stepping: &none)
            #expect(most <= 4 * (68 << 10), "round \(round): \(most) bytes mapped")
            try env.growMap()
        }
        #expect(try env.info.mapSize == before * 8)
    }

    /// Reads near the last one (the next leaf of a table written in key
    /// order) are one step each; a read far from the last is a far read, so
    /// a few of them check the budget, however few the steps before.
    @Test func farReadsCheckTheBudgetAfterAFewOfThem() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, db) = try pageTable(4096, in: dir)   // a value a page, in key order: neighbouring keys lie on neighbouring pages
        try env.releaseMappedPages()
        try env.read { txn in
            var pages = Environment.MappedPageBudget(env, in: txn, budget: 0)
            func read(_ n: UInt32) throws {
                let value = try #require(try txn.get(db, key: pageKey(n)))
                #expect(value.first == 7)
                try pages.step(reading: value.baseAddress!)
            }
            for n: UInt32 in 0..<512 { try read(n) }
            let near = try mappedBytes(ofLedgerIn: dir)
            #expect(near >= 512 * 4096, "512 near reads are 512 steps, not yet a check: \(near) bytes mapped")
            for n: UInt32 in [1024, 2048] { try read(n) }   // 512 + 2 × 256 steps: a check, over the budget of 0
            let far = try mappedBytes(ofLedgerIn: dir)
            #expect(far <= 2 * (68 << 10), "released at the second far read: \(far) bytes mapped")
        }
    }

    /// What a call the caller cannot step through maps (LMDB's walk of a
    /// table it empties) is released by a helper thread while it runs,
    /// whenever the process's resident file-backed memory exceeds the budget.
    @Test func pagesMappedDuringACallAreReleasedWhileItRuns() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, db) = try pageTable(8192, in: dir)
        let key = pageKey
        try env.releaseMappedPages()
        try env.read { txn in
            // A budget below what the process maps anyway: the helper releases at every check.
            let (mapped, left) = try env.keepingMappedPagesWithinBudget(in: txn, budget: 1 << 20) {
                var sum = 0
                for n: UInt32 in 0..<8192 { sum += Int(try txn.get(db, key: key(n))?.first ?? 0) }
                #expect(sum == 7 * 8192)
                let mapped = try mappedBytes(ofLedgerIn: dir)
                var left = mapped
                let deadline = Date().addingTimeInterval(5)
                while left > 4 << 20, Date() < deadline {
                    usleep(1000)
                    left = try mappedBytes(ofLedgerIn: dir)
                }
                return (mapped, left)
            }
            #expect(left <= 4 << 20, "\(left) of \(mapped) bytes still mapped")
        }
    }

    /// Emptying a large table with the helper releasing the map meanwhile
    /// empties that table and no other.
    @Test func emptyingALargeTableLeavesTheOthers() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (env, large) = try pageTable(8192, in: dir, named: "large")
        let kept = try env.openDatabase("kept", create: true)
        let key = pageKey
        try env.write { txn in
            for n: UInt32 in 0..<100 { try txn.put(kept, key: key(n), value: Array("kept \(n)".utf8)) }
        }
        try env.write { txn in try txn.removeAll(large, mappedPageBudget: 1 << 20) }   // a table of 32 MB: the helper runs
        let (entries, values) = try env.read { txn in
            (try txn.statistics(large).entries, try (0..<100).map { try txn.get(kept, key: key($0)).map { String(decoding: $0, as: UTF8.self) } })
        }
        #expect(entries == 0)
        #expect(values == (0..<100).map { "kept \($0)" })
    }

    @Test func abortedWriteLeavesNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir)
        let db = try env.openDatabase("t", create: true)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try env.write { txn in
                try txn.put(db, key: [1], value: [1])
                throw Stop()
            }
        }
        #expect(try env.read { txn in try txn.get(db, key: [1]) } == nil)
    }

    @Test func errorsNameTheOperationAndTheLedger() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir)
        do {
            _ = try env.openDatabase("absent", create: false)
            Issue.record("opening a missing database succeeded")
        } catch let e as LMDBError {
            #expect(e.isNotFound)
            #expect(e.operation == "mdb_dbi_open")
            #expect(e.description.contains(dir))
            #expect(e.description.contains("absent"))
        }
    }

    /// An environment with a 1 MiB map and a database "big" in a fresh directory.
    func smallEnvironment() throws -> (directory: String, env: Environment, db: Database) {
        let dir = makeTemporaryDirectory()
        var options = Environment.Options()
        options.mapSize = 1 << 20
        let env = try Environment(path: dir, options: options)
        return (dir, env, try env.openDatabase("big", create: true))
    }

    @Test func mapGrowsWhenFull() throws {
        let (dir, env, db) = try smallEnvironment()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let value = [UInt8](repeating: 7, count: 1000)
        for batch in 0..<10 {
            try env.write { txn in
                for i in 0..<500 {
                    try txn.put(db, key: Array("k\(batch)-\(i)".utf8), value: value)
                }
            }
        }
        #expect(try env.info.mapSize > 1 << 20)
        #expect(try env.read { txn in try txn.statistics(db).entries } == 5000)
    }

    /// A reservation grows the map ahead of a large write, so the write fits without growing it again.
    @Test func reserveMakesRoomAheadOfALargeWrite() throws {
        let (dir, env, db) = try smallEnvironment()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let value = [UInt8](repeating: 7, count: 1000)
        try env.write { txn in
            for i in 0..<400 { try txn.put(db, key: Array("a\(i)".utf8), value: value) }
        }
        let pageSize = try env.statistics.pageSize
        try env.reserve(bytes: 6 << 20)
        let reserved = try env.info
        #expect(reserved.mapSize >= (reserved.lastPage + 1) * pageSize + (6 << 20))
        try env.write { txn in
            for i in 0..<4000 { try txn.put(db, key: Array("b\(i)".utf8), value: value) }
        }
        #expect(try env.info.mapSize == reserved.mapSize)
        // Room already there: nothing changes.
        try env.reserve(bytes: 1 << 10)
        #expect(try env.info.mapSize == reserved.mapSize)
    }

    /// A reservation the map already holds does not wait for the read
    /// transactions of this process (only growing the map must).
    @Test func aReservationThatFitsDoesNotWaitForReaders() throws {
        let (dir, env, _) = try smallEnvironment()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reading = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), reserved = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? env.read { _ in
                reading.signal()
                release.wait()
            }
        }
        reading.wait()
        Thread.detachNewThread {
            try? env.reserve(bytes: 1 << 10)
            reserved.signal()
        }
        let returned = reserved.wait(timeout: .now() + 10) == .success
        release.signal()
        if !returned { reserved.wait() }   // it returns once the reader has ended
        #expect(returned, "reserve waited for a read transaction although the map had room")
    }

    /// Commits written behind (`write(writingBehind:)`, as `import` commits
    /// its batches), their pages readied while they write their last rows
    /// (`prepareCommit`), hold everything written, leave no helper thread
    /// running and the data file no more than a commit's room longer than
    /// its pages in use, and an aborted one writes nothing.
    @Test func commitsWrittenBehindAreWholeAndLeaveNoThread() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir)
        let db = try env.openDatabase("rows", create: true)
        // Helper threads alive in this process (`WriteBehind.threadName`, `PageCacheAhead.threadName`).
        func helpers() -> Int {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.filter { task in
                let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return name == WriteBehind.threadName || name == PageCacheAhead.threadName
            }.count
        }
        let value = [UInt8](repeating: 0xA5, count: 1000)
        for commit in 0..<8 {
            try env.write(writingBehind: true) { txn in
                for n in 0..<2_500 {
                    if n == 2_000 { txn.prepareCommit() }
                    try txn.put(db, key: withUnsafeBytes(of: UInt32(commit * 2_500 + n).bigEndian) { Array($0) }, value: value)
                }
            }
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try env.write(writingBehind: true) { txn in
                try txn.put(db, key: [0xFF, 0xFF, 0xFF, 0xFF, 0], value: value)
                txn.prepareCommit()
                throw Stop()
            }
        }
        let inUse = (try env.info.lastPage + 1) * (try env.statistics.pageSize)
        let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/data.mdb")[.size] as? Int)
        #expect(fileSize >= inUse)
        #expect(fileSize - inUse <= 8 << 20, "the data file is \(fileSize - inUse) bytes longer than its pages in use")
        let (count, allWhole) = try env.read { txn in
            try txn.withCursor(db) { cursor in
                var count = 0
                var whole = true
                var entry = try cursor.first()
                while let e = entry {
                    count += 1
                    whole = whole && e.key.count == 4 && e.value.elementsEqual(value)
                    entry = try cursor.next()
                }
                return (count, whole)
            }
        }
        #expect(count == 20_000)
        #expect(allWhole)
        // Each helper has stopped when its commit returns and its thread ends
        // just after: the eight of these commits do not stay. (Other tests
        // of this process may be committing behind meanwhile, each briefly.)
        var alive = helpers()
        for _ in 0..<100 where alive > 2 {
            usleep(10_000)
            alive = helpers()
        }
        #expect(alive <= 2)
    }
}
