import Foundation
import Synchronization

/// Keeps the process's resident file-backed memory within a budget, on a
/// helper thread, while a call that cannot be stepped through maps pages of
/// a file (LMDB's walk of a table it empties reads pages all over the file,
/// and each read maps the pages around it). Every `interval` microseconds
/// the helper reads `/proc/self/statm` (a few microseconds) and, when the
/// resident file-backed bytes exceed the budget, releases the given
/// mappings (`FileSystem.releaseMapping`). Released pages stay in the page
/// cache, and a read of one on another thread maps it again: use it only
/// for shared mappings whose contents do not change while it runs.
///
/// A bound in time, not in pages: while the helper waits for a core, the
/// call may map more than the budget.
///
/// Thread rules: `stop()` once, from any thread; the helper never outlives it.
package final class ResidentMappingWatch: Sendable {
    /// The helper thread's name (`/proc/self/task/*/comm` on Linux).
    package static let threadName = "mapping-watch"

    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<SystemError?>(nil)

    /// Starts the helper on the mappings `ranges` (addresses), named `subject` in errors.
    package init(ranges: [Range<UInt>], budget: Int, subject: String, interval: UInt32 = 250) {
        let thread = Thread {
            Thread.current.name = Self.threadName
            defer { self.finished.signal() }
            while !self.stopped.load(ordering: .acquiring) {
                // Unreadable: release, as a budget's check does.
                if FileSystem.residentFileBackedBytes().map({ $0 > budget }) ?? true {
                    do throws(SystemError) {
                        for range in ranges { try FileSystem.releaseMapping(range, subject: subject) }
                    } catch {
                        self.failure.withLock { $0 = error }
                        return
                    }
                }
                usleep(interval)
            }
        }
        thread.start()
    }

    /// Stops the helper and waits until its thread has ended.
    /// - Throws: the error a release failed with (the helper stopped there).
    package func stop() throws(SystemError) {
        stopped.store(true, ordering: .releasing)
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
