import Foundation
import SystemIO
import LMDB
import LedgerStore
import LedgerContract
import Projections

/// Reads the log after a position, in seq order, and waits for commits made
/// by any process.
///
/// LMDB has no change notification: `waitForCommit` polls the id of the
/// last commit a read transaction sees (beginning and ending a read
/// transaction: memory reads of the shared lock file, no system call), so a
/// woken follower's next read always holds the commit that woke it;
/// sleeping 0.5 ms after activity and backing off to 4 ms when idle — a
/// commit is seen within a few milliseconds while an idle follower wakes 250
/// times a second for almost no CPU.
public struct LogFollower: Sendable {
    public let ledger: Ledger
    public let filter: SubscriptionFilter

    public init(ledger: Ledger, filter: SubscriptionFilter = .init()) {
        self.ledger = ledger
        self.filter = filter
    }

    /// What the filter remembers between records of one read: each
    /// dossier's agency in the live projection, looked up once.
    package struct FilterCache {
        var agencies: [UInt32: String?] = [:]
        package init() {}
    }

    /// Whether the record `view` passes the filter: its type, and for
    /// `agency` its dossier's agency in the live projection (reference
    /// events have none).
    @inline(__always)
    package func passes(_ view: RecordView, cache: inout FilterCache, in txn: Transaction) throws -> Bool {
        if let types = filter.types, !types.contains(view.type) { return false }
        guard let agency = filter.agency else { return true }
        guard view.isDossierEvent else { return false }
        if cache.agencies[view.dossierNumber] == nil {
            let code = try ledger.store.dossierCode(number: view.dossierNumber, in: txn)
            cache.agencies[view.dossierNumber] = .some(try ledger.dossier(code, in: txn)?.agency)
        }
        return cache.agencies[view.dossierNumber]! == agency
    }

    /// Calls `body` with each record with seq > `after` that passes the
    /// filter, up to `limit` of them, in seq order; records filtered out are
    /// skipped up to a bounded scan (16 × `limit`). Returns the last seq
    /// examined (filtered-out records included), so a checkpoint can move
    /// past them.
    ///
    /// The mapped pages read are kept within `Environment.residentFileBudget`
    /// (checked every 1,024 records), so that a subscription catching up on
    /// the whole log does not map all of it.
    /// - Throws: `LedgerError(.corrupt)` naming the seq of a record that does not decode.
    @inline(__always)
    package func forEachRecord(after: UInt64, limit: Int, in txn: Transaction, _ body: (RecordView) throws -> Void) throws -> UInt64 {
        let store = ledger.store
        var passed = 0
        var scanned = after
        var cache = FilterCache()
        var mappedPages = Environment.MappedPageBudget(store.environment, in: txn)
        let scanLimit = UInt64(limit) * 16
        try store.forEachRecord(from: after + 1, in: txn) { seq, raw in
            try mappedPages.step()
            scanned = seq
            let view = try store.view(raw, seq: seq)
            guard try passes(view, cache: &cache, in: txn) else { return seq - after < scanLimit }
            try body(view)
            passed += 1
            return passed < limit
        }
        return scanned
    }

    /// Up to `limit` events with seq > `after` that pass the filter, decoded,
    /// and the last seq examined (`forEachRecord(after:limit:in:_:)`).
    public func read(after: UInt64, limit: Int = 4096) throws -> (events: [RecordedEvent], scannedThrough: UInt64) {
        try ledger.store.read { txn in
            var events: [RecordedEvent] = []
            let scanned = try forEachRecord(after: after, limit: limit, in: txn) { view in
                events.append(try ledger.store.decode(view, in: txn))
            }
            return (events, scanned)
        }
    }

    /// Appends the output lines (each ending in a newline) of up to `limit`
    /// events with seq > `after` that pass the filter, transcoded straight
    /// from the stored records; returns how many it wrote and the last seq
    /// examined (`forEachRecord(after:limit:in:_:)`).
    /// - Throws: `LedgerError(.corrupt)` naming the seq of a record that does not decode.
    package func writeLines(after: UInt64, limit: Int = 4096, with transcoder: inout OutputLineTranscoder,
                           into w: inout JSONWriter) throws -> (written: Int, scannedThrough: UInt64) {
        try ledger.store.read { txn in
            var written = 0
            let scanned = try forEachRecord(after: after, limit: limit, in: txn) { view in
                try transcoder.append(view, to: &w, in: txn)
                w.bytes.append(0x0A)
                written += 1
            }
            return (written, scanned)
        }
    }

    /// The id of the last commit (by any process) that a read begun now sees.
    public func commitCounter() throws -> Int { try ledger.store.environment.visibleTransactionID }

    /// Waits until a transaction newer than `counter` commits, or `timeout`
    /// seconds pass, blocking the calling thread.
    /// - Returns: the new counter, or nil on timeout.
    public func waitForCommit(after counter: Int, timeout: Double) throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var pause = Self.firstPause
        while Date() < deadline {
            let now = try commitCounter()
            if now != counter { return now }
            FileSystem.sleep(microseconds: pause)
            pause = min(pause * 2, Self.longestPause)
        }
        return nil
    }

    /// `waitForCommit(after:timeout:)` for async code: sleeps with
    /// `Task.sleep`, so it holds no thread while it waits and ends early
    /// (throwing `CancellationError`) when its task is cancelled.
    public func commit(after counter: Int, timeout: Double) async throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var pause = Self.firstPause
        while Date() < deadline {
            let now = try commitCounter()
            if now != counter { return now }
            try await Task.sleep(nanoseconds: UInt64(pause) * 1000)
            pause = min(pause * 2, Self.longestPause)
        }
        return nil
    }

    /// Microseconds between polls: short after activity, backing off when idle.
    private static let firstPause: UInt32 = 500
    private static let longestPause: UInt32 = 4000
}

/// The events after a subscription's checkpoint as an `AsyncSequence`, for
/// services written in Swift. Nothing is acknowledged for you: call
/// `Subscriptions.acknowledge(_:through:)` with an event's seq once it is
/// safely processed (at-least-once delivery; de-duplicate by seq).
public struct SubscriptionStream: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    public let follower: LogFollower
    public let start: UInt64
    /// Keep waiting for new commits at the end of the log.
    public let follow: Bool

    public init(subscriptions: Subscriptions, name: String, filter: SubscriptionFilter = .init(), follow: Bool) throws {
        follower = LogFollower(ledger: subscriptions.ledger, filter: filter)
        start = try subscriptions.checkpoint(name) ?? 0
        self.follow = follow
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let follower: LogFollower
        let follow: Bool
        var position: UInt64
        var buffered: [RecordedEvent] = []
        var index = 0

        public mutating func next() async throws -> RecordedEvent? {
            while index == buffered.count {
                let counter = try follower.commitCounter()
                let (events, scanned) = try follower.read(after: position)
                position = scanned
                buffered = events
                index = 0
                if !events.isEmpty { break }
                guard follow else { return nil }
                _ = try await follower.commit(after: counter, timeout: 0.25)
            }
            defer { index += 1 }
            return buffered[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(follower: follower, follow: follow, position: start)
    }
}
