import Foundation

/// Consumes batches on a second thread, in the order they are sent, while
/// the sender goes on producing the next: the listing commands walk the
/// ledger on one thread while their rows are formatted and written on
/// another. At most two batches are held at once (the one being consumed
/// and the one waiting); `send` waits while one is waiting.
///
/// Thread rules: `consume` and `atEnd` run only on the consumer thread, one
/// call at a time, and own whatever they capture until `finish()` returns;
/// `send(_:)` and `finish()` are called from one producer thread. A
/// consumer never finished keeps its thread parked until the process ends.
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
                condition.broadcast()
                condition.unlock()
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
