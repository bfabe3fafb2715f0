import Foundation

/// Produces batches on a second thread, ahead of the consumer: `import`
/// parses and checks the next chunks of lines while the current one is
/// appended and committed, `rebuild` merges the next rows of its fold
/// while the ones before are written, and the replays decode the next
/// dossiers' states while the ones before are reported. The order of the
/// batches is the order of production; at most `depth` batches wait for
/// the consumer (one by default), beside the one it holds.
///
/// A batch the consumer is done with can be handed back (`dispose`): it is
/// freed on the prefetch thread, before the next batch is produced, so
/// freeing its many small objects is not the consumer's work. A recycling
/// producer (`init(depth:recycling:)`) is given the last batch handed back
/// instead, to empty and refill: its buffers are reused rather than
/// allocated again for every batch. Batches handed back after the last one
/// was produced are freed with the prefetch, on the thread that releases it.
///
/// Thread rules: `produce` (or `produceAll`) runs only on the prefetch
/// thread, one call at a time; `next()`, `dispose(_:)` and `stop()` are
/// called from one consumer thread.
public final class BatchPrefetch<Batch: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// The batches produced and not yet taken, oldest first.
    private var ready: [Batch] = []
    /// How production ended, once it has: `.success` at the end of the
    /// batches, or what it threw (given to the consumer once, after the
    /// batches before it).
    private var end: Result<Void, any Error>?
    private let depth: Int
    private var stopped = false
    private var finished = false
    /// Batches handed back, freed by the prefetch thread.
    private var disposed: [Batch] = []

    /// Starts producing: `produce` returns the next batch, nil at the end, or throws (which ends production).
    public convenience init(depth: Int = 1, _ produce: @escaping () throws -> Batch?) {
        self.init(depth: depth, producingAll: { emit, _ in
            while let batch = try produce() { try emit(consume batch) }
        })
    }

    /// Starts producing as `init(depth:_:)` does, handing `produce` the last
    /// batch the consumer handed back since the previous call (nil if none),
    /// for it to empty and refill; the other batches handed back are freed.
    public convenience init(depth: Int = 1, recycling produce: @escaping (_ spare: consuming Batch?) throws -> Batch?) {
        self.init(depth: depth, keepsSpare: true, producingAll: { emit, _ in
            var spare: Batch?
            while let batch = try produce(spare.take()) { spare = try emit(consume batch) }
        })
    }

    /// Starts producing: `produceAll` runs once on the prefetch thread and
    /// hands each batch, in order, to `emit`; production ends when it
    /// returns, or throws (the consumer gets the error after the batches
    /// before it). `emit` waits while `depth` batches wait for the
    /// consumer, frees the batches handed back, and throws
    /// `BatchPrefetchStopped` once the consumer has stopped, so that
    /// `produceAll` unwinds through its own scopes (a read transaction it
    /// holds ends on the thread that began it). `consumerStopped` tells a
    /// producer that goes long between batches (a walk that keeps few of
    /// the rows it reads) that it may stop early: it then throws
    /// `BatchPrefetchStopped` itself, and `stop()` does not wait for the
    /// rest of its work.
    ///
    /// `emit` takes the batch: a producer that keeps no reference to it
    /// (`emit(consume batch)`) lets the consumer change it in place, where a
    /// reference kept would make the consumer's first change copy it whole.
    public convenience init(depth: Int = 1, producingAll produceAll: @escaping (_ emit: (consuming Batch) throws -> Void, _ consumerStopped: () -> Bool) throws -> Void) {
        self.init(depth: depth, keepsSpare: false, producingAll: { emit, consumerStopped in
            try produceAll({ (batch: consuming Batch) in _ = try emit(consume batch) }, consumerStopped)
        })
    }

    /// `emit` returns the last batch handed back, when `keepsSpare`, instead of freeing it with the others.
    private init(depth: Int, keepsSpare: Bool, producingAll produceAll: @escaping (_ emit: (consuming Batch) throws -> Batch?, _ consumerStopped: () -> Bool) throws -> Void) {
        precondition(depth >= 1, "a prefetch holds at least one batch ahead")
        self.depth = depth
        // Called on the prefetch thread only, once (see the thread rules).
        nonisolated(unsafe) let produceAll = produceAll
        let thread = Thread { [self] in
            let outcome = Result {
                try produceAll({ (batch: consuming Batch) in
                    condition.lock()
                    while ready.count >= depth && !stopped { condition.wait() }
                    if stopped { condition.unlock(); throw BatchPrefetchStopped() }
                    ready.append(consume batch)
                    var done = disposed
                    disposed.removeAll()
                    condition.broadcast()
                    condition.unlock()
                    let spare = keepsSpare ? done.popLast() : nil
                    done.removeAll()   // the batches' last references: freed here, before the next batch is produced
                    return spare
                }, {
                    condition.lock()
                    defer { condition.unlock() }
                    return stopped
                })
            }
            condition.lock()
            if !stopped { end = outcome }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next batch in order; nil after the last. Rethrows what `produce` threw, once.
    public func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished { condition.wait() }
        guard ready.isEmpty else {
            condition.broadcast()
            return ready.removeFirst()
        }
        guard let outcome = end else { return nil }
        end = .success(())
        try outcome.get()
        return nil
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

/// What `BatchPrefetch`'s `emit` throws once the consumer has stopped, and
/// what a producer throws itself when `consumerStopped` says so.
public struct BatchPrefetchStopped: Error {
    public init() {}
}
