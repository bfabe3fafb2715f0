import Foundation

/// Consumes batches on a second thread, in the order they are sent, while
/// the sender goes on producing the next: the listing commands walk the
/// ledger on one thread while their rows are formatted and written on
/// another. At most two batches are held at once (the one being consumed
/// and the one waiting); `send` waits while one is waiting.
///
/// Thread rules: `consume` and `atEnd` run only on the consumer thread, one
/// call at a time, and own whatever they capture until `finish()` or
/// `abandon()` returns;
/// `send(_:)`, `finish()` and `abandon()` are called from one producer
/// thread. A producer that stops early (it failed) calls `abandon()`: the
/// thread leaves without consuming what was left or running `atEnd`. A
/// consumer neither finished nor abandoned keeps its thread parked until
/// the process ends.
public final class BatchConsumer<Batch: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// The batch sent and not yet taken by the consumer thread.
    private var waiting: Batch?
    /// No batch will follow the ones sent (`finish()` was called).
    private var closed = false
    /// The consumer thread has left: every batch consumed and `atEnd` run, or a failure.
    private var done = false
    /// What `consume` or `atEnd` threw; the batches after it are dropped.
    private var failure: (any Error)?
    /// The producer stopped early (`abandon()`): nothing more is consumed and `atEnd` does not run.
    private var abandoned = false

    /// Starts the consumer thread: `consume` takes each batch sent, then
    /// `atEnd` runs once after the last (when `finish()` is called).
    public init(_ consume: @escaping (Batch) throws -> Void, atEnd: @escaping () throws -> Void = {}) {
        // Called on the consumer thread only, never concurrently (see the thread rules).
        nonisolated(unsafe) let consume = consume
        nonisolated(unsafe) let atEnd = atEnd
        let thread = Thread { [self] in
            var outcome: (any Error)? = nil
            while true {
                condition.lock()
                while waiting == nil && !closed { condition.wait() }
                let batch = waiting
                waiting = nil
                let stop = abandoned
                condition.broadcast()
                condition.unlock()
                if stop { break }
                do {
                    guard let batch else {
                        try atEnd()
                        break
                    }
                    try consume(batch)
                } catch {
                    outcome = error
                    break
                }
            }
            condition.lock()
            failure = outcome
            done = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Hands over the next batch, once the one before it has been taken.
    /// - Throws: what `consume` threw for an earlier batch (this one is dropped).
    public func send(_ batch: Batch) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting != nil && !done { condition.wait() }
        if let failure { throw failure }
        precondition(!closed && !done, "a batch sent after finish()")
        waiting = batch
        condition.broadcast()
    }

    /// Stops the consumer after the batch it is consuming, if any: the one
    /// waiting is dropped and `atEnd` does not run. Waits until the thread
    /// has left, so that nothing is consumed after this returns. Does
    /// nothing after `finish()`; call it where the producer fails (a
    /// `defer` beside the `finish()` of the normal path).
    public func abandon() {
        condition.lock()
        defer { condition.unlock() }
        guard !done else { return }
        abandoned = true
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
    }

    /// Waits until every batch sent is consumed and `atEnd` has run.
    /// - Throws: what `consume` or `atEnd` threw.
    public func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        if let failure { throw failure }
    }
}
