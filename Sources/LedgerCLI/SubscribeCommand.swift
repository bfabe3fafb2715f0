import SystemIO
import DossierRules
import Foundation
import LedgerContract
import Projections
import Subscriptions
import WorkingTime

/// `subscribe NAME [--from-start|--from SEQ] [--types T,...] [--agency A] [--follow] [--ack-file PATH]
/// [--projection dossiers|violations|kpi|deadlines|targets] [--within HOURS]`.
///
/// Writes contract output lines after the subscription's checkpoint; the
/// plain feed transcodes them straight from the stored records (the bytes
/// `export` writes). Lines are written and flushed to stdout batch by batch.
///
/// When acknowledgements happen: by default the checkpoint is committed
/// (a durable write) past lines already flushed — at most every 100 ms while
/// catching up, and always when the end of the log is reached: before
/// waiting for new commits (`--follow`) and at exit. With `--ack-file PATH`
/// it advances only to the seq the consumer writes into that file (read
/// after every batch). Killed at any moment, or stopped by an error, it
/// resumes after the last acknowledged seq: nothing skipped, at most the
/// unacknowledged lines (each with its seq) repeated.
enum SubscribeCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["from", "types", "agency", "ack-file", "projection", "within"], flags: ["from-start", "follow"])
        let positionals = try args.positionals(max: 1, command: "subscribe")
        guard let name = positionals.first else { throw CommandFailure(.usage, "subscribe needs a subscription name") }
        var filter = SubscriptionFilter(agency: args.value("agency"))
        if let list = args.value("types") {
            var types = Set<EventType>()
            for t in list.split(separator: ",") {
                guard let type = EventType(name: String(t)) else { throw CommandFailure(.usage, "--types: unknown type \"\(t)\" (known: \(EventType.allNames))") }
                types.insert(type)
            }
            filter.types = types
        }
        let projection = args.value("projection")
        let timed = projection == "deadlines" || projection == "targets"
        if let projection, SubscriptionFeed.Kind(rawValue: projection) == nil || projection == "events", !timed {
            throw CommandFailure(.usage, "--projection \(projection): expected dossiers, violations, kpi, deadlines or targets")
        }
        if args.value("within") != nil && projection != "deadlines" {
            throw CommandFailure(.usage, "--within applies to --projection deadlines")
        }
        if let projection, timed && (args.value("types") != nil || args.value("ack-file") != nil) {
            throw CommandFailure(.usage, "--projection \(projection) takes --agency\(projection == "deadlines" ? " and --within" : ""), not --types or --ack-file")
        }
        FileSystem.ignoreBrokenPipe()   // a closed stdout becomes a write error, not a silent death mid-acknowledgement
        let ledger = try context.openLedger()
        let subscriptions = try Subscriptions(ledger: ledger)
        if args.flag("from-start") {
            try subscriptions.reset(name, to: 0)
        } else if let from: UInt64 = try args.integer("from", in: 1...Arguments.maxSeq) {
            try subscriptions.reset(name, to: from - 1)
        } else if try subscriptions.checkpoint(name) == nil {
            try subscriptions.reset(name, to: 0)
        }
        var position = try subscriptions.checkpoint(name) ?? 0
        let waiter = LogFollower(ledger: ledger)
        let out = context.out
        if timed {
            let clock = try subscriptions.clock(name)
            var feed: any ClockedFeed = projection == "deadlines"
                ? try DeadlineFeed(ledger: ledger, after: position, clock: clock,
                                   window: try DeadlinesCommand.windowSeconds(args.value("within")), agency: args.value("agency"))
                : try TargetFeed(ledger: ledger, after: position, clock: clock, agency: args.value("agency"))
            try follow(waiter, forever: args.flag("follow"), to: out) { w in
                let caughtUp = try feed.next(now: Int64(Date().timeIntervalSince1970), into: &w)
                return (caughtUp, (feed.position, feed.clock))
            } acknowledge: { through, force in
                try subscriptions.acknowledge(name, through: through.seq, clock: through.clock)
            }
            return
        }
        let kind = projection.flatMap(SubscriptionFeed.Kind.init(rawValue:)) ?? .events
        var feed = try SubscriptionFeed(ledger: ledger, kind: kind, filter: filter, after: position)
        let ackFile = args.value("ack-file")
        try follow(waiter, forever: args.flag("follow"), to: out) { w in
            let scanned = try feed.next(after: position, limit: kind == .events ? 8192 : 4096, into: &w)
            let caughtUp = scanned == position
            position = scanned
            return (caughtUp, (position, 0))
        } acknowledge: { through, force in
            if let ackFile {
                // Only what the consumer says it has stored.
                if let text = try? String(contentsOfFile: ackFile, encoding: .utf8),
                   let acked = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    try subscriptions.acknowledge(name, through: min(acked, through.seq))
                }
            } else {
                try subscriptions.acknowledge(name, through: through.seq)
            }
        }
    }

    /// Runs a feed: writes and flushes each batch's lines, then acknowledges
    /// the position past them — at most every 100 ms while catching up (each
    /// acknowledgement is a durable write), and always when the end of the
    /// log is reached, before waiting for commits of any process (`forever`)
    /// or exiting.
    /// - Parameter batch: appends the next batch's lines; returns whether the log had nothing more, and the new position.
    private static func follow(_ waiter: LogFollower, forever: Bool, to out: Output,
                               batch: (inout JSONWriter) throws -> (caughtUp: Bool, position: (seq: UInt64, clock: Int64)),
                               acknowledge: ((seq: UInt64, clock: Int64), Bool) throws -> Void) throws {
        var w = JSONWriter(capacity: 1 << 20)
        var acknowledged: (seq: UInt64, clock: Int64)?
        var lastAck: UInt64 = 0
        while true {
            let counter = try waiter.commitCounter()
            w.bytes.removeAll(keepingCapacity: true)
            let (caughtUp, position) = try batch(&w)
            if !w.bytes.isEmpty {
                try out.write(w.bytes)
                try out.flush()
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if acknowledged.map({ $0 != position }) ?? true, caughtUp || now - lastAck >= 100_000_000 {
                try acknowledge(position, caughtUp)
                acknowledged = position
                lastAck = now
            }
            if !caughtUp { continue }
            guard forever else { return }
            _ = try waiter.waitForCommit(after: counter, timeout: 0.5)
        }
    }
}

/// `subscriptions`: every subscription with its checkpoint and lag.
enum SubscriptionsCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["format"], flags: [])
        _ = try args.positionals(max: 0, command: "subscriptions")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson], default: .table)
        let ledger = try context.openLedger()
        let rows: [JSONObject] = try Subscriptions(ledger: ledger).list().map { s in
            ["name": .string(s.name), "checkpoint": .int(Int64(s.checkpoint)), "lag": .int(Int64(s.lag)),
             "updatedAt": .string(Timestamp(seconds: s.updatedAt, offsetMinutes: 420).text)]
        }
        try RowOutput.write(rows, columns: ["name", "checkpoint", "lag", "updatedAt"], format: format, to: context.out)
    }
}
