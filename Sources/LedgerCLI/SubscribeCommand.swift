import SystemIO
import DossierRules
import Foundation
import LedgerStore
import LedgerContract
import Projections
import Subscriptions
import WorkingTime

/// `subscribe NAME [--from-start|--from SEQ] [--types T,...] [--agency A] [--follow] [--ack-file PATH]
/// [--projection dossiers|violations|kpi|deadlines] [--within HOURS]`.
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
        let positionals = try args.positionals(max: 1, usage: "dossier-ledger subscribe NAME [--from-start|--from SEQ] [--types T,...] [--agency A] [--follow] [--ack-file PATH]")
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
        if let projection, !Ledger.projectionNames.contains(projection) && projection != "deadlines" {
            throw CommandFailure(.usage, "--projection \(projection): expected dossiers, violations, kpi or deadlines")
        }
        if args.value("within") != nil && projection != "deadlines" {
            throw CommandFailure(.usage, "--within applies to --projection deadlines")
        }
        if projection == "deadlines" && (args.value("types") != nil || args.value("ack-file") != nil) {
            throw CommandFailure(.usage, "--projection deadlines takes --agency and --within, not --types or --ack-file")
        }
        signal(SIGPIPE, SIG_IGN)   // a closed stdout becomes a write error, not a silent death mid-acknowledgement
        let ledger = try context.openLedger()
        let subscriptions = try Subscriptions(ledger: ledger)
        if args.flag("from-start") {
            try subscriptions.reset(name, to: 0)
        } else if let from: UInt64 = try args.integer("from", in: 1...UInt64.max) {
            try subscriptions.reset(name, to: from - 1)
        } else if try subscriptions.checkpoint(name) == nil {
            try subscriptions.reset(name, to: 0)
        }
        var position = try subscriptions.checkpoint(name) ?? 0
        if projection == "deadlines" {
            try followDeadlines(name, subscriptions: subscriptions, from: position, window: try DeadlinesCommand.windowSeconds(args.value("within")),
                                agency: args.value("agency"), follow: args.flag("follow"), out: context.out)
            return
        }
        // The KPI feed folds every event (filtered ones too) and reports the rows the matching ones change.
        var kpiFeed = projection == "kpi" ? try KPIChangeFeed(ledger: ledger, through: position) : nil
        let follower = LogFollower(ledger: ledger, filter: kpiFeed == nil ? filter : SubscriptionFilter())
        let matching = LogFollower(ledger: ledger, filter: filter)
        let ackFile = args.value("ack-file")
        let out = context.out
        var transcoder = OutputLineTranscoder(store: ledger.store)
        var w = JSONWriter(capacity: 1 << 20)
        var acknowledged = position
        var lastAck = DispatchTime.now().uptimeNanoseconds
        /// Commits the checkpoint (a durable write): at most every 100 ms while catching up, and before waiting.
        func acknowledge(force: Bool) throws {
            if let ackFile {
                if let text = try? String(contentsOfFile: ackFile, encoding: .utf8),
                   let acked = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    try subscriptions.acknowledge(name, through: min(acked, position))
                }
                return
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard position > acknowledged, force || now - lastAck >= 100_000_000 else { return }
            try subscriptions.acknowledge(name, through: position)
            acknowledged = position
            lastAck = now
        }
        while true {
            let counter = try follower.commitCounter()
            if kpiFeed == nil && projection == nil {
                // The plain feed: lines transcoded from the stored records.
                w.bytes.removeAll(keepingCapacity: true)
                let (written, scanned) = try follower.writeLines(after: position, limit: 8192, with: &transcoder, into: &w)
                if written > 0 {
                    try out.write(w.bytes)
                    try out.flush()
                }
                let moved = scanned > position
                position = scanned
                try acknowledge(force: !moved)
                if moved { continue }
                guard args.flag("follow") else { break }
                _ = try follower.waitForCommit(after: counter, timeout: 0.5)
                continue
            }
            var w = JSONWriter(capacity: 1 << 16)
            let scanned = try ledger.store.read { txn in
                let reference = try ledger.reference(in: txn)
                let asOf = Int64(Date().timeIntervalSince1970)
                var cache = LogFollower.FilterCache()
                return try follower.forEachRecord(after: position, limit: 4096, in: txn) { view in
                    if kpiFeed != nil {
                        // The KPI feed folds every event; lines for the ones the filter passes.
                        let changes = try kpiFeed!.apply(view, ledger: ledger, in: txn)
                        guard try matching.passes(view, cache: &cache, in: txn) else { return }
                        for c in changes {
                            var row = KPIRow(agency: c.key.agency, period: KPIPeriod.day.label(LocalDate(daysSinceEpoch: Int(c.key.day))), counters: c.counters).json(bands: [:])
                            row["overdueInProgress"] = nil   // evaluated at query time, not a counter
                            w.object(["seq": .int(Int64(view.seq)), "projection": .string("kpi"), "row": .object(row)])
                            w.bytes.append(0x0A)
                        }
                    } else if let projection, view.isDossierEvent {
                        // The dossier's new row, or its violations, as of this event.
                        let code = try ledger.store.dossierCode(number: view.dossierNumber, in: txn)
                        guard let state = try ledger.foldedDossier(code, reference: reference, in: txn, include: { $0.seq <= view.seq }) else { return }
                        var line: JSONObject = ["seq": .int(Int64(view.seq)), "projection": .string(projection), "dossier": .string(code)]
                        if projection == "dossiers" {
                            line["row"] = .object(state.json(reference: reference))
                        } else {
                            line["rows"] = .array(state.violations(reference: reference, asOf: asOf).map { .object($0.json) })
                        }
                        w.object(line)
                        w.bytes.append(0x0A)
                    }
                }
            }
            if !w.bytes.isEmpty {
                try out.write(w.bytes)
                try out.flush()
            }
            let moved = scanned > position
            position = scanned
            try acknowledge(force: !moved)
            if moved { continue }   // there may be more after this batch
            guard args.flag("follow") else { break }
            _ = try follower.waitForCommit(after: counter, timeout: 0.5)
        }
    }

    /// The deadline warning feed: a line each time a dossier enters or leaves
    /// `due_soon` or `overdue`, moved by an event or by time alone. The
    /// checkpoint is a seq and the clock the buckets were evaluated at; it is
    /// committed after the lines it covers are flushed (at most every 100 ms
    /// while only the seq moves), so a restart repeats at most unacknowledged
    /// crossings (same `id`) and loses none.
    static func followDeadlines(_ name: String, subscriptions: Subscriptions, from position: UInt64, window: Int64,
                                agency: String?, follow: Bool, out: Output) throws {
        let ledger = subscriptions.ledger
        let follower = LogFollower(ledger: ledger)
        var clock = try subscriptions.clock(name)
        if clock == nil, position > 0 {
            clock = try ledger.store.read { txn in try ledger.store.event(seq: position, in: txn)?.recordedAt.seconds }
        }
        var watch = try DeadlineWatch(ledger: ledger, through: position, clock: clock ?? 0, window: window)
        var acknowledged = (seq: position, clock: watch.clock)
        var lastAck = DispatchTime.now().uptimeNanoseconds
        var w = JSONWriter(capacity: 1 << 16)
        while true {
            let counter = try follower.commitCounter()
            var crossings: [DeadlineWatch.Crossing] = []
            let caughtUp = try ledger.store.read { txn in
                let position = watch.position
                _ = try follower.forEachRecord(after: position, limit: 4096, in: txn) { view in
                    crossings += try watch.apply(view, ledger: ledger, in: txn)
                }
                return watch.position == position
            }
            if caughtUp { crossings = watch.advance(to: Int64(Date().timeIntervalSince1970)) }   // time moves on to now
            let calendar = try ledger.store.read { txn in try ledger.reference(in: txn).calendar }
            w.bytes.removeAll(keepingCapacity: true)
            for c in crossings where agency == nil || c.agency == agency {
                w.object(c.json(calendar: calendar))
                w.bytes.append(0x0A)
            }
            if !w.bytes.isEmpty {
                try out.write(w.bytes)
                try out.flush()
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if (watch.position, watch.clock) != acknowledged,
               !w.bytes.isEmpty || caughtUp || now - lastAck >= 100_000_000 {
                try subscriptions.acknowledge(name, through: watch.position, clock: watch.clock)
                acknowledged = (watch.position, watch.clock)
                lastAck = now
            }
            if !caughtUp { continue }
            guard follow else { return }
            _ = try follower.waitForCommit(after: counter, timeout: 0.5)
        }
    }
}

/// `subscriptions`: every subscription with its checkpoint and lag.
enum SubscriptionsCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["format"], flags: [])
        _ = try args.positionals(max: 0, usage: "dossier-ledger subscriptions [--format table|ndjson]")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson], default: .table)
        let ledger = try context.openLedger()
        let rows: [JSONObject] = try Subscriptions(ledger: ledger).list().map { s in
            ["name": .string(s.name), "checkpoint": .int(Int64(s.checkpoint)), "lag": .int(Int64(s.lag)),
             "updatedAt": .string(Timestamp(seconds: s.updatedAt, offsetMinutes: 420).text)]
        }
        try RowOutput.write(rows, columns: ["name", "checkpoint", "lag", "updatedAt"], format: format, to: context.out)
    }
}
