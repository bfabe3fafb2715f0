import Dispatch
import LedgerContract
import LMDB
import Synchronization
import SHA256Wide
import SystemIO

extension EventStore {
    /// Recomputes the hash chain from `from` (trusting the stored hash of the
    /// event before it) to the head, and checks that seqs are gapless, every
    /// record decodes, the stored head matches the last event, the id index
    /// holds one entry per event and the dossier tables one per dossier
    /// (`indexCountProblem`), and, when it checks from seq 1, that the id
    /// index maps each event's identity key to its seq
    /// (`IndexFingerprint`). Reports the first problem. (That
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
        let results = Mutex([Result<StretchVerification, any Error>?](repeating: nil, count: stretches))
        DispatchQueue.concurrentPerform(iterations: stretches) { i in
            let start = first + UInt64(i) * size
            let end = i == stretches - 1 ? UInt64.max : start + size - 1
            let result = Result {
                try verifyStretch(start...end, previous: i == 0 ? startPrevious : nil, isLast: i == stretches - 1, checksIdentities: first == 1)
            }
            results.withLock { $0[i] = result }
        }
        var total = ChainVerification()
        var storedAtTheEnd = stored
        var events = IndexFingerprint()
        var index: IndexFingerprint?
        var dossierTableProblem: String?
        for result in results.withLock({ $0 }) {
            let stretch = try result!.get()
            let part = stretch.chain
            storedAtTheEnd = stretch.storedHead
            events.combine(stretch.events)
            index = stretch.index ?? index
            dossierTableProblem = stretch.dossierTableProblem ?? dossierTableProblem
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
        } else if let index, index != events {
            total.failure = try read { txn in try identityIndexProblem(head: storedAtTheEnd.seq, in: txn) }
        } else if let dossierTableProblem {
            total.failure = (storedAtTheEnd.seq, dossierTableProblem)
        }
        return total
    }

    /// What one stretch found: its part of the chain's check, the stored head
    /// of its snapshot, the fingerprint of its events' identity keys, and
    /// (the last stretch, from seq 1) that of the whole id index and what is
    /// wrong with the dossier table.
    private struct StretchVerification {
        var chain: ChainVerification
        var storedHead: Head
        var events: IndexFingerprint
        var index: IndexFingerprint?
        var dossierTableProblem: String?
    }

    /// Checks the events of `stretch` after `previous` (nil: the stored hash
    /// of the event before the stretch), and gives the stored head of its
    /// snapshot (the last stretch runs to the end of the log it sees). A
    /// stretch that is not the last must hold every seq of its range.
    /// With `checksIdentities`, it adds each event's identity key to a
    /// fingerprint, and the last stretch walks the id index for the whole
    /// log's (`IndexFingerprint`).
    private func verifyStretch(_ stretch: ClosedRange<UInt64>, previous given: SHA256.Digest?, isLast: Bool,
                               checksIdentities: Bool) throws -> StretchVerification {
        try read { txn in
            let stored = try head(in: txn)
            var result = ChainVerification()
            var identities = IndexFingerprint()
            func finished() -> StretchVerification {
                StretchVerification(chain: result, storedHead: stored, events: identities, index: nil, dossierTableProblem: nil)
            }
            var previous = given ?? SHA256.Digest.zero
            if given == nil, stretch.lowerBound > 1 {
                guard let before = try event(seq: stretch.lowerBound - 1, in: txn) else {
                    result.failure = (stretch.lowerBound - 1, "missing: no event at seq \(stretch.lowerBound - 1)")
                    return finished()
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
                    result.failure = (seq, dossierCodeProblem(ofEventAt: seq, in: txn)
                                      ?? "hash mismatch: stored \(stored.hex), recomputed \(recomputed.hex) — the stored event was altered")
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
                    let view = try view(raw, seq: seq)
                    if checksIdentities { try withIdentityKey(of: view, in: txn) { identities.add($0, seq: seq) } }
                    batch.append(view)
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
            var verified = finished()
            if result.failure == nil, isLast, checksIdentities {
                var index = IndexFingerprint()
                try forEachIdentity(in: txn) { key, seq in index.add(key, seq: seq); return true }
                verified.index = index
                verified.dossierTableProblem = try dossierTableProblem(in: txn)
            }
            return verified
        }
    }

    /// Why the event at `seq`, whose hash does not hold, may itself be
    /// intact: its hash is recomputed with its dossier's code as the
    /// dossier-code table (number → code) gives it, and that table was
    /// altered when the code it gives does not name the same number in the
    /// dossier table (code → number). Nil when the two agree, for an event
    /// of no dossier, or when they cannot be read (the hash mismatch is
    /// reported then).
    private func dossierCodeProblem(ofEventAt seq: UInt64, in txn: Transaction) -> String? {
        guard let raw = (try? txn.get(tables.events, key: Key.u64(seq))) ?? nil,
              let view = try? view(raw, seq: seq), view.isDossierEvent,
              let code = try? dossierCode(number: view.dossierNumber, in: txn) else { return nil }
        let entry = (try? stream(ofDossier: code, in: txn)) ?? nil
        if let entry, entry.number == view.dossierNumber { return nil }
        let named = entry.map { "gives \(code) number \($0.number)" } ?? "holds no dossier \(code)"
        return "hash mismatch: the event's dossier, number \(view.dossierNumber), is \(code) in the dossier-code table, but the dossier table \(named) — the dossier-code table was altered outside the ledger; the event itself may be intact"
    }

    /// Calls `body` with the key under which the event of `view` is in the
    /// id index: its id's bytes as stored (no copy), or 0x00 and its content
    /// digest (`IdentityKey`).
    private func withIdentityKey<R>(of view: RecordView, in txn: Transaction, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if let id = view.id { return try body(id) }
        let event = try decode(view, in: txn).event
        return try IdentityKey(of: event, CanonicalEncoding(event)).withBytes(body)
    }

    /// Calls `body` with each key of the id index and the seq it names, in
    /// key order, until it returns false.
    private func forEachIdentity(in txn: Transaction, _ body: (UnsafeRawBufferPointer, UInt64) throws -> Bool) throws {
        try forEachEntry(of: tables.ids, in: txn) { key, value in
            guard value.count == 8 else {
                throw LedgerError(.corrupt, "\(path): the id index holds a value of \(value.count) bytes for key \"\(Self.shown(key))\", not a seq")
            }
            return try body(key, UInt64(bigEndian: value.loadUnaligned(as: UInt64.self)))
        }
    }

    /// The first entry of the id index that does not name its event's seq
    /// under that event's identity key, for a log whose head is `head`: the
    /// fingerprints of the index and the log differ.
    private func identityIndexProblem(head: UInt64, in txn: Transaction) throws -> (seq: UInt64, problem: String) {
        var problem: (seq: UInt64, problem: String)?
        try forEachIdentity(in: txn) { key, seq in
            let shown = Self.shown(key)
            guard seq >= 1, seq <= head, let raw = try txn.get(tables.events, key: Key.u64(seq)) else {
                problem = (head, "the id index maps key \"\(shown)\" to seq \(seq), which the log does not hold — the index was altered outside the ledger")
                return false
            }
            if try !withIdentityKey(of: view(raw, seq: seq), in: txn, { $0.elementsEqual(key) }) {
                problem = (seq, "the id index maps key \"\(shown)\" to seq \(seq), an event of another identity — the index was altered outside the ledger")
                return false
            }
            return true
        }
        return problem ?? (head, "the id index and the log's identity keys differ — the index was altered outside the ledger")
    }

    /// What is wrong with the dossier table (code → number, version) in
    /// `txn`: nil when each code names the number `dossierCodes` gives it
    /// and the version its stream has reached. The table is read in code
    /// order, the codes and streams side by side in number order, and their
    /// fingerprints compared; only when they differ is the table walked
    /// again, a lookup per dossier, to name the first wrong entry.
    /// - Complexity: O(d + events) reads in key order, d the dossiers.
    private func dossierTableProblem(in txn: Transaction) throws -> String? {
        var table = IndexFingerprint()
        try forEachDossierEntry(in: txn) { code, number, version in table.add(code: code, number: number, version: version); return true }
        var derived = IndexFingerprint()
        var seqs: [UInt64] = []
        var problem: String?
        try txn.withCursor(tables.streams) { streams in
            var stream = try streams.first()
            try forEachEntry(of: tables.dossierCodes, in: txn) { numberKey, codeBytes in
                guard let (streamKey, raw) = stream, streamKey.elementsEqual(numberKey) else {
                    problem = "dossier number \(Self.number(numberKey)) (\(String(decoding: codeBytes, as: UTF8.self))) has no stream — the dossier tables were altered outside the ledger"
                    return false
                }
                do throws(RecordDecodingError) { try StreamSeqs.decode(raw, into: &seqs) } catch {
                    problem = "the stream of dossier number \(Self.number(numberKey)) does not decode: \(error.reason)"
                    return false
                }
                derived.add(code: codeBytes, number: Self.number(numberKey), version: UInt32(truncatingIfNeeded: seqs.count))
                stream = try streams.next()
                return true
            }
        }
        if let problem { return problem }
        if table == derived { return nil }
        // Name the first entry of the table that is wrong.
        try forEachDossierEntry(in: txn) { code, number, version in
            let shown = String(decoding: code, as: UTF8.self)
            guard let named = try txn.get(tables.dossierCodes, key: Key.u32(number)), named.elementsEqual(code) else {
                problem = "the dossier table gives \(shown) number \(number), the number of another dossier — the table was altered outside the ledger"
                return false
            }
            guard let raw = try txn.get(tables.streams, key: Key.u32(number)) else { return true }
            try StreamSeqs.decode(raw, into: &seqs)
            if seqs.count != Int(version) {
                problem = "the dossier table gives \(shown) version \(version), but its stream holds \(seqs.count) events — the table or the stream was altered outside the ledger"
                return false
            }
            return true
        }
        return problem ?? "the dossier table and the dossier codes and streams differ — the tables were altered outside the ledger"
    }

    /// Calls `body` with each entry of the dossier table (code, number, version) in code order, until it returns false.
    private func forEachDossierEntry(in txn: Transaction, _ body: (UnsafeRawBufferPointer, UInt32, UInt32) throws -> Bool) throws {
        try forEachEntry(of: tables.dossiers, in: txn) { code, value in
            let row = try dossierRow(value) { String(decoding: code, as: UTF8.self) }
            return try body(code, row.number, row.version)
        }
    }

    /// The big-endian number at the start of `bytes` (a dossier number key, or a dossier table value).
    private static func number(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        bytes.count >= 4 ? UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) : 0
    }

    /// An identity key as a message shows it: an id's text, or a content digest's hex.
    private static func shown(_ key: UnsafeRawBufferPointer) -> String {
        if key.first == 0, key.count == 33 { return "content digest " + SHA256.Digest(UnsafeRawBufferPointer(rebasing: key.dropFirst())).hex }
        return String(decoding: key.prefix(64), as: UTF8.self)
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

/// An order-free fingerprint of an index's (key, value) pairs: the wrapping
/// sum of each pair's 64-bit mix. An index read in its key order and the
/// log (or the tables it is derived from) read in theirs give equal
/// fingerprints when the index holds exactly the pairs it should (up to a
/// 2^-64 chance), without a lookup per entry: the log's events in seq
/// order and the id index (identity key → seq); the dossier codes and
/// streams in number order and the dossier table (code → number, version).
struct IndexFingerprint: Equatable {
    private var sum: UInt64 = 0

    mutating func add(_ key: UnsafeRawBufferPointer, seq: UInt64) {
        sum &+= Self.mix(key, seq)
    }

    /// Adds a dossier code with its number and version (`Tables.dossiers`).
    mutating func add(code: UnsafeRawBufferPointer, number: UInt32, version: UInt32) {
        add(code, seq: UInt64(number) << 32 | UInt64(version))
    }

    mutating func combine(_ other: IndexFingerprint) { sum &+= other.sum }

    /// The key's bytes, eight at a time, and the seq through multiply–xorshift rounds.
    private static func mix(_ key: UnsafeRawBufferPointer, _ seq: UInt64) -> UInt64 {
        var h = (seq &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(key.count)
        var i = 0
        while i + 8 <= key.count {
            h = (h ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 29)
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
