import Dispatch
import LedgerContract
import LMDB
import Synchronization
import SHA256Wide
import SystemIO

extension EventStore {
    /// Recomputes the hash chain from `from` (trusting the stored hash of the
    /// event before it) to the head, and checks that seqs are gapless, every
    /// record decodes, the stored head matches the last event, and the id
    /// index and dossier tables hold one entry per event and per dossier
    /// (sizes only: `indexCountProblem`). Reports the first problem. (That
    /// each dossier event sits in its stream at its version is checked where
    /// the streams are read in order: the projection check of `verify`,
    /// `Ledger.projectionDifferences`.)
    ///
    /// Each event's hash is recomputed from its own bytes and the stored hash
    /// of the event before it: the chain holds exactly when every link does.
    /// So links are independent: they are hashed sixteen at a time
    /// (`SHA256.Lanes`, with AVX-512 or the SHA extensions where the CPU has
    /// them: `SHA256.Lanes.Kernel.fastest`), from canonical
    /// forms written straight from the binary records
    /// (`OutputLineTranscoder.withHashForm`), and the log can
    /// be checked in `parts` stretches at once (one thread and one read
    /// transaction each, all bounded by the head of the first).
    ///
    /// - Complexity: O(n) in the events checked, spread over `parts` threads.
    ///   Mapped pages are released as it goes: resident memory stays that of
    ///   a few stretches of the log, not of the whole log.
    public func verifyChain(from: UInt64 = 1, parts: Int = 2) throws -> ChainVerification {
        try verifyChain(from: from, parts: parts, minimumStretch: 1 << 16)
    }

    /// `verifyChain(from:parts:)` with stretches of at least `minimumStretch` events (tests make them tiny).
    package func verifyChain(from: UInt64, parts: Int, minimumStretch: UInt64) throws -> ChainVerification {
        let first = max(from, 1)
        let stored = try read { txn in try head(in: txn) }
        var previous = SHA256.Digest.zero
        if first > 1 {
            guard let before = try read({ txn in try event(seq: first - 1, in: txn) }) else {
                return ChainVerification(failure: (first - 1, "no event at seq \(first - 1) to start from"))
            }
            previous = before.hash
        }
        // Stretches of at least `minimumStretch` events; the last runs to the end of the log.
        let count = stored.seq >= first ? stored.seq - first + 1 : 0
        let stretches = Int(min(UInt64(max(parts, 1)), max(count / max(minimumStretch, 1), 1)))
        let size = count / UInt64(stretches)
        let startPrevious = previous
        let results = Mutex([Result<(ChainVerification, Head), any Error>?](repeating: nil, count: stretches))
        DispatchQueue.concurrentPerform(iterations: stretches) { i in
            let start = first + UInt64(i) * size
            let end = i == stretches - 1 ? UInt64.max : start + size - 1
            let result = Result { try verifyStretch(start...end, previous: i == 0 ? startPrevious : nil, isLast: i == stretches - 1) }
            results.withLock { $0[i] = result }
        }
        var total = ChainVerification()
        var storedAtTheEnd = stored
        for result in results.withLock({ $0 }) {
            let (part, storedHead) = try result!.get()
            storedAtTheEnd = storedHead
            total.checked += part.checked
            if let head = part.head { total.head = head }
            if let failure = part.failure {
                total.failure = failure
                return total
            }
        }
        let last = total.head ?? (first > 1 ? Head(seq: first - 1, hash: previous) : Head(seq: 0, hash: .zero))
        if storedAtTheEnd != last {
            let stored = storedAtTheEnd
            total.failure = (stored.seq, "the stored head (seq \(stored.seq), hash \(stored.hash.hex)) does not match the last event (seq \(last.seq), hash \(last.hash.hex)) — events were removed or added outside the ledger")
        }
        return total
    }

    /// Checks the events of `stretch` after `previous` (nil: the stored hash
    /// of the event before the stretch), and gives the stored head of its
    /// snapshot (the last stretch runs to the end of the log it sees). A
    /// stretch that is not the last must hold every seq of its range.
    private func verifyStretch(_ stretch: ClosedRange<UInt64>, previous given: SHA256.Digest?, isLast: Bool) throws -> (ChainVerification, Head) {
        try read { txn in
            let stored = try head(in: txn)
            var result = ChainVerification()
            var previous = given ?? SHA256.Digest.zero
            if given == nil, stretch.lowerBound > 1 {
                guard let before = try event(seq: stretch.lowerBound - 1, in: txn) else {
                    result.failure = (stretch.lowerBound - 1, "missing: no event at seq \(stretch.lowerBound - 1)")
                    return (result, stored)
                }
                previous = before.hash
            }
            var expectedSeq = stretch.lowerBound
            var transcoder = OutputLineTranscoder(store: self)
            var links = ChainLinks()
            /// Hashes the links waiting; false (with the failure set) at the first that does not hold.
            func checkWaiting() -> Bool {
                switch links.check() {
                case .holds(let count, let last):
                    result.checked += count
                    if let last { result.head = last }
                    return true
                case .mismatch(let count, let seq, let stored, let recomputed):
                    result.checked += count
                    result.failure = (seq, "hash mismatch: stored \(stored.hex), recomputed \(recomputed.hex) — the stored event was altered")
                    return false
                }
            }
            // Records are read a batch of links at a time, then their forms written: the dossier codes'
            // cache slots of a batch are loaded side by side first (`loadCodeSlots`), so that their misses overlap.
            var batch: [RecordView] = []
            batch.reserveCapacity(SHA256.Lanes.width)
            /// Hashes the forms of the records read; false (with the failure set) at the first problem.
            func checkBatch() -> Bool {
                defer { batch.removeAll(keepingCapacity: true) }
                transcoder.loadCodeSlots(of: batch)
                for view in batch {
                    let storedHash = SHA256.Digest(view.hash)
                    do {
                        try transcoder.withHashForm(view, in: txn) { form in links.add(seq: view.seq, previous: previous, form: form, stored: storedHash) }
                    } catch {
                        if checkWaiting() { result.failure = (view.seq, "stored bytes do not decode (\(error))") }
                        return false
                    }
                    previous = storedHash
                    if links.isFull, !checkWaiting() { return false }
                }
                return true
            }
            try forEachRecord(from: expectedSeq, to: stretch.upperBound, in: txn) { seq, raw in
                guard seq == expectedSeq else {
                    if checkBatch(), checkWaiting() { result.failure = (expectedSeq, "missing: the log jumps from seq \(expectedSeq - 1) to \(seq)") }
                    return false
                }
                do {
                    batch.append(try view(raw, seq: seq))
                } catch {
                    if checkBatch(), checkWaiting() { result.failure = (seq, "stored bytes do not decode (\(error))") }
                    return false
                }
                expectedSeq += 1
                return batch.count < SHA256.Lanes.width || checkBatch()
            }
            if result.failure == nil, checkBatch() { _ = checkWaiting() }
            if result.failure == nil, !isLast, expectedSeq <= stretch.upperBound {
                result.failure = (expectedSeq, "missing: the log ends at seq \(expectedSeq - 1)")
            }
            if result.failure == nil, isLast, let problem = try indexCountProblem(head: stored.seq, in: txn) {
                result.failure = (stored.seq, problem)
            }
            return (result, stored)
        }
    }

