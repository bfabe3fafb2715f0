import Foundation

/// Produces batches on a second thread, one batch ahead of the consumer:
/// `import` parses and checks the next batch of lines while the current one
/// is appended and committed, and `rebuild` merges the next rows of its
/// fold while the ones before are written. The order of the batches is the order of
/// production; at most two batches are held at once (the one being consumed
/// and the one waiting).
///
/// A batch the consumer is done with can be handed back (`dispose`): it is
/// freed on the prefetch thread, before the next batch is produced, so
/// freeing its many small objects is not the consumer's work.
///
/// Thread rules: `produce` runs only on the prefetch thread, one call at a
/// time; `next()`, `dispose(_:)` and `stop()` are called from one consumer thread.
public final class BatchPrefetch<Batch: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// The produced batch waiting for the consumer (nil: none yet); `.success(nil)` marks the end.
    private var waiting: Result<Batch?, any Error>?
    private var stopped = false
    private var finished = false
    /// Batches handed back, freed by the prefetch thread.
    private var disposed: [Batch] = []

    /// Starts producing: `produce` returns the next batch, nil at the end, or throws (which ends production).
    public init(_ produce: @escaping () throws -> Batch?) {
        // Called on the prefetch thread only, never concurrently (see the thread rules).
        nonisolated(unsafe) let produce = produce
        let thread = Thread { [self] in
            while true {
                condition.lock()
                var done = disposed
                disposed.removeAll()
                condition.unlock()
                done.removeAll()   // the batches' last references: freed here
                let result = Result { try produce() }
                condition.lock()
                while waiting != nil && !stopped { condition.wait() }
                if stopped { finished = true; condition.broadcast(); condition.unlock(); return }
                waiting = result
                condition.broadcast()
                condition.unlock()
                if case .success(let batch) = result, batch != nil { continue }
                condition.lock(); finished = true; condition.broadcast(); condition.unlock()
                return
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next batch in order; nil after the last. Rethrows what `produce` threw, once.
    public func next() throws -> Batch? {
        condition.lock()
        while waiting == nil && !finished { condition.wait() }
        guard let result = waiting else { condition.unlock(); return nil }
        if case .success(.some) = result { waiting = nil } else { waiting = .success(nil) }
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    /// Hands back a batch `next()` gave, to be freed on the prefetch thread.
    public func dispose(_ batch: consuming Batch) {
        condition.lock()
        disposed.append(batch)
        condition.unlock()
    }

    /// Stops production and waits for the prefetch thread to leave `produce`.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
