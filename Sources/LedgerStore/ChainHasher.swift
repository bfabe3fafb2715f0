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
/// only; the worker takes links under the lock and hashes them outside it.
/// A worker always ends when no links are waiting, so an abandoned
/// transaction leaves nothing running.
final class ChainHasher: Sendable {
    /// Links waiting before a worker starts.
    static let threshold = 64

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
        for link in links {
            previous = link.canonical.chainedHash(seq: link.seq, version: link.version, recordedAt: link.recordedAt, previous: previous)
            hashes.append(previous)
        }
    }

    private struct State {
        /// Every link submitted in this transaction, in seq order.
        var links: [Link] = []
        /// The hashes of the first `hashes.count` links.
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
    var count: Int { state.withLock { $0.links.count } }

    /// Hands over the next link of the chain.
    func submit(_ link: Link) {
        let startWorker = state.withLock { state -> Bool in
            state.links.append(link)
            guard !state.working, state.links.count - state.hashes.count >= Self.threshold else { return false }
            state.working = true
            return true
        }
        if startWorker { DispatchQueue.global().async { self.work() } }
    }

    /// Hashes the links waiting until none are left, then ends.
    private func work() {
        while true {
            // A copy of the links waiting: a slice would share the array, and the writer's next append would copy it whole.
            let taken = state.withLock { state -> (links: [Link], previous: SHA256.Digest)? in
                guard state.hashes.count < state.links.count else {
                    state.working = false
                    return nil
                }
                return (Array(state.links[state.hashes.count...]), state.hashes.last ?? state.start)
            }
            guard let (links, previous) = taken else { idle.signal(); return }
            var hashed: [SHA256.Digest] = []
            hashed.reserveCapacity(links.count)
            Self.chain(links, after: previous, into: &hashed)
            state.withLock { $0.hashes.append(contentsOf: hashed) }
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
            Self.chain(state.links[state.hashes.count...], after: state.hashes.last ?? state.start, into: &state.hashes)
            return state.hashes
        }
    }

    /// Forgets the links after the first `count` (a batch undone).
    func truncate(to count: Int) {
        waitForWorker()
        state.withLock { state in
            state.links.removeSubrange(count...)
            if state.hashes.count > count { state.hashes.removeSubrange(count...) }
        }
    }
}
