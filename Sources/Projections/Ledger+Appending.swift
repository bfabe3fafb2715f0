import DossierRules
import Dispatch
import Foundation
import Synchronization
import LMDB
import LedgerStore

extension Ledger {
    /// The ledger's clock for `recordedAt` stamps: now, written in +07:00.
    public static func now() -> Timestamp {
        Timestamp(seconds: Int64(Date().timeIntervalSince1970), offsetMinutes: 7 * 60)
    }

    /// Reads contract lines into events; the first bad line refuses the batch.
    public static func parse(lines: [(line: Int, bytes: [UInt8])]) throws(AppendRefusal) -> [InputEvent] {
        var events: [InputEvent] = []
        events.reserveCapacity(lines.count)
        for (line, bytes) in lines {
            do {
                let e = try bytes.withUnsafeBufferPointer { (b) throws(EventFormatError) in try Event(jsonLine: b) }
                events.append(InputEvent(line: line, event: e))
            } catch {
                throw AppendRefusal(.invalid, line: line, dossier: error.dossier, rule: error.rule)
            }
        }
        return events
    }

    /// Appends a batch atomically: validates every event against the rules
    /// and the state left by the events before it (in the ledger and earlier
    /// in the batch), stores them with gapless seqs, and updates the
    /// projections — all or nothing. Events already stored (same `id`, or
    /// same content when they have none) are skipped and reported.
    ///
    /// Group commit: batches appended concurrently from several threads
    /// share one durable commit. Each batch still stands alone — it runs in
    /// a nested transaction, so a refused batch is undone without touching
    /// the others — and `append` returns only after the commit holding it.
    ///
    /// - Throws: `AppendRefusal` (nothing of this batch written) or a storage error.
    @discardableResult
    public func append(_ events: [InputEvent], recordedAt: Timestamp = Ledger.now()) throws -> AppendReport {
        let request = PendingAppend(events: events, recordedAt: recordedAt)
        let leads = appendQueue.withLock { queue -> Bool in
            queue.waiting.append(request)
            if queue.leaderActive { return false }
            queue.leaderActive = true
            return true
        }
        if leads {
            // Commit everything that queued up, until nobody is waiting.
            while true {
                let group = appendQueue.withLock { queue -> [PendingAppend] in
                    let group = queue.waiting
                    queue.waiting.removeAll()
                    if group.isEmpty { queue.leaderActive = false }
                    return group
                }
                if group.isEmpty { break }
                commit(group)
            }
        }
        return try request.wait()
    }

    /// Appends the batches of `group` in one write transaction and completes each.
    private func commit(_ group: [PendingAppend]) {
        var outcomes: [Result<AppendReport, any Error>] = []
        do {
            var finalReference: ReferenceData?
            var appender: Appender?
            try store.environment.write { txn in
                outcomes = []
                var session = try AppendSession(ledger: self, txn: txn)
                for request in group {
                    let before = session
                    do {
                        let report = try txn.nested { child in
                            session.report = AppendReport(stored: nil, alreadyStored: [])
                            for input in request.events {
                                try session.append(input, recordedAt: request.recordedAt, txn: child)
                            }
                            return session.report
                        }
                        outcomes.append(.success(report))
                    } catch let refusal as AppendRefusal {
                        session = before
                        outcomes.append(.failure(refusal))
                    }
                }
                // Every batch refused: abort, so the ledger's files stay exactly as they were.
                guard outcomes.contains(where: { if case .success = $0 { true } else { false } }) else { throw AllRefused() }
                try session.finish(txn: txn)
                finalReference = session.reference
                appender = session.appender
            }
            appender?.publish()
            if let finalReference { remember(finalReference) }
        } catch is AllRefused {
            // outcomes hold each batch's refusal
        } catch {
            outcomes = group.map { _ in .failure(error) }
        }
        for (request, outcome) in zip(group, outcomes) { request.complete(outcome) }
    }
}

private struct AllRefused: Error {}

