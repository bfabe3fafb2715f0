import DossierRules
import Foundation
import LMDB
import LedgerContract
import LedgerStore
import Projections

/// The NDJSON lines a subscription delivers after a position in the log,
/// a batch at a time, each line carrying the `seq` that caused it:
/// - `events`: the contract's output lines (what `export` writes);
/// - `dossiers`: for each dossier event, the dossier's new row;
/// - `violations`: for each dossier event, the dossier's violations (evaluated now);
/// - `kpi`: for each event, the agency-day KPI rows it changed, with their new counters.
///
/// A dossier's state after an event is the one the live projection held
/// then: each event folded with the reference data as the log stood at it
/// (a reference event recorded later, even back-dated, does not change
/// it). Rows and violations are shown with the reference data of the
/// batch's snapshot, as the `dossiers` and `violations` commands show them.
///
/// Filters never break order or checkpoints: a batch reports the last seq
/// it examined, filtered-out events included. Use one feed from one thread,
/// each batch starting where the last one ended.
///
/// Memory: the `dossiers`, `violations` and `kpi` feeds keep the states of
/// the dossiers followed last (`FollowedStates`), not every dossier's. A
/// filtered `dossiers` or `violations` feed keeps none: it reads the state
/// of each dossier it shows where it lies, and passes over the other events.
public struct SubscriptionFeed {
    public enum Kind: String, Sendable, CaseIterable { case events, dossiers, violations, kpi }

    public let kind: Kind
    public let ledger: Ledger
    private let follower: LogFollower
    /// The events whose lines are written. Except for `events`, the follower
    /// reads them all: the states and counters follow every event.
    private let matching: LogFollower
    private var kpi: KPIChangeFeed?
    /// For `dossiers` and `violations`: the dossiers' states at the last seq applied.
    private var states: FollowedStates?
    private var lines: OutputLines

    /// A feed of `kind` whose next batch starts after `position`.
    public init(ledger: Ledger, kind: Kind, filter: SubscriptionFilter = .init(), after position: UInt64) throws {
        self.ledger = ledger
        self.kind = kind
        matching = LogFollower(ledger: ledger, filter: filter)
        follower = kind == .events ? matching : LogFollower(ledger: ledger)
        kpi = kind == .kpi ? try KPIChangeFeed(ledger: ledger, through: position) : nil
        let capacity = filter.isEmpty ? FollowedStates.defaultCapacity : 0
        states = kind == .dossiers || kind == .violations
            ? try ledger.store.read { txn in try FollowedStates(ledger: ledger, through: position, capacity: capacity, in: txn) } : nil
        lines = OutputLines(ledger: ledger)
    }

    /// Appends the lines of the events after `position` (up to `limit` of
    /// them) to `w`, each ending in a newline, and returns the last seq
    /// examined: `position` when the log has nothing after it.
    ///
    /// A feed started after the log's head (`subscribe --from` a seq not yet
    /// stored) follows the events up to its position without a line, as
    /// they come, so that its first line shows the states after them.
    /// - Throws: `LedgerError(.invalidArgument)` when a `dossiers`,
    ///   `violations` or `kpi` feed is asked for a batch before the seq it has followed to.
    public mutating func next(after position: UInt64, limit: Int = 4096, into w: inout JSONWriter) throws -> UInt64 {
        if kind == .events {
            return try follower.writeLines(after: position, limit: limit, with: &lines.transcoder, into: &w).scannedThrough
        }
        let followed = kpi?.position ?? states?.position ?? position
        guard followed <= position else {
            throw LedgerError(.invalidArgument, "the \(kind.rawValue) feed has followed the log to seq \(followed), after \(position)")
        }
        return try ledger.store.read { txn in
            if followed < position {
                // The follower reads every event: the limit stops it at the position.
                _ = try follower.forEachRecord(after: followed, limit: Int(position - followed), in: txn) { view in
                    if kind == .kpi { _ = try kpi!.apply(view, ledger: ledger, in: txn) } else { try states!.pass(view, ledger: ledger, in: txn) }
                }
                guard (kpi?.position ?? states?.position) == position else { return position }
            }
            let reference = try ledger.reference(in: txn)
            let asOf = Int64(Date().timeIntervalSince1970)
            var cache = LogFollower.FilterCache()
            return try follower.forEachRecord(after: position, limit: limit, in: txn) { view in
                if kind == .kpi {
                    let changes = try kpi!.apply(view, ledger: ledger, in: txn)
                    guard try matching.passes(view, cache: &cache, in: txn) else { return }
                    for c in changes {
                        let row = KPIRow(agency: c.key.agency, period: KPIPeriod.day.label(LocalDate(daysSinceEpoch: Int(c.key.day))), counters: c.counters)
                        w.raw("{")
                        w.member("seq", .int(Int64(view.seq)), first: true)
                        w.member("projection", .string("kpi"))
                        w.key("row")
                        row.writeJSON(bands: [:], withOverdueInProgress: false, into: &w)   // evaluated at query time, not a counter
                        w.raw("}\n")
                    }
                    return
                }
                guard view.isDossierEvent, try matching.passes(view, cache: &cache, in: txn) else {
                    return try states!.pass(view, ledger: ledger, in: txn)
                }
                // The dossier's new row, or its violations, as of this event.
                guard let state = try states!.apply(view, ledger: ledger, in: txn) else { return }
                w.raw("{")
                w.member("seq", .int(Int64(view.seq)), first: true)
                w.member("projection", .string(kind.rawValue))
                w.member("dossier", .string(state.code))
                if kind == .dossiers {
                    w.key("row")
                    state.writeJSON(reference: reference, into: &w)
                } else {
                    w.member("rows", .array(state.violations(reference: reference, asOf: asOf).map { .object($0.json) }))
                }
                w.raw("}\n")
            }
        }
    }
}

