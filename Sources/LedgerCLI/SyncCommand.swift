import Foundation
import LedgerContract
import Projections
import Subscriptions
import SystemIO
import Warehouse

/// `sync postgres --database URL [--follow] [--check] [--batch N]`: the
/// national warehouse on PostgreSQL, through psql.
enum SyncCommand {
    /// While commits keep coming, the projections are refreshed at most this often (events go at once).
    static let projectionInterval = 60.0
    /// The projections are refreshed once no commit has come for this long.
    static let quietSeconds = 2.0
    /// While idle, the projections are refreshed this often (open dossiers cross their due instants as time passes).
    static let idleRefreshInterval = 300.0

    static func run(_ context: CommandContext) throws {
        guard context.arguments.first == "postgres" else {
            throw CommandFailure(.usage, "sync needs the target: postgres (usage: \(Help.usage("sync")))")
        }
        let args = try Arguments(Array(context.arguments.dropFirst()), valued: ["database", "batch"], flags: ["follow", "check"])
        _ = try args.positionals(max: 0, command: "sync")
        guard let database = args.value("database"), !database.isEmpty else {
            throw CommandFailure(.usage, "sync postgres needs --database URL (e.g. postgresql://user@host/nation)")
        }
        if args.flag("follow") && args.flag("check") { throw CommandFailure(.usage, "give --follow or --check, not both") }
        FileSystem.ignoreBrokenPipe()   // psql stopping at an error becomes a write error, reported with psql's message
        let ledger = try context.openLedger()
        var sync = try WarehouseSync(ledger: ledger, psql: try Psql(database: database, environment: context.environment))
        if let batch: Int = try args.integer("batch", in: 1...1_000_000) { sync.batchSize = batch }
        let out = context.out
        let position = try sync.prepare()
        let province = sync.identity.province
        if args.flag("check") {
            let check = try sync.check()
            if let failure = check.failure {
                throw CommandFailure(.dataError, "chain of custody FAILED for \(province): seq \(failure.seq): \(failure.problem)")
            }
            try out.line("chain of custody holds for \(province): \(check.checked) events in PostgreSQL recompute to the ledger's hash chain"
                         + (position.seq > 0 ? " through seq \(position.seq), hash \(position.headHash)" : ""))
            return
        }
        // The commit counter is read before the first pass: a commit made during it is synced by the next.
        let follower = LogFollower(ledger: ledger)
        var counter = try follower.commitCounter()
        let start = Date()
        let progress = Progress(enabled: FileSystem.isTerminal(2))
        let pass = try sync.sync { p in progress.update(events: p.events, bytes: 0, seconds: Date().timeIntervalSince(start)) }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        try out.line(pass.events == 0
                     ? "\(province) was already synced through seq \(pass.throughSeq)"
                     : String(format: "synced %@ seq %llu–%llu: %d events in %.1f s (%.0f events/s)", province, pass.fromSeq + 1, pass.throughSeq,
                              pass.events, seconds, Double(pass.events) / max(seconds, 0.001)))
        if pass.projectionsRefreshed { try out.line("projections of \(province) through seq \(pass.throughSeq): \(pass.dossiers) dossier states written") }
        try out.flush()
        guard args.flag("follow") else { return }

        // Events are synced as each commit is seen; the projections are refreshed on a second thread
        // (their own position), so a long refresh never delays an event.
        let refresher = ProjectionRefresher(sync: sync)
        var lastRefresh = Date(), lastCommit = Date(), behind = false
        while true {
            if let refreshed = try refresher.finished() {
                try out.line("projections of \(province) through seq \(refreshed)")
                try out.flush()
            }
            let next = try follower.waitForCommit(after: counter, timeout: 1)
            if let next {
                counter = next
                lastCommit = Date()
                let moved = try sync.sync(projections: false)
                if moved.events > 0 {
                    behind = true
                    try out.line("synced \(province) seq \(moved.fromSeq + 1)–\(moved.throughSeq)")
                    try out.flush()
                }
            }
            let since = Date().timeIntervalSince(lastRefresh)
            let quiet = Date().timeIntervalSince(lastCommit) >= quietSeconds
            if (behind && (quiet || since >= projectionInterval)) || since >= idleRefreshInterval, refresher.start() {
                lastRefresh = Date()
                behind = false
            }
        }
    }
}

/// Refreshes the warehouse's projections on a thread of its own, one refresh at a time.
final class ProjectionRefresher: @unchecked Sendable {
    private let sync: WarehouseSync
    private let lock = NSLock()
    private var running = false
    private var failure: Error?
    private var refreshed: UInt64?

    init(sync: WarehouseSync) {
        self.sync = sync
    }

    /// Starts a refresh unless one is running; returns whether it started.
    func start() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return false }
        running = true
        Thread.detachNewThread { [self] in
            do {
                let pass = try sync.sync(events: false, refresh: true)
                lock.lock()
                if pass.projectionsRefreshed { refreshed = pass.throughSeq }
                running = false
                lock.unlock()
            } catch {
                lock.lock()
                failure = error
                running = false
                lock.unlock()
            }
        }
        return true
    }

    /// The seq a refresh finished since the last call brought the projections to; throws what a refresh failed with.
    func finished() throws -> UInt64? {
        lock.lock()
        defer { lock.unlock(); refreshed = nil }
        if let failure { throw failure }
        return refreshed
    }
}
