import Foundation
import LMDB
import LedgerStore
import LedgerContract
import Projections
import Synchronization

/// Import throughput: generated NDJSON read, parsed and appended through
/// `Ledger.append` in batches of 5000 (validation, hash chain, indexes and
/// projections in each batch's transaction, one fsync per batch), against two
/// baselines measured in the same run:
/// - the same lines, parsed the same way, appended in the same batches into a
///   fresh directory through the event store alone (`EventStore` + `Appender`:
///   id lookups, hash chain, log and indexes; no domain validation, no
///   projections) — the cost of the projections and the rules;
/// - a plain LMDB database receiving the same record bytes in the same batches
///   — the cost of everything above LMDB.
enum AppendBenchmark {
    static let batchSize = 5000
    static let rawGoal = 0.5
    static let projectionsGoal = 0.5

    /// The input of the last `importInput`, for the event-store baseline
    /// (`rawBaseline(copyingFrom:into:)` is called with the ledger only).
    private static let lastInput = Mutex<Input?>(nil)

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
    /// the file (page cache), `Ledger.parse(lines:)` and `Ledger.append`, and
    /// releasing the mapped pages after each batch as `import` does.
    static func importInput(_ input: Input, into ledger: Ledger) throws -> Import {
        lastInput.withLock { $0 = input }
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
                try ledger.releaseMappedPagesOverBudget()   // as `import` does after each batch
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

    /// Both baselines of the figure, measured one after the other.
    struct Baselines {
        /// Plain LMDB puts of the ledger's record bytes.
        var raw: (events: Int, seconds: Double)
        /// The event store alone, from the same input lines.
        var storeOnly: (events: Int, seconds: Double)
    }

    /// The raw LMDB baseline into `directory`, then the event-store baseline
    /// of the input just imported into `<directory>/event-store` (a fresh
    /// store of its own).
    static func rawBaseline(copyingFrom ledger: Ledger, into directory: String) throws -> Baselines {
        guard let input = lastInput.withLock({ $0 }) else { throw BenchError("append: the event-store baseline needs importInput first") }
        let raw = try rawLMDB(copyingFrom: ledger, into: directory)
        settleDisk()
        let storeOnly = try eventStoreOnly(input, into: directory + "/event-store")
        guard storeOnly.events == raw.events else {
            throw BenchError("the event-store baseline stored \(storeOnly.events) events, the ledger \(raw.events)")
        }
        return Baselines(raw: raw, storeOnly: storeOnly)
    }

    /// The same lines as `importInput`, read and parsed the same way
    /// (`Ledger.parse(lines:)`) and appended in the same batches, one durable
    /// commit each, into a fresh `EventStore` through `Appender` — the store
    /// work `Ledger.append` does (id lookup of each event, version and
    /// dossier number, hash chain, record, indexes, interned strings, head)
    /// without the domain rules, the personal-data check, the dossier-state
    /// reads, the nested transaction per batch and the projections. Timed
    /// like the import: reading, parsing and appending.
    static func eventStoreOnly(_ input: Input, into directory: String) throws -> (events: Int, seconds: Double) {
        let store = try EventStore.create(at: directory)
        var stored = 0
        let (_, seconds) = try timed {
            try input.forEachBatch(of: batchSize) { lines in
                let events = try Ledger.parse(lines: lines)
                let recordedAt = Ledger.now()
                let appender = try store.environment.write { txn in
                    var appender = try Appender(store: store, in: txn)
                    try store.withLogCursor(in: txn) { logCursor in try appendEach(events, recordedAt: recordedAt, with: &appender, through: logCursor, in: txn) }
                    try appender.finish(in: txn)
                    return appender
                }
                appender.publish()
                stored = Int(appender.lastSeq)
                return true
            }
        }
        return (stored, seconds)
    }

    /// The raw append of `events` (`eventStoreOnly`): each claimed, and stored unless its id is.
    private static func appendEach(_ events: [InputEvent], recordedAt: Timestamp, with appender: inout Appender,
                                   through logCursor: Cursor, in txn: Transaction) throws {
        let store = appender.store
        for input in events {
            let canonical = CanonicalEncoding(input.event)
            let identityKey = IdentityKey(of: input.event, canonical)
            if let seq = try appender.claim(input.event, identityKey: identityKey, in: txn) {
                // What Ledger.append does with a repeat: compare it with the stored event, store nothing.
                guard let original = try store.event(seq: seq, in: txn), original.event.hasSameContent(as: input.event) else {
                    throw BenchError("line \(input.line): id already stored at seq \(seq) with different content")
                }
                continue
            }
            let slot = input.event.dossier.map { appender.slot(ofDossier: $0) }
            _ = try appender.append(input.event, slot: slot, canonical: canonical, recordedAt: recordedAt, in: txn, through: logCursor)
        }
    }

    /// Appends the ledger's own stored records (copied to memory first, not
    /// timed) into a fresh plain LMDB database: key seq (u64 BE), `.append`
    /// put flag, the same batch size, default sync. Returns seconds.
    static func rawLMDB(copyingFrom ledger: Ledger, into directory: String) throws -> (events: Int, seconds: Double) {
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

    static func figure(_ result: Import, raw baselines: Baselines) -> Figure {
        let raw = baselines.raw, storeOnly = baselines.storeOnly
        let ledgerRate = Double(result.events) / result.seconds
        let rawRate = Double(raw.events) / raw.seconds
        let storeOnlyRate = Double(storeOnly.events) / storeOnly.seconds
        let ratio = ledgerRate / rawRate
        let projectionsRatio = ledgerRate / storeOnlyRate
        let rawMet = ratio >= rawGoal, projectionsMet = projectionsRatio >= projectionsGoal
        func verdict(_ met: Bool) -> String { met ? "met" : "not met" }
        return Figure(
            name: "append",
            subject: Side(label: "Ledger.append of generated NDJSON, batches of \(batchSize) (read + parse + validate + store + projections, fsync per batch)",
                          values: [Value("seconds", result.seconds, .seconds, label: "in"), Value("eventsPerSecond", ledgerRate, .eventsPerSecond)]),
            baseline: Side(label: "raw LMDB: plain put(.append) of the same record bytes, same batches; without projections: the same lines, parse, batches and fsyncs through EventStore + Appender alone (id lookups, hash chain, log, indexes; no validation, no projections)",
                           values: [Value("seconds", raw.seconds, .seconds, label: "raw LMDB in"), Value("eventsPerSecond", rawRate, .eventsPerSecond),
                                    Value("withoutProjectionsSeconds", storeOnly.seconds, .seconds, label: "without projections in"),
                                    Value("withoutProjectionsEventsPerSecond", storeOnlyRate, .eventsPerSecond)]),
            comparison: Value("ratio", ratio, .ratio),
            comparisonLabel: "ledger / raw LMDB",
            goal: "ledger / raw LMDB ≥ \(rawGoal)× and with projections / without ≥ \(projectionsGoal)×",
            met: rawMet && projectionsMet,
            notes: [
                "ledger / raw LMDB = \(Value("", ratio, .ratio).text), goal ≥ \(rawGoal)×: \(verdict(rawMet))",
                "with projections / without (Ledger.append / event store alone) = \(Value("", projectionsRatio, .ratio).text), goal ≥ \(projectionsGoal)×: \(verdict(projectionsMet))",
            ],
            details: [Value("withProjectionsOverWithoutRatio", projectionsRatio, .ratio)])
    }
}