/// The deadline warning feed (REPORTS.md §3): a line each time a dossier
/// enters or leaves `due_soon` or `overdue`, moved by an event or by time
/// alone (`DeadlineWatch`). Its position is a seq and the instant the
/// buckets were evaluated at (`Subscriptions.acknowledge(_:through:clock:)`
/// stores both); resumed from a saved position, it repeats at most the
/// crossings after it, with the same `id`, and loses none.
/// A feed whose lines depend on time as well as on the log (deadline
/// crossings, target statuses): its position is a seq and the instant it
/// was evaluated to, both saved with the subscription's checkpoint.
public protocol ClockedFeed {
    /// The seq and instant to acknowledge.
    var position: UInt64 { get }
    var clock: Int64 { get }
    /// Moves on through the log, or when caught up to `now`, appending lines to `w`.
    /// - Returns: whether the log had nothing more.
    mutating func next(now: Int64, into w: inout JSONWriter) throws -> Bool
}

extension ClockedFeed {
    /// The instant a feed resumes at: the saved one, else when the event at
    /// `position` was recorded (1970 for the start of the log).
    static func startClock(_ ledger: Ledger, position: UInt64, clock: Int64?) throws -> Int64 {
        if let clock { return clock }
        guard position > 0 else { return 0 }
        return try ledger.read { try $0.event(seq: position)?.recordedAt.seconds } ?? 0
    }
}

/// The seq a clocked feed resumed after. One started ahead of the log
/// (`subscribe --from` a seq not yet stored) follows the events up to it as
/// they come, in batches that stop there, and prints nothing until it has
/// reached it.
struct FeedStart {
    let seq: UInt64
    /// Whether the feed has followed the log up to `seq`.
    private(set) var reached: Bool

    init(_ seq: UInt64, followed: UInt64) {
        self.seq = seq
        reached = followed >= seq
    }

    /// How many events to follow after `followed`: `limit`, or fewer, so as
    /// to stop at `seq` while it is not reached.
    func batch(_ limit: Int, after followed: UInt64) -> Int {
        reached ? limit : Int(min(UInt64(limit), seq - followed))
    }

    /// Whether the feed, having followed the log to `followed`, reaches `seq` now.
    mutating func reachesNow(_ followed: UInt64) -> Bool {
        guard !reached, followed == seq else { return false }
        reached = true
        return true
    }
}

public struct DeadlineFeed: ClockedFeed {
    public let ledger: Ledger
    private var watch: DeadlineWatch
    private let follower: LogFollower
    /// Only crossings of this agency's dossiers are written (nil: all).
    public let agency: String?
    /// Where it resumed. Started ahead of the log, it applies the events up
    /// to there without a line and without moving its clock on while it
    /// waits for them, so that from there it prints what a feed that
    /// followed the whole log prints.
    private var start: FeedStart

    /// The last seq applied, and the instant evaluated to.
    public var position: UInt64 { watch.position }
    public var clock: Int64 { watch.clock }

    /// Resumes at `position` and `clock` (nil: the instant the event at
    /// `position` was recorded, or 1970 for the start of the log).
    public init(ledger: Ledger, after position: UInt64, clock: Int64?, window: Int64 = defaultWarningWindowSeconds, agency: String? = nil) throws {
        self.ledger = ledger
        self.agency = agency
        follower = LogFollower(ledger: ledger)
        watch = try DeadlineWatch(ledger: ledger, through: position, clock: try Self.startClock(ledger, position: position, clock: clock), window: window)
        start = FeedStart(position, followed: watch.position)
    }

