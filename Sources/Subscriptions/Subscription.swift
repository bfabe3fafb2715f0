import DossierRules
import Foundation
import LMDB
import LedgerStore
import LedgerContract
import Projections

/// Which events a subscription delivers. Filtering never breaks ordering or
/// checkpoints: events left out still move the checkpoint past them.
public struct SubscriptionFilter: Sendable, Equatable {
    /// Only these types (nil: all).
    public var types: Set<EventType>?
    /// Only dossier events of this agency (the dossier's agency in the live projection).
    public var agency: String?

    public init(types: Set<EventType>? = nil, agency: String? = nil) {
        self.types = types
        self.agency = agency
    }

    public var isEmpty: Bool { types == nil && agency == nil }
}

/// A named, durable position in the log, stored in the ledger.
public struct SubscriptionStatus: Sendable, Equatable {
    public var name: String
    /// The last seq acknowledged (0: nothing yet).
    public var checkpoint: UInt64
    /// When it was last acknowledged (Unix seconds).
    public var updatedAt: Int64
    /// Events between the checkpoint and the head.
    public var lag: UInt64
}

/// Named subscriptions of one ledger: checkpoints stored in the ledger's own
/// LMDB environment (table `subscriptions`), advanced only by acknowledgement.
///
/// Guarantees: a checkpoint never moves backwards unless reset explicitly;
/// events are delivered in seq order; after a crash the consumer resumes
/// after its last acknowledged seq, so it sees at most the unacknowledged
/// events again and never skips one.
public final class Subscriptions: Sendable {
    public let ledger: Ledger
    let table: Database

    public init(ledger: Ledger) throws {
        self.ledger = ledger
        table = try ledger.store.environment.openDatabase("subscriptions", create: true)
    }

    static func validate(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 128, !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw LedgerError(.invalidArgument, "subscription name \"\(name)\" must be 1–128 bytes without spaces")
        }
    }

    /// The stored checkpoint of `name`, nil when the subscription does not exist.
    public func checkpoint(_ name: String) throws -> UInt64? {
        try Self.validate(name)
        return try ledger.store.read { txn in
            try txn.get(table, key: Array(name.utf8)).map { try Key.readU64($0) }
        }
    }

    /// Records that `name` has consumed everything up to `seq` — and, for a
    /// feed that also follows time (the deadline warnings), up to the instant
    /// `clock`. Never moves the checkpoint backwards (a late acknowledgement
    /// is ignored); at the same seq, only a later clock is recorded.
    public func acknowledge(_ name: String, through seq: UInt64, clock: Int64? = nil) throws {
        try Self.validate(name)
        try ledger.store.environment.write { txn in
            if let current = try txn.get(table, key: Array(name.utf8)) {
                let stored = try Key.readU64(current)
                let storedClock = current.count >= 24 ? Int64(bitPattern: try Key.readU64(current, at: 16)) : nil
                if seq < stored { return }
                if seq == stored, clock.map({ c in storedClock.map { c <= $0 } ?? false }) ?? true { return }
            }
            var value = Key.u64(seq) + Key.u64(UInt64(Date().timeIntervalSince1970))
            if let clock { value += Key.u64(UInt64(bitPattern: clock)) }
            try txn.put(table, key: Array(name.utf8), value: value)
        }
    }

    /// The instant a time-following feed of `name` last acknowledged (nil: none recorded).
    public func clock(_ name: String) throws -> Int64? {
        try Self.validate(name)
        return try ledger.store.read { txn in
            try txn.get(table, key: Array(name.utf8)).flatMap { $0.count >= 24 ? Int64(bitPattern: try Key.readU64($0, at: 16)) : nil }
        }
    }

    /// Sets `name`'s checkpoint to exactly `seq` (for --from-start / --from SEQ).
    public func reset(_ name: String, to seq: UInt64) throws {
        try Self.validate(name)
        try ledger.store.environment.write { txn in
            _ = try txn.put(table, key: Array(name.utf8), value: Key.u64(seq) + Key.u64(UInt64(Date().timeIntervalSince1970)))
        }
    }

    /// Every subscription with its lag behind the head.
    public func list() throws -> [SubscriptionStatus] {
        try ledger.store.read { txn in
            let head = try ledger.store.head(in: txn).seq
            var out: [SubscriptionStatus] = []
            try txn.withCursor(table) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    let cp = try Key.readU64(e.value)
                    out.append(SubscriptionStatus(name: String(decoding: e.key, as: UTF8.self), checkpoint: cp,
                                                  updatedAt: e.value.count >= 16 ? Int64(try Key.readU64(e.value, at: 8)) : 0,
                                                  lag: head > cp ? head - cp : 0))
                    entry = try cursor.next()
                }
            }
            return out
        }
    }
}
