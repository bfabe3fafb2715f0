import Dispatch
import LedgerContract
import Synchronization

/// The hash chain of one write transaction's appends, computed beside the
/// writer (`Appender`): the writer hands over each event's canonical form,
/// seq, version and `recordedAt` as it stores the record (with its hash left
/// zero), and goes on to the next event while the links are hashed in seq
/// order on a worker thread. `Appender.finish` takes the hashes and writes
/// them into the records before the commit, so no record is committed
/// without its hash.
///
/// The hashes are those `CanonicalEncoding.chainedHash` gives, each after
/// the one before it, from the head before the transaction. Fewer than
/// `threshold` links are hashed on the writer's thread, at `hashes()`: a
/// small commit does not wait for a worker.
///
/// Thread rules: `submit`, `hashes` and `truncate` are called by the writer
/// only (which gathers links in a `LinkBuffer` and submits them together);
/// the worker takes links under the lock and hashes them outside it.
/// A worker always ends when no links are waiting, so an abandoned
/// transaction leaves nothing running.
final class ChainHasher: Sendable {
    /// Links waiting before a worker starts. A worker hashes faster than
    /// the writer stores, so it soon finds none left and ends: the threshold
    /// sets how often one is woken (a thousand times per 10^6 events), and
    /// the most a commit hashes on the writer's thread (about half a
    /// millisecond).
    static let threshold = 1_024

    struct Link: Sendable {
        let canonical: CanonicalEncoding
        let seq: UInt64
        let version: UInt32?
        let recordedAt: Timestamp
    }

    /// Appends to `hashes` the hash of each of `links`, each after the one
    /// before it, the first after `previous`.
    private static func chain(_ links: some Sequence<Link>, after previous: SHA256.Digest, into hashes: inout [SHA256.Digest]) {
        var previous = previous
        var scratch = JSONWriter(capacity: CanonicalEncoding.scratchCapacity)
        for link in links {
            previous = link.canonical.chainedHash(seq: link.seq, version: link.version, recordedAt: link.recordedAt, previous: previous,
                                                  scratch: &scratch)
            hashes.append(previous)
        }
    }

    private struct State {
        /// The links submitted and not yet hashed nor taken by the worker,
        /// in seq order: a link is dropped once hashed, so a long
        /// transaction does not hold every event it appended.
        var waiting: [Link] = []
        /// The links the worker is hashing.
        var taken = 0
        /// The array of links the worker hashed last, emptied: the next
        /// `waiting`, so that the writer appends into a buffer it allocated
        /// and the worker frees none of the writer's memory (freeing across
        /// threads contends for the other thread's malloc arena).
        var spare: [Link] = []
        /// The hashes of the first `hashes.count` links submitted.
        var hashes: [SHA256.Digest] = []
        /// The hash before the first link.
        let start: SHA256.Digest
        /// A worker is hashing (it ends when it finds nothing left).
        var working = false
    }

    private let state: Mutex<State>
    /// Signalled by a worker when it ends.
    private let idle = DispatchSemaphore(value: 0)

    init(after start: SHA256.Digest) {
        state = Mutex(State(start: start))
    }

    /// Links handed over so far.
    var count: Int { state.withLock { $0.hashes.count + $0.taken + $0.waiting.count } }

    /// Hands over the next links of the chain, in seq order, under one
    /// lock: the writer gathers them (`LinkBuffer`) rather than taking the
    /// lock, which the worker takes too, once per event.
    func submit(contentsOf links: [Link]) {
        let startWorker = state.withLock { state -> Bool in
            state.waiting.append(contentsOf: links)
            guard !state.working, state.waiting.count >= Self.threshold else { return false }
            state.working = true
            return true
        }
        if startWorker { DispatchQueue.global().async { self.work() } }
    }

    /// Links gathered on the writer's thread and handed over `handOverCount`
    /// at a time. A value: a copy (an appender's mark) keeps the links
    /// gathered when it was made.
    struct LinkBuffer {
        /// Links gathered before they are handed over together.
        static let handOverCount = 256
        private(set) var links: [Link] = []

        /// Gathers `link`, handing the gathered links to `hasher` when there are `handOverCount`.
        mutating func add(_ link: Link, to hasher: ChainHasher) {
            links.append(link)
            if links.count >= Self.handOverCount { handOver(to: hasher) }
        }

        /// Hands every gathered link to `hasher`.
        mutating func handOver(to hasher: ChainHasher) {
            guard !links.isEmpty else { return }
            hasher.submit(contentsOf: links)
            links.removeAll(keepingCapacity: true)
        }
    }

    /// Hashes the links waiting until none are left, then ends.
    private func work() {
        var hashed: [SHA256.Digest] = []
        while true {
            // The waiting links are moved out: the writer's next submit appends into the spare array.
            let taken = state.withLock { state -> (links: [Link], previous: SHA256.Digest)? in
                guard !state.waiting.isEmpty else {
                    state.working = false
                    return nil
                }
                var links: [Link] = []
                swap(&links, &state.waiting)
                swap(&state.waiting, &state.spare)
                state.taken = links.count
                return (links, state.hashes.last ?? state.start)
            }
            guard case .some((var links, let previous)) = taken else { idle.signal(); return }
            hashed.removeAll(keepingCapacity: true)
            hashed.reserveCapacity(links.count)
            Self.chain(links, after: previous, into: &hashed)
            links.removeAll(keepingCapacity: true)
            state.withLock { state in
                state.hashes.append(contentsOf: hashed)
                state.taken = 0
                state.spare = links
            }
        }
    }

    /// Waits for the worker, if one is running.
    private func waitForWorker() {
        // A worker that ended with nobody waiting left a signal behind: the loop looks again.
        while state.withLock({ $0.working }) { idle.wait() }
    }

    /// The hash of every link submitted, in seq order (hashing those left on this thread).
    func hashes() -> [SHA256.Digest] {
        waitForWorker()
        return state.withLock { state in
            Self.chain(state.waiting, after: state.hashes.last ?? state.start, into: &state.hashes)
            state.waiting = []
            return state.hashes
        }
    }

    /// Forgets the links after the first `count` (a batch undone).
    func truncate(to count: Int) {
        waitForWorker()
        state.withLock { state in
            if state.hashes.count >= count {
                state.hashes.removeSubrange(count...)
                state.waiting = []
            } else {
                state.waiting.removeSubrange((count - state.hashes.count)...)
            }
        }
    }
}
