import DossierRules
import Foundation
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
    /// projections — all in one transaction. Events already stored (same
    /// `id`, or same content when they have none) are skipped and reported.
    ///
    /// - Throws: `AppendRefusal` (nothing written) or a storage error.
    @discardableResult
    public func append(_ events: [InputEvent], recordedAt: Timestamp = Ledger.now()) throws -> AppendReport {
        var finalReference: ReferenceData?
        var appender: Appender?
        let report: AppendReport = try store.environment.write { txn in
            var session = try AppendSession(ledger: self, txn: txn)
            for input in events {
                try session.append(input, recordedAt: recordedAt, txn: txn)
            }
            try session.finish(txn: txn)
            finalReference = session.reference
            appender = session.appender
            return session.report
        }
        appender?.publish()
        if let finalReference { remember(finalReference) }
        return report
    }
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
