import LMDB
import LedgerStore
import Projections

/// Import throughput: generated NDJSON read, parsed and appended through
/// `Ledger.append` in batches of 5000 (validation, hash chain, indexes and
/// projections in each batch's transaction, one fsync per batch), against a
/// plain LMDB database receiving the same record bytes in the same batches.
enum AppendBenchmark {
    static let batchSize = 5000

    struct Import {
        var events: Int
        var seconds: Double
        /// Memory just before the import (peak reset to it when the kernel allows) and just after.
        var memoryBefore: MemoryStatus
        var memoryAfter: MemoryStatus
        var peakWasReset: Bool
        /// The largest anonymous and file-backed RSS seen between batches
        /// (one read of /proc/self/status per batch, ~20 µs), to tell what the peak is made of.
        var largestAnonymous = 0
        var largestFileBacked = 0
    }

    /// Imports the whole input into `ledger`. Timed: reading the lines from
    /// the file (page cache), `Ledger.parse(lines:)` and `Ledger.append`.
    static func importInput(_ input: Input, into ledger: Ledger) throws -> Import {
        let peakWasReset = MemoryStatus.resetPeak()
        let before = MemoryStatus.current()
        var stored = 0
        var largestAnonymous = before.anonymous
        var largestFileBacked = before.fileBacked
        let (_, seconds) = try timed {
            try input.forEachBatch(of: batchSize) { lines in
                let events = try Ledger.parse(lines: lines)
                let report = try ledger.append(events)
                stored += report.storedCount
                let now = MemoryStatus.current()
                largestAnonymous = max(largestAnonymous, now.anonymous)
                largestFileBacked = max(largestFileBacked, now.fileBacked)
                return true
            }
        }
        let after = MemoryStatus.current()
        guard stored == input.events else {
            throw BenchError("the import stored \(stored) of \(input.events) events")
        }
        return Import(events: stored, seconds: seconds, memoryBefore: before, memoryAfter: after, peakWasReset: peakWasReset,
                      largestAnonymous: largestAnonymous, largestFileBacked: largestFileBacked)
    }

    /// Appends the ledger's own stored records (copied to memory first, not
    /// timed) into a fresh plain LMDB database: key seq (u64 BE), `.append`
    /// put flag, the same batch size, default sync. Returns seconds.
    static func rawBaseline(copyingFrom ledger: Ledger, into directory: String) throws -> (events: Int, seconds: Double) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        try ledger.store.read { txn in
            try ledger.store.forEachRecord(in: txn) { _, record in
                bytes.append(contentsOf: record)
                ends.append(bytes.count)
                return true
            }
        }
        let environment = try Environment(path: directory)
        let database = try environment.openDatabase("events", create: true)
        let count = ends.count
        let (_, seconds) = try timed {
            try bytes.withUnsafeBytes { all in
                var first = 0
                while first < count {
                    let end = min(first + batchSize, count)
                    try environment.write { txn in
                        for i in first..<end {
                            let record = UnsafeRawBufferPointer(rebasing: all[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
                            var key = UInt64(i + 1).bigEndian
                            try withUnsafeBytes(of: &key) { k in
                                _ = try txn.put(database, key: k, value: record, flags: .append)
                            }
                        }
                    }
                    first = end
                }
            }
        }
        return (count, seconds)
    }

    static func figure(_ result: Import, raw: (events: Int, seconds: Double)) -> Figure {
        let ledgerRate = Double(result.events) / result.seconds
        let rawRate = Double(raw.events) / raw.seconds
        let ratio = ledgerRate / rawRate
        return Figure(
            name: "append",
            subject: Side(label: "Ledger.append of generated NDJSON, batches of \(batchSize) (read + parse + validate + store + projections, fsync per batch)",
                          values: [Value("seconds", result.seconds, .seconds, label: "in"), Value("eventsPerSecond", ledgerRate, .eventsPerSecond)]),
            baseline: Side(label: "plain LMDB put(.append) of the same record bytes, same batches",
                           values: [Value("seconds", raw.seconds, .seconds, label: "in"), Value("eventsPerSecond", rawRate, .eventsPerSecond)]),
            comparison: Value("ratio", ratio, .ratio),
            comparisonLabel: "ledger / raw LMDB",
            goal: "≥ 0.5×",
            met: ratio >= 0.5)
    }
}
