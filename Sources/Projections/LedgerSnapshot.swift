import Dispatch
import DossierRules
import LMDB
import LedgerContract
import LedgerStore
import Synchronization

/// A consistent view of a ledger for one read: the log, the projections and
/// the reference data as of one commit, whatever other processes write
/// meanwhile.
///
/// Made by `Ledger.read`, and valid only inside the closure that received
/// it (it reads through that closure's transaction; keep neither the
/// snapshot nor values it lent, such as the states visited, past it).
/// Use it from the thread that called `read`.
public struct LedgerSnapshot {
    package let ledger: Ledger
    package let txn: Transaction

    package init(ledger: Ledger, txn: Transaction) {
        self.ledger = ledger
        self.txn = txn
    }

    /// The ledger's directory.
    public var path: String { ledger.path }

    /// The reference data (agencies, officers, procedures, calendars, scorecards) as of this snapshot.
    public func reference() throws -> ReferenceData { try ledger.reference(in: txn) }

    /// The last event of the log: its seq (0 when empty) and hash.
    public func head() throws -> Head { try ledger.store.head(in: txn) }

    /// Dossiers with at least one event.
    public func dossierCount() throws -> Int { try ledger.store.dossierCount(in: txn) }

    /// Reference-data events in the log.
    public func referenceEventCount() throws -> Int { try txn.statistics(ledger.store.tables.references).entries }

    /// A dossier's current state, or nil when it has no events.
    /// - Complexity: one B-tree lookup and a decode.
    public func dossier(_ code: String) throws -> DossierState? { try ledger.dossier(code, in: txn) }

    /// Every dossier's state, in dossier-code order, in bounded memory (see `Ledger.forEachDossier(in:_:)`).
    public func forEachDossier(_ body: (DossierState) throws -> Void) throws { try ledger.forEachDossier(in: txn, body) }

    /// Every open dossier's state (received, not processed or ended), in dossier-code order.
    /// - Complexity: O(open dossiers × log n).
    public func forEachOpenDossier(_ body: (DossierState) throws -> Void) throws { try ledger.forEachOpenDossier(in: txn, body) }

    /// The event at `seq`, decoded; nil past the head.
    public func event(seq: UInt64) throws -> RecordedEvent? { try ledger.store.event(seq: seq, in: txn) }

    /// The seqs of a dossier's events, in version order.
    public func seqs(ofDossier code: String) throws -> [UInt64] { try ledger.store.seqs(ofDossier: code, in: txn) }

    /// A dossier's events, decoded, in version order.
    public func events(ofDossier code: String) throws -> [RecordedEvent] { try ledger.store.events(ofDossier: code, in: txn) }

    /// Calls `body` with each event with `from ≤ seq ≤ to`, decoded, in seq order, until it returns false.
    public func forEachEvent(from: UInt64 = 1, to: UInt64 = .max, _ body: (RecordedEvent) throws -> Bool) throws {
        try ledger.store.forEachEvent(from: from, to: to, in: txn, body)
    }

    /// Appends the contract output line (EVENTS.md) of each event with
    /// `from ≤ seq ≤ to` — of dossier `dossier` only, when given — each
    /// followed by a newline, transcoded straight from the stored records;
    /// `flush` is called whenever `w` holds 64 KiB or more.
    /// - Throws: `LedgerError(.corrupt)` naming the seq of a record that does not decode.
    public func writeOutputLines(from: UInt64 = 1, to: UInt64 = .max, dossier: String? = nil, with lines: inout OutputLines,
                                 into w: inout JSONWriter, flush: (inout JSONWriter) throws -> Void) throws {
        func endLine() throws {
            w.bytes.append(0x0A)
            if w.bytes.count >= 1 << 16 { try flush(&w) }
        }
        if let dossier {
            for seq in try seqs(ofDossier: dossier) where seq >= from && seq <= to {
                if try lines.transcoder.appendLine(seq: seq, to: &w, in: txn) { try endLine() }
            }
        } else {
            try ledger.store.forEachRecord(from: from, to: to, in: txn) { seq, raw in
                try lines.transcoder.append(raw, seq: seq, to: &w, in: txn)
                try endLine()
                return true
            }
        }
    }
}

/// Writes the contract's output lines of a ledger's events (what `export`
/// and subscriptions give), keeping caches of quoted codes and strings
/// across reads. Use one from one thread.
public struct OutputLines {
    package var transcoder: OutputLineTranscoder

    public init(ledger: Ledger) { transcoder = OutputLineTranscoder(store: ledger.store) }
}

extension Ledger {
    /// Runs `body` on a consistent snapshot of the ledger (one LMDB read
    /// transaction, closed when `body` returns). Reads never block writers
    /// nor each other.
    public func read<R>(_ body: (LedgerSnapshot) throws -> R) throws -> R {
        try store.read { txn in try body(LedgerSnapshot(ledger: self, txn: txn)) }
    }

    /// Drops this process's mapping of the ledger's pages read so far (they
    /// stay in the page cache) when they exceed the budget
    /// (`Environment.residentFileBudget`): long imports call it between
    /// batches, and the site between dossier pages, so that their resident
    /// memory does not grow with the ledger. Safe inside a transaction.
    public func releaseMappedPagesOverBudget() throws { try store.environment.releaseMappedPagesOverBudget() }

    /// Bytes the ledger's pages occupy (every table).
    public func bytesInUse() throws -> Int { try store.bytesInUse() }

    /// Recomputes the hash chain from `from` (1: the whole log): the first
    /// seq whose bytes or hash do not match, or a missing seq.
    public func verifyChain(from: UInt64 = 1) throws -> ChainVerification { try store.verifyChain(from: from) }

    /// What `verify` checks: the hash chain from `from` (`verifyChain`) and,
    /// at the same time on the other core, the live projections against a
    /// fold of the log (`projectionDifferences`). Each reads its own
    /// snapshot, as it would alone.
    ///
    /// - Returns: the chain's verification, and the projections' differences
    ///   only when the chain holds (a broken chain makes them moot).
    /// - Throws: what either check throws; the chain's error first.
    public func verify(from: UInt64 = 1) throws -> (chain: ChainVerification, projectionDifferences: [String]?) {
        let chain = Mutex<Result<ChainVerification, any Error>?>(nil)
        let projections = Mutex<Result<[String], any Error>?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                let result = Result { try store.verifyChain(from: from, parts: 1) }
                chain.withLock { $0 = result }
            } else {
                // The chain check has a core of its own: on two cores the fold keeps to the other, where a helper
                // of its own would take turns with the chain check on the chain's core.
                let result = Result { try projectionDifferences(foldThreads: KeyOrderFold.foldThreads(besideBusyCores: 1)) }
                projections.withLock { $0 = result }
            }
        }
        let verification = try chain.withLock { $0 }!.get()
        guard verification.failure == nil else { return (verification, nil) }
        return (verification, try projections.withLock { $0 }!.get())
    }
}
