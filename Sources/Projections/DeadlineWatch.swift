import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import WorkingTime

/// Follows the deadline buckets of every open dossier (REPORTS.md §3) event
/// by event and as time passes, for the warning feed: it reports each time a
/// dossier enters or leaves `due_soon` or `overdue`, whether an event moved
/// it or time alone did.
///
/// Its position is a seq and a clock: the state is the fold of the log up to
/// the seq, evaluated at the clock. An event is taken to act at its
/// `recordedAt` (never before the clock: the clock only moves forward);
/// time crossings are found at the exact instant they happen (`nextDeadlineCrossing`),
/// so the same position always gives the same buckets and a restart from a
/// saved position loses no crossing.
///
/// Memory: one entry per open dossier, and the states of the dossiers
/// followed last (`FollowedStates`), not every dossier's.
public struct DeadlineWatch {
    /// What moved a dossier between buckets.
    public enum Cause: String, Sendable { case event, time }

    /// A dossier entering or leaving `due_soon` or `overdue`.
    public struct Crossing: Sendable, Equatable {
        public var dossier: String
        public var agency: String?
        /// The bucket before and after; nil: not open (not yet received, or processed or ended).
        public var from: DeadlineBucket?
        public var to: DeadlineBucket?
        /// When it happened: the event's effective instant, or the first instant of the new bucket.
        public var at: Int64
        /// The event that moved it, or for time crossings the last seq applied.
        public var seq: UInt64
        public var cause: Cause
        /// The warning after the crossing (nil when no longer open).
        public var warning: DeadlineWarning?

        /// Identifies the crossing across a restart: the same crossing is
        /// reported with the same id however often it is repeated.
        public var id: String {
            let target = to?.rawValue ?? "ended"
            return cause == .event ? "\(dossier):\(target):seq\(seq)" : "\(dossier):\(target):at\(at)"
        }
    }

    private let ledger: Ledger
    private var states: FollowedStates
    /// The bucket of every open dossier.
    /// By exact bytes (`ExactText`), as the ledger tells dossiers apart.
    private var buckets: [ExactText: DeadlineBucket] = [:]
    /// Pending time crossings (instant, dossier), stale ones skipped by `scheduled`.
    private var queue = CrossingQueue()
    private var scheduled: [ExactText: Int64] = [:]
    public let window: Int64
    /// The instant the buckets hold at.
    public private(set) var clock: Int64
    /// The last seq applied.
    public var position: UInt64 { states.position }

    /// Takes the states at `seq` and evaluates every open dossier at `clock`.
    public init(ledger: Ledger, through seq: UInt64, clock: Int64, window: Int64 = defaultWarningWindowSeconds) throws {
        self.ledger = ledger
        self.window = window
        self.clock = clock
        let (states, open) = try ledger.store.read { txn -> (FollowedStates, [(String, DeadlineBucket)]) in
            let states = try FollowedStates(ledger: ledger, through: seq, in: txn)
            let reference = states.reference
            var open: [(String, DeadlineBucket)] = []
            try states.forEachDossier(ledger: ledger, in: txn) { state, _ in
                if let w = state.deadlineWarning(at: clock, reference: reference, window: window) { open.append((state.code, w.bucket)) }
            }
            return (states, open)
        }
        self.states = states
        try ledger.store.read { txn in
            for (code, bucket) in open {
                buckets[ExactText(code)] = bucket
                try schedule(code, in: txn)
            }
        }
    }

    /// Applies the next event of the log (its record, read in `txn`), after
    /// the crossings time brings before it acts, and returns the crossings, in order.
    package mutating func apply(_ view: RecordView, ledger: Ledger, in txn: Transaction) throws -> [Crossing] {
        var out = try advance(to: max(clock, view.recordedAt.seconds), in: txn)
        let after = try states.apply(view, ledger: ledger, in: txn)
        if let after {
            reevaluate(after.code, state: after, cause: .event, seq: view.seq, into: &out)
        } else {
            // Calendars and procedure definitions move every due instant.
            for code in buckets.keys.map(\.text).sorted(by: Key.precedes) { try reevaluate(code, cause: .event, seq: view.seq, into: &out, in: txn) }
        }
        return out
    }

    /// Moves the clock to `instant` (never back) and returns the crossings
    /// time alone brought, in the order they happened.
    public mutating func advance(to instant: Int64) throws -> [Crossing] {
        try ledger.store.read { txn in try advance(to: instant, in: txn) }
    }

    private mutating func advance(to instant: Int64, in txn: Transaction) throws -> [Crossing] {
        var out: [Crossing] = []
        while let next = queue.first, next.at <= instant {
            queue.removeFirst()
            guard scheduled[ExactText(next.code)] == next.at else { continue }   // rescheduled or no longer open
            scheduled[ExactText(next.code)] = nil
            clock = max(clock, next.at)
            try reevaluate(next.code, cause: .time, seq: states.position, at: next.at, into: &out, in: txn)
        }
        clock = max(clock, instant)
        return out
    }

    private mutating func reevaluate(_ code: String, cause: Cause, seq: UInt64, at: Int64? = nil, into out: inout [Crossing], in txn: Transaction) throws {
        reevaluate(code, state: try states.dossier(code, ledger: ledger, in: txn)?.state, cause: cause, seq: seq, at: at, into: &out)
    }

    /// Re-evaluates dossier `code`, whose state at the position is `state` (nil: no event yet).
    private mutating func reevaluate(_ code: String, state: DossierState?, cause: Cause, seq: UInt64, at: Int64? = nil, into out: inout [Crossing]) {
        let instant = at ?? clock
        let key = ExactText(code)
        let warning = state?.deadlineWarning(at: instant, reference: states.reference, window: window)
        let before = buckets[key]
        buckets[key] = warning?.bucket
        schedule(code, key: key, state: state, after: instant)
        guard before != warning?.bucket, before == .dueSoon || before == .overdue || warning?.bucket == .dueSoon || warning?.bucket == .overdue
        else { return }
        out.append(Crossing(dossier: code, agency: warning?.agency ?? state?.agency, from: before, to: warning?.bucket,
                            at: instant, seq: seq, cause: cause, warning: warning))
    }

    private mutating func schedule(_ code: String, in txn: Transaction) throws {
        schedule(code, key: ExactText(code), state: try states.dossier(code, ledger: ledger, in: txn)?.state)
    }

    /// Queues the next crossing of dossier `code` (`key`), whose state at the position is `state`, while it is open.
    private mutating func schedule(_ code: String, key: ExactText, state: DossierState?, after instant: Int64? = nil) {
        guard buckets[key] != nil, let state,
              let next = state.nextDeadlineCrossing(after: instant ?? clock, calendar: states.reference.calendar, window: window) else {
            scheduled[key] = nil
            return
        }
        scheduled[key] = next
        queue.insert(at: next, code: code)
    }
}

/// A binary min-heap of (instant, dossier) by instant, then dossier.
struct CrossingQueue {
    private var items: [(at: Int64, code: String)] = []

    var first: (at: Int64, code: String)? { items.first }

    private static func precedes(_ a: (at: Int64, code: String), _ b: (at: Int64, code: String)) -> Bool {
        a.at != b.at ? a.at < b.at : a.code < b.code
    }

    mutating func insert(at: Int64, code: String) {
        items.append((at, code))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.precedes(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func removeFirst() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, Self.precedes(items[l], items[smallest]) { smallest = l }
            if r < items.count, Self.precedes(items[r], items[smallest]) { smallest = r }
            if smallest == i { return }
            items.swapAt(i, smallest)
            i = smallest
        }
    }
}