    /// What is wrong with the sizes of the indexes the appends keep beside
    /// the log, in `txn`'s snapshot whose head is `head`: the id index holds
    /// one key per event (its id, or its content digest), and the dossier
    /// table, its reverse and the streams one entry per dossier. nil when
    /// they agree. An entry lost there would let a retried append store an
    /// event twice, or a dossier's events go unfound.
    /// - Complexity: O(1) (`mdb_stat`).
    private func indexCountProblem(head: UInt64, in txn: Transaction) throws -> String? {
        let ids = try txn.statistics(tables.ids).entries
        if ids != Int(head) {
            return "the id index holds \(ids) keys for \(head) events — entries were removed or added outside the ledger"
        }
        let dossiers = try txn.statistics(tables.dossiers).entries
        let codes = try txn.statistics(tables.dossierCodes).entries
        let streams = try txn.statistics(tables.streams).entries
        if dossiers != codes || dossiers != streams {
            return "the dossier table holds \(dossiers) codes, its reverse \(codes) numbers and the streams \(streams) dossiers — entries were removed or added outside the ledger"
        }
        return nil
    }
}

/// The links of the chain waiting to be hashed, a batch of
/// `SHA256.Lanes.width` at a time (with the fastest kernel this machine
/// runs): each link's hash is recomputed from the stored hash before it and
/// its own canonical form, so links are independent and hash side by side.
///
/// A noncopyable value held by the thread that checks, not a class, so
/// that adding a link is a plain store (no dynamic exclusivity check).
private struct ChainLinks: ~Copyable {
    enum Outcome {
        /// Every link waiting holds; `last` is the last of them.
        case holds(count: Int, last: Head?)
        /// The first `count` links hold and the one at `seq` does not.
        case mismatch(count: Int, seq: UInt64, stored: SHA256.Digest, recomputed: SHA256.Digest)
    }

    private var lanes = SHA256.Lanes(kernel: .fastest)
    private var waiting: [(seq: UInt64, stored: SHA256.Digest)] = []

    var isFull: Bool { lanes.isFull }

    /// Adds the link at `seq`: its canonical `form` after `previous`, and the hash stored for it.
    mutating func add(seq: UInt64, previous: SHA256.Digest, form: UnsafeRawBufferPointer, stored: SHA256.Digest) {
        previous.withUnsafeBytes { lanes.add($0, form) }
        waiting.append((seq, stored))
    }

    /// Hashes the links waiting, in seq order; the batch is then empty.
    mutating func check() -> Outcome {
        defer { waiting.removeAll(keepingCapacity: true) }
        let recomputed = lanes.digests()
        for (i, link) in waiting.enumerated() where recomputed[i] != link.stored {
            return .mismatch(count: i, seq: link.seq, stored: link.stored, recomputed: recomputed[i])
        }
        return .holds(count: waiting.count, last: waiting.last.map { Head(seq: $0.seq, hash: $0.stored) })
    }
}

extension SHA256.Lanes.Kernel {
    /// The extensions `-target-cpu skylake-avx512` lets the compiler use in
    /// `SHA256Wide`, as `/proc/cpuinfo` names them: the AVX-512 kernel runs
    /// only where every one is listed.
    package static let avx512Requirements: Set<String> = [
        "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "bmi1", "bmi2", "movbe", "popcnt", "f16c", "abm",
    ]

    /// `SHA256Wide`'s kernel, built for AVX-512; nil on a machine without it.
    package static let avx512: SHA256.Lanes.Kernel? = avx512Requirements.isSubset(of: FileSystem.cpuFlags())
        ? SHA256.Lanes.Kernel(name: "avx512") { hashLanesAVX512($0) }
        : nil

    /// The fastest kernel this machine runs: `avx512` where the CPU has it,
    /// else `shaExtensions` where it has those, else `portable`.
    package static let fastest: SHA256.Lanes.Kernel = avx512 ?? shaExtensions ?? .portable
}