/// One caller's batch waiting for a group commit.
final class PendingAppend: Sendable {
    let events: [InputEvent]
    let recordedAt: Timestamp
    private let outcome = Mutex<Result<AppendReport, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(events: [InputEvent], recordedAt: Timestamp) {
        self.events = events
        self.recordedAt = recordedAt
    }

    func complete(_ result: Result<AppendReport, any Error>) {
        outcome.withLock { $0 = result }
        done.signal()
    }

    func wait() throws -> AppendReport {
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}

/// Batches waiting to be committed, and whether a caller is committing.
struct AppendQueue: Sendable {
    var waiting: [PendingAppend] = []
    var leaderActive = false
}

/// The work of one append transaction: the log appender, the reference data
/// and dossier states as changed so far by the batch.
struct AppendSession {
    let ledger: Ledger
    var appender: Appender
    var reference: ReferenceData
    /// Dossier states changed by this batch, with the reference data at their last event.
    var changed: [String: (state: DossierState, reference: ReferenceData)] = [:]
    var report = AppendReport(stored: nil, alreadyStored: [])

    init(ledger: Ledger, txn: Transaction) throws {
        self.ledger = ledger
        appender = try Appender(store: ledger.store, in: txn)
        reference = try ledger.reference(in: txn)
    }

    mutating func append(_ input: InputEvent, recordedAt: Timestamp, txn: Transaction) throws {
        let event = input.event
        func refuse(_ kind: AppendRefusal.Kind, _ rule: String) -> AppendRefusal {
            AppendRefusal(kind, line: input.line, dossier: event.dossier, rule: rule)
        }
        if let seq = try appender.storedSeq(of: event, in: txn) {
            guard let stored = try ledger.store.event(seq: seq, in: txn) else {
                throw LedgerError(.corrupt, "\(ledger.path): id index names seq \(seq), which is not in the log")
            }
            guard stored.event.hasSameContent(as: event) else {
                throw refuse(.idConflict(seq: seq), "id \"\(event.id ?? "")\" is already stored at seq \(seq) with different content")
            }
            report.alreadyStored.append((input.line, seq))
            return
        }
        if !ledger.allowsPersonalData {
            do { try DossierEventRules.checkNoPersonalData(event.data) } catch let violation as RuleViolation {
                throw refuse(.invalid, violation.rule)
            }
        }
        let recorded: RecordedEvent
        if let code = event.dossier {
            var state = try changed[code]?.state ?? ledger.dossier(code, in: txn) ?? DossierState(code: code)
            if let expected = event.expectedVersion, expected != state.version {
                throw refuse(.versionConflict(expected: expected, actual: state.version),
                             "expectedVersion \(expected) but the dossier is at version \(state.version); re-read it and retry")
            }
            do {
                try DossierEventRules.check(event, dossier: state, reference: reference) { seq in
                    try ledger.store.event(seq: seq, in: txn)
                }
            } catch let violation as RuleViolation {
                throw refuse(.invalid, violation.rule)
            }
            recorded = try appender.append(event, recordedAt: recordedAt, in: txn)
            if event.type == .eventVoided {
                state = DossierState.fold(code: code, events: try ledger.store.events(ofDossier: code, in: txn), reference: reference)
            } else {
                state.apply(recorded, reference: reference)
            }
            changed[code] = (state, reference)
        } else {
            do { try reference.apply(event, seq: appender.head.seq + 1) } catch {
                throw refuse(.invalid, error.rule)
            }
            recorded = try appender.append(event, recordedAt: recordedAt, in: txn)
        }
        let first = report.stored?.lowerBound ?? recorded.seq
        report.stored = first...recorded.seq
    }

    func finish(txn: Transaction) throws {
        var writer = ProjectionWriter(ledger: ledger)
        for change in changed.values {
            try writer.write(change.state, reference: change.reference, in: txn)
        }
        try writer.finish(checkpoint: appender.head.seq, in: txn)
        try appender.finish(in: txn)
    }
}