    /// Applies up to `limit` events after the position, or when there are
    /// none moves the clock to `now`; appends the crossing lines to `w`.
    /// - Returns: whether the log had nothing more (the clock then moved).
    public mutating func next(now: Int64, into w: inout JSONWriter) throws -> Bool {
        try next(now: now, limit: 4096, into: &w)
    }

    public mutating func next(now: Int64, limit: Int, into w: inout JSONWriter) throws -> Bool {
        var crossings: [DeadlineWatch.Crossing] = []
        let (caughtUp, calendar) = try ledger.store.read { txn in
            let before = watch.position
            _ = try follower.forEachRecord(after: before, limit: start.batch(limit, after: before), in: txn) { view in
                crossings += try watch.apply(view, ledger: ledger, in: txn)
            }
            return (watch.position == before, try ledger.reference(in: txn).calendar)
        }
        if !start.reached { return start.reachesNow(watch.position) ? false : caughtUp }
        if caughtUp { crossings = try watch.advance(to: now) }
        for c in crossings where agency == nil || c.agency == agency {
            w.object(c.json(calendar: calendar))
            w.bytes.append(0x0A)
        }
        return caughtUp
    }
}

/// The target status feed (`subscribe --projection targets`): a line each
/// time a target's status changes — because events changed its counts, a
/// revision replaced it, or time moved its projection or ended its period —
/// and one for each target newly in force.
///
/// Statuses are evaluated when the feed has caught up with the log: after
/// new events, and while idle every `idleEvaluationSeconds` (so a period's
/// end shows within that time). A feed that catches up on many events
/// reports the change from the status it last reported to the status now,
/// not every status in between. The position to acknowledge is that of the
/// last evaluation.
public struct TargetFeed: ClockedFeed {
    public let ledger: Ledger
    private var watch: TargetWatch
    private let follower: LogFollower
    /// Only targets of this agency, the agencies under it and their officers (nil: all).
    public let agency: String?
    /// Where it resumed. Started ahead of the log, it folds the events up
    /// to there, then evaluates the statuses there without a line, as a feed
    /// resumed there evaluates them.
    private var start: FeedStart
    /// How often statuses are evaluated again while no event arrives.
    public static let idleEvaluationSeconds: Int64 = 60

    /// The seq and instant of the last evaluation.
    public var position: UInt64 { watch.position }
    public var clock: Int64 { watch.clock }

    /// Resumes at `position` and `clock` (nil: the instant the event at
    /// `position` was recorded, or 1970 for the start of the log).
    public init(ledger: Ledger, after position: UInt64, clock: Int64?, agency: String? = nil) throws {
        self.ledger = ledger
        self.agency = agency
        follower = LogFollower(ledger: ledger)
        watch = try TargetWatch(ledger: ledger, through: position, clock: try Self.startClock(ledger, position: position, clock: clock))
        start = FeedStart(position, followed: watch.position)
    }

    /// Folds up to `limit` events after the position; when there are none,
    /// evaluates the statuses at `now` if events came since the last
    /// evaluation or it is `idleEvaluationSeconds` old, and appends a line
    /// per change to `w`.
    /// - Returns: whether the log had nothing more.
    public mutating func next(now: Int64, into w: inout JSONWriter) throws -> Bool {
        try next(now: now, limit: 65_536, into: &w)
    }

    public mutating func next(now: Int64, limit: Int, into w: inout JSONWriter) throws -> Bool {
        let caughtUp = try ledger.store.read { txn in
            let before = watch.folded
            _ = try follower.forEachRecord(after: before, limit: start.batch(limit, after: before), in: txn) { view in
                try watch.apply(view, ledger: ledger, in: txn)
            }
            return watch.folded == before
        }
        if !start.reached {
            guard start.reachesNow(watch.folded) else { return caughtUp }
            _ = try watch.evaluate(at: try Self.startClock(ledger, position: start.seq, clock: nil))
            return false
        }
        guard caughtUp, watch.hasNewEvents || now - watch.clock >= Self.idleEvaluationSeconds else { return caughtUp }
        let changes = try watch.evaluate(at: now)
        let reference = watch.reference
        for c in changes where agency.map({ reference.holder(c.progress.assignment.holder, isUnder: $0) }) ?? true {
            w.object(c.json(calendar: reference.calendar))
            w.bytes.append(0x0A)
        }
        return caughtUp
    }
}
