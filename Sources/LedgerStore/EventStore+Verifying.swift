import LedgerContract
import LMDB

extension EventStore {
    /// Recomputes the hash chain from `from` (trusting the stored hash of the
    /// event before it) to the head, and checks that seqs are gapless, every
    /// record decodes, each dossier event sits in its stream at its version,
    /// and the stored head matches the last event. Stops at the first problem.
    ///
    /// - Complexity: O(n) in the events checked; one read transaction.
    ///   Mapped pages are released as it goes: resident memory stays that of
    ///   a stretch of the log, not of the whole log.
    public func verifyChain(from: UInt64 = 1) throws -> ChainVerification {
        try read { txn in
            var result = ChainVerification()
            var previous = SHA256.Digest.zero
            if from > 1 {
                guard let before = try event(seq: from - 1, in: txn) else {
                    result.failure = (from - 1, "no event at seq \(from - 1) to start from")
                    return result
                }
                previous = before.hash
            }
            var expectedSeq = max(from, 1)
            try forEachRecord(from: expectedSeq, in: txn) { seq, raw in
                guard seq == expectedSeq else {
                    result.failure = (expectedSeq, "missing: the log jumps from seq \(expectedSeq - 1) to \(seq)")
                    return false
                }
                let e: RecordedEvent
                do { e = try decode(raw, seq: seq, in: txn) } catch {
                    result.failure = (seq, "stored bytes do not decode (\(error))")
                    return false
                }
                let recomputed = e.chainedHash(previous: previous)
                guard recomputed == e.hash else {
                    result.failure = (seq, "hash mismatch: stored \(e.hash.hex), recomputed \(recomputed.hex) — the stored event was altered")
                    return false
                }
                if let code = e.event.dossier, let version = e.version {
                    guard let number = try stream(ofDossier: code, in: txn)?.number,
                          try txn.contains(tables.streams, key: Key.u32(number), value: Key.u64(seq)) else {
                        result.failure = (seq, "dossier \(code) version \(version) is missing from its stream index")
                        return false
                    }
                }
                previous = recomputed
                result.checked += 1
                if result.checked & 0xFFFF == 0 { try environment.releaseMappedPages() }
                result.head = Head(seq: seq, hash: recomputed)
                expectedSeq += 1
                return true
            }
            if result.failure == nil {
                let stored = try head(in: txn)
                let last = result.head ?? (from > 1 ? Head(seq: from - 1, hash: previous) : Head(seq: 0, hash: .zero))
                if stored != last {
                    result.failure = (stored.seq, "the stored head (seq \(stored.seq), hash \(stored.hash.hex)) does not match the last event (seq \(last.seq), hash \(last.hash.hex)) — events were removed or added outside the ledger")
                }
            }
            return result
        }
    }
}
