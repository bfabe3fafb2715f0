import Foundation
import Projections
import Synchronization
import ProvinceGenerator

/// Small durable commits: each `Ledger.append` of 1–10 events returns only
/// once it is committed and fsynced (the default). Measured with one writer
/// thread, where every append is a commit of its own, and with `writers`
/// threads appending at once to the same `Ledger` — many services each
/// recording their dossiers' events — where group commit lets the waiting
/// appends share one commit and one fsync; then with `writers` threads
/// again and no fsync, which leaves the appends' own work.
enum DurableCommitBenchmark {
    /// Concurrent writer threads: a realistic count of services appending to
    /// one ledger process. Each blocks until its append is durable, so a
    /// commit can carry at most this many appends.
    static let writers = 64
    /// A smaller group, measured too: a commit's cost at two group sizes
    /// gives what each further append adds, and so the most any number of
    /// writers could gain (`Marginal`).
    static let fewerWriters = 16
    static let secondsPerMode = 2.0
    /// At most this many dossier events are prepared (not timed): enough that
    /// no writer runs out before `secondsPerMode`.
    static let maxEvents = 300_000
    static let groupCommitGoal = 20.0

    /// Events to append: every reference event among the first `maxEvents`
    /// dossier events of the input, loaded first (reference data only adds
    /// what later events may name: agencies, officers, procedures, calendars,
    /// targets), then those dossier events.
    struct Workload {
        var reference: [InputEvent] = []
        var events: [InputEvent] = []
    }

    static func workload(_ input: Input) throws -> Workload {
        var workload = Workload()
        try input.forEachBatch(of: 5000) { lines in
            for e in try Ledger.parse(lines: lines) {
                if e.event.dossier == nil {
                    workload.reference.append(e)
                } else {
                    workload.events.append(e)
                    if workload.events.count == maxEvents { return false }
                }
            }
            return true
        }
        return workload
    }

    struct Outcome {
        var events = 0
        var appends = 0
        /// Durable commits (LMDB transaction ids used); fewer than `appends` with group commit.
        var commits = 0
        var seconds = 0.0
        /// CPU time (user + system) of the whole process over `seconds`: every
        /// writer's thread, the commits and LMDB's calls.
        var cpuSeconds = 0.0
        var latencies = Latencies(capacity: 0)
        var failures: [String] = []
        /// Writers that ran out of events before the time was up (the workload is too small if any).
        var exhausted = 0
        /// Bytes the timed appends handed to the kernel (`DiskBaseline.bytesWritten`): the commits' pages and metas.
        var bytesWritten: Int?
        /// The ledger's data file at the end.
        var fileBytes = 0
        var eventsPerSecond: Double { Double(events) / seconds }
        /// Cores kept busy on average.
        var coresBusy: Double { cpuSeconds / seconds }
        /// CPU time an append took, on all cores together.
        var cpuMicrosecondsPerAppend: Double { cpuSeconds * 1e6 / Double(max(1, appends)) }
        /// Appends a commit carried, on average.
        var appendsPerCommit: Double { Double(appends) / Double(max(1, commits)) }
        /// Wall time per commit, appends waiting for it included.
        var millisecondsPerCommit: Double { seconds * 1000 / Double(max(1, commits)) }
        /// Pages (4 KiB) a commit wrote, on average.
        var pagesPerCommit: Double? {
            bytesWritten.map { Double($0) / Double(DiskBaseline.pageSize) / Double(max(1, commits)) }
        }
    }

    /// The disk alone (`DiskBaseline`), for the pages each mode's commits wrote.
    struct DiskTimes {
        var groupPages = 0
        var singlePages = 0
        /// A group commit's pages, scattered over a file of the ledger's size, then `fdatasync`.
        var groupScattered = 0.0
        /// The same number of pages in one contiguous run.
        var groupContiguous = 0.0
        /// A single writer's commit's pages, scattered.
        var singleScattered = 0.0
    }

