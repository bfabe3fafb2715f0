import Foundation

/// Items handed from a producer thread to the thread that consumes them, at
/// most `capacity` waiting: memory holds a bounded number of items however
/// much the producer has to give.
///
/// Thread rules: `producing` starts the one producer; one consumer calls
/// `take` until it returns nil, and `stopAndWait` when it is done (also on
/// an error), which returns once the producer has finished.
final class Handoff<Item: Sendable>: @unchecked Sendable {
    /// Thrown by the producer's `put` when the consumer stopped.
    struct Stopped: Error {}

    private let condition = NSCondition()
    private var waiting: [Item] = []
    private let capacity: Int
    private var finished = false
    private var stopped = false
    private var failure: (any Error)?
    /// Items the consumer is done with, released on the producer's thread:
    /// memory goes back to the allocator of the thread that allocated it,
    /// which is cheaper than freeing it from another thread.
    private var done: [Item] = []

    private init(capacity: Int) { self.capacity = capacity }

    /// Runs `produce` on a new thread; each item it puts is handed over
    /// (waiting while `capacity` items wait). An error it throws reaches the
    /// consumer after the items put before it.
    static func producing(capacity: Int = 2, _ produce: @escaping @Sendable (_ put: (Item) throws -> Void) throws -> Void) -> Handoff {
        let handoff = Handoff(capacity: capacity)
        Thread {
            do {
                try produce { try handoff.put($0) }
                handoff.finish(nil)
            } catch {
                handoff.finish(error)
            }
        }.start()
        return handoff
    }

    private func put(_ item: Item) throws {
        var released: [Item] = []
        defer { released.removeAll() }   // outside the lock
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= capacity && !stopped { condition.wait() }
        guard !stopped else { throw Stopped() }
        waiting.append(item)
        swap(&released, &done)
        condition.broadcast()
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        if !(error is Stopped) { failure = error }
        finished = true
        condition.broadcast()
    }

    /// The next item, waiting for it; nil after the last.
    /// - Throws: the producer's error, once the items put before it are taken.
    func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !finished { condition.wait() }
        if !waiting.isEmpty {
            let item = waiting.removeFirst()
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
    }

    /// Gives back an item taken and used, to be released by the producer.
    func recycle(_ item: consuming Item) {
        condition.lock()
        defer { condition.unlock() }
        if !finished { done.append(item) }
    }

    /// Stops the producer (its next `put` throws `Stopped`) and waits until it has finished.
    func stopAndWait() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        waiting.removeAll()
        condition.broadcast()
        while !finished { condition.wait() }
    }
}
