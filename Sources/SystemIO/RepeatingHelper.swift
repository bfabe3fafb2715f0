import Foundation
import Synchronization

/// Calls `tick` on a helper thread every `interval` microseconds until
/// stopped: for work that must go on beside a call which cannot be stepped
/// through (`Environment.keepingMappedPagesWithinBudget` releases the pages
/// LMDB maps while it empties a table). A bound in time, not in work done:
/// while the helper waits for a core, the call goes on without it.
///
/// Thread rules: `stop()` once, from any thread; the helper never outlives it.
package final class RepeatingHelper: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<(any Error)?>(nil)

    /// Starts the helper thread, named `name` (`/proc/self/task/*/comm` on Linux).
    package init(name: String, interval: UInt32, _ tick: @escaping @Sendable () throws -> Void) {
        let thread = Thread {
            Thread.current.name = name
            defer { self.finished.signal() }
            while !self.stopped.load(ordering: .acquiring) {
                do { try tick() } catch {
                    self.failure.withLock { $0 = error }
                    return
                }
                usleep(interval)
            }
        }
        thread.start()
    }

    /// Stops the helper and waits until its thread has ended.
    /// - Throws: the error `tick` threw (the helper stopped there).
    package func stop() throws {
        stopped.store(true, ordering: .releasing)
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