    /// Times the disk writing each mode's pages per commit, in `directory`
    /// (nil where the pages written are unknown).
    static func disk(single: Outcome, concurrent: Outcome, directory: String) throws -> DiskTimes? {
        guard let group = concurrent.pagesPerCommit, let one = single.pagesPerCommit else { return nil }
        var times = DiskTimes(groupPages: max(1, Int(group.rounded())), singlePages: max(1, Int(one.rounded())))
        let fileBytes = max(concurrent.fileBytes, single.fileBytes)
        times.groupScattered = try DiskBaseline.syncMilliseconds(pages: times.groupPages, scattered: true, fileBytes: fileBytes, directory: directory)
        times.groupContiguous = try DiskBaseline.syncMilliseconds(pages: times.groupPages, scattered: false, fileBytes: fileBytes, directory: directory)
        times.singleScattered = try DiskBaseline.syncMilliseconds(pages: times.singlePages, scattered: true, fileBytes: fileBytes, directory: directory)
        return times
    }

    private final class Collected: Sendable {
        let outcome = Mutex(Outcome())
    }

    /// Appends the workload to a fresh ledger in `directory` (reference data
    /// first, untimed) from `writers` threads for about `secondsPerMode`.
    /// Each thread owns the dossiers that hash to it, so its appends are
    /// valid whatever the interleaving. With `durable` false the commits
    /// skip their fsync: what is left is the work of the appends alone.
    static func measure(_ workload: Workload, writers: Int, durable: Bool = true, directory: String) throws -> Outcome {
        var options = Ledger.Options()
        options.skipsSync = !durable
        let ledger = try Ledger.create(at: directory, options: options)
        if !workload.reference.isEmpty { try ledger.append(workload.reference) }
        var lists = Array(repeating: [InputEvent](), count: writers)
        for e in workload.events {
            lists[Int(fnv1a(e.event.dossier ?? "") % UInt64(writers))].append(e)
        }
        let firstTransaction = try ledger.store.environment.info.lastTransactionID
        let collected = Collected()
        let group = DispatchGroup()
        let bytesBefore = DiskBaseline.bytesWritten()
        let cpuBefore = cpuSeconds()
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(secondsPerMode * 1e9)
        for (w, list) in lists.enumerated() {
            group.enter()
            let thread = Thread {
                var random = SplitMix64(seed: UInt64(w + 1))
                var mine = Outcome()
                mine.latencies = Latencies(capacity: 4096)
                var next = 0
                while next < list.count && monotonicNanoseconds() < deadline {
                    let end = min(list.count, next + 1 + random.below(10))
                    let batch = Array(list[next..<end])
                    let before = monotonicNanoseconds()
                    do {
                        let report = try ledger.append(batch)
                        mine.latencies.record(monotonicNanoseconds() - before)
                        mine.events += report.storedCount
                        mine.appends += 1
                    } catch {
                        mine.failures.append("writer \(w): \(error)")
                        break
                    }
                    next = end
                }
                if next >= list.count && monotonicNanoseconds() < deadline { mine.exhausted = 1 }
                let finished = mine
                collected.outcome.withLock { total in
                    total.events += finished.events
                    total.appends += finished.appends
                    total.exhausted += finished.exhausted
                    for ns in finished.latencies.nanoseconds { total.latencies.record(ns) }
                    total.failures += finished.failures
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        var outcome = collected.outcome.withLock { $0 }
        outcome.seconds = seconds
        outcome.cpuSeconds = cpuSeconds() - cpuBefore
        if let before = bytesBefore, let after = DiskBaseline.bytesWritten() { outcome.bytesWritten = after - before }
        outcome.fileBytes = (try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? Int) ?? 0
        outcome.commits = try ledger.store.environment.info.lastTransactionID - firstTransaction
        return outcome
    }

    /// A commit's wall time as a line in the appends it carries, fitted
    /// through two group sizes: `baseMilliseconds` + `perAppendMilliseconds`
    /// × appends. As writers grow the ratio to one writer tends to
    /// `bound`: the single writer's time per commit over what each further
    /// append adds to a group's.
    struct Marginal {
        var baseMilliseconds: Double
        var perAppendMilliseconds: Double
        var bound: Double
    }

    static func marginal(single: Outcome, fewer: Outcome, concurrent: Outcome) -> Marginal? {
        let (a, b) = (fewer, concurrent)
        guard b.appendsPerCommit - a.appendsPerCommit >= 1 else { return nil }
        let slope = (b.millisecondsPerCommit - a.millisecondsPerCommit) / (b.appendsPerCommit - a.appendsPerCommit)
        guard slope > 0 else { return nil }
        return Marginal(baseMilliseconds: b.millisecondsPerCommit - slope * b.appendsPerCommit, perAppendMilliseconds: slope,
                        bound: single.millisecondsPerCommit / slope)
    }

    /// - Parameter workAlone: the `writers` threads' appends with no fsync at
    ///   all: the most any disk could let them reach with this work per append.
    static func figure(single s: Outcome, fewer f: Outcome, concurrent c: Outcome, workAlone w: Outcome, disk: DiskTimes?) -> Figure {
        var single = s, concurrent = c
        let ratio = concurrent.eventsPerSecond / single.eventsPerSecond
        let perCommit = concurrent.appendsPerCommit
        let line = marginal(single: s, fewer: f, concurrent: c)
        var notes = [
            "each append of 1–10 events (mean 5.5) waits for a durable commit (fsync); 1 writer: \(grouped(Double(single.appends))) appends in \(grouped(Double(single.commits))) commits; \(writers) writers: \(grouped(Double(concurrent.appends))) appends in \(grouped(Double(concurrent.commits))) commits (\(String(format: "%.1f", perCommit)) per commit)",
        ]
        let singleCommitMilliseconds = single.millisecondsPerCommit
        let groupCommitMilliseconds = concurrent.millisecondsPerCommit
        let eventsPerCommit = Double(concurrent.events) / Double(max(1, concurrent.commits))
        if perCommit < 1.05 {
            notes.append("no group commit observed: every append committed by itself")
        } else {
            notes.append("ratio ≈ appends per commit × (wall time per commit with 1 writer / with \(writers)): \(String(format: "%.1f", perCommit)) × (\(String(format: "%.2f", singleCommitMilliseconds)) ms / \(String(format: "%.2f", groupCommitMilliseconds)) ms); a group of \(String(format: "%.0f", eventsPerCommit)) events is validated, chained, indexed and folded by the one thread committing it (\(String(format: "%.0f", groupCommitMilliseconds * 1000 / max(1, eventsPerCommit))) µs per event, fsync included), and at most \(writers) appends can wait at once")
        }
        let goalCommitMilliseconds = perCommit * singleCommitMilliseconds / groupCommitGoal
        if let disk {
            notes.append("the disk alone, timed in this run: a group commit wrote \(disk.groupPages) pages of 4 KiB, and writing that many at random offsets of a file the ledger's size, then fdatasync, took \(String(format: "%.2f", disk.groupScattered)) ms (as one contiguous run: \(String(format: "%.2f", disk.groupContiguous)) ms); the single writer's \(disk.singlePages) pages took \(String(format: "%.2f", disk.singleScattered)) ms. \(Int(groupCommitGoal))× at \(String(format: "%.1f", perCommit)) appends per commit needs a whole group commit within \(String(format: "%.2f", goalCommitMilliseconds)) ms")
        }
        if let line {
            notes.append("\(fewerWriters) writers shared commits of \(String(format: "%.1f", f.appendsPerCommit)) appends (\(String(format: "%.2f", f.millisecondsPerCommit)) ms each): a commit takes about \(String(format: "%.2f", line.baseMilliseconds)) ms + \(String(format: "%.3f", line.perAppendMilliseconds)) ms an append, so however many writers wait, the ratio to 1 writer stays under \(String(format: "%.1f", line.bound))× (1 writer's commit / what each further append adds); \(Int(groupCommitGoal))× needs an append to add at most \(String(format: "%.3f", singleCommitMilliseconds / groupCommitGoal)) ms")
        }
        let workAloneRatio = w.eventsPerSecond / single.eventsPerSecond
        notes.append("the work alone: the same \(writers) writers with the fsync skipped appended \(grouped(w.eventsPerSecond)) events/s (\(String(format: "%.1f", w.appendsPerCommit)) appends a commit, \(String(format: "%.2f", w.millisecondsPerCommit)) ms each, the one thread committing a group validating, chaining, indexing and folding its events and handing LMDB its pages): \(String(format: "%.1f", workAloneRatio))× the durable single writer, the most any disk could give; \(Int(groupCommitGoal))× needs \(grouped(groupCommitGoal * single.eventsPerSecond)) events/s")
        // The CPU an append may take at 20×, were every core busy all the time.
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let goalAppendsPerSecond = groupCommitGoal * single.eventsPerSecond / (Double(w.events) / Double(max(1, w.appends)))
        let goalCPUMicrosecondsPerAppend = cores * 1e6 / goalAppendsPerSecond
        notes.append("without fsync the process kept \(String(format: "%.2f", w.coresBusy)) of \(Int(cores)) cores busy: \(String(format: "%.0f", w.cpuMicrosecondsPerAppend)) µs of CPU an append, every thread counted; \(Int(groupCommitGoal))× is \(grouped(goalAppendsPerSecond)) appends/s, at most \(String(format: "%.0f", goalCPUMicrosecondsPerAppend)) µs of CPU an append with all \(Int(cores)) cores busy all the time (\(String(format: "%.0f", goalCPUMicrosecondsPerAppend / cores)) µs where one thread does it all)")
        notes.append("slowest append: 1 writer \(String(format: "%.2f", single.latencies.microseconds(atPercentile: 1) / 1000)) ms; \(writers) writers \(String(format: "%.2f", concurrent.latencies.microseconds(atPercentile: 1) / 1000)) ms")
        if concurrent.exhausted + single.exhausted + w.exhausted > 0 {
            notes.append("\(concurrent.exhausted + single.exhausted + w.exhausted) writers ran out of events before \(secondsPerMode) s: raise maxEvents")
        }
        for failure in (single.failures + concurrent.failures + w.failures).prefix(3) { notes.append("append failed: " + failure) }
        return Figure(
            name: "durableSmallCommits",
            subject: Side(label: "\(writers) writer threads calling ledger.append at once",
                          values: [Value("appendP50Milliseconds", concurrent.latencies.microseconds(atPercentile: 0.5) / 1000, .milliseconds, label: "p50"),
                                   Value("appendP99Milliseconds", concurrent.latencies.microseconds(atPercentile: 0.99) / 1000, .milliseconds, label: "p99"),
                                   Value("eventsPerSecond", concurrent.eventsPerSecond, .eventsPerSecond)]),
            baseline: Side(label: "1 writer thread, same kind of appends",
                           values: [Value("appendP50Milliseconds", single.latencies.microseconds(atPercentile: 0.5) / 1000, .milliseconds, label: "p50"),
                                    Value("appendP99Milliseconds", single.latencies.microseconds(atPercentile: 0.99) / 1000, .milliseconds, label: "p99"),
                                    Value("eventsPerSecond", single.eventsPerSecond, .eventsPerSecond)]),
            comparison: Value("ratio", ratio, .ratio),
            comparisonLabel: "\(writers) writers / 1 writer",
            goal: "≥ \(Int(groupCommitGoal))× (group commit)",
            met: ratio >= groupCommitGoal,
            notes: notes,
            details: [Value("writers", Double(writers), .count),
                      Value("appendsPerCommit", perCommit, .count),
                      Value("appends", Double(concurrent.appends), .count),
                      Value("commits", Double(concurrent.commits), .count),
                      Value("singleWriterAppendsPerCommit", single.appendsPerCommit, .count),
                      Value("commitMilliseconds", groupCommitMilliseconds, .milliseconds),
                      Value("singleWriterCommitMilliseconds", singleCommitMilliseconds, .milliseconds),
                      Value("goalCommitMilliseconds", goalCommitMilliseconds, .milliseconds),
                      Value("fewerWriters", Double(fewerWriters), .count),
                      Value("fewerWritersAppendsPerCommit", f.appendsPerCommit, .count),
                      Value("workAloneEventsPerSecond", w.eventsPerSecond, .eventsPerSecond),
                      Value("workAloneRatio", workAloneRatio, .ratio),
                      Value("workAloneCPU", w.coresBusy * 100, .percent),
                      Value("workAloneCPUMicrosecondsPerAppend", w.cpuMicrosecondsPerAppend, .microseconds),
                      Value("goalCPUMicrosecondsPerAppend", goalCPUMicrosecondsPerAppend, .microseconds)]
                + (line.map { line in
                    [Value("commitMillisecondsPerAppend", line.perAppendMilliseconds, .milliseconds),
                     Value("ratioBoundWithManyWriters", line.bound, .ratio)]
                } ?? [])
                + (disk.map { disk in
                    [Value("groupCommitPages", Double(disk.groupPages), .count),
                     Value("singleWriterCommitPages", Double(disk.singlePages), .count),
                     Value("diskGroupPagesScatteredMilliseconds", disk.groupScattered, .milliseconds),
                     Value("diskGroupPagesContiguousMilliseconds", disk.groupContiguous, .milliseconds),
                     Value("diskSingleWriterPagesScatteredMilliseconds", disk.singleScattered, .milliseconds)]
                } ?? []))
    }

    /// FNV-1a over the code's UTF-8: a stable spread of dossiers over writers.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
