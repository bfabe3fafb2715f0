import Foundation
import Synchronization

/// Overlaps a large write's trip to the disk with the writing itself.
///
/// A commit of many pages copies them into the page cache and then waits
/// in `fdatasync` while the disk writes them all: the kernel starts
/// writing dirty pages on its own only when far more are dirty. `during`
/// runs such a commit while a helper thread asks the kernel, every
/// `interval`, to start writing the file's dirty pages
/// (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which waits for
/// nothing), so that the commit's own sync waits only for the pages
/// copied last.
///
/// A hint only: it changes no order the caller relies on (a sync still
/// writes everything before it returns, and what was written early was
/// written anyway). Where the call is missing (not Linux) or the kernel
/// refuses it, the helper stops and the commit's own sync does all the
/// work, as without it.
package enum WriteBehind {
    /// How often the helper asks the kernel to start write-back.
    static let interval = DispatchTimeInterval.milliseconds(2)

    /// The helper thread's name (`/proc/self/task/*/comm` on Linux).
    package static let threadName = "write-behind"

    /// Runs `body`, which writes to the file open as `fd` and syncs it,
    /// with the helper asking for write-back meanwhile; returns after the
    /// helper stopped, so `fd` may be closed then.
    package static func during<R>(fileDescriptor fd: Int32, _ body: () throws -> R) rethrows -> R {
        guard let startWriteBack = syncFileRange else { return try body() }
        let helper = Helper()
        let thread = Thread {
            Thread.current.name = threadName
            while !helper.stopped.load(ordering: .acquiring) {
                guard startWriteBack(fd, 0, 0, syncFileRangeWrite) == 0 else { break }
                _ = helper.wakeUp.wait(timeout: .now() + interval)
            }
            helper.finished.signal()
        }
        thread.start()
        defer {
            helper.stopped.store(true, ordering: .releasing)
            helper.wakeUp.signal()
            helper.finished.wait()
        }
        return try body()
    }

    private final class Helper: Sendable {
        let stopped = Atomic<Bool>(false)
        let wakeUp = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    /// `SYNC_FILE_RANGE_WRITE` of Linux's `<fcntl.h>`.
    private static let syncFileRangeWrite: UInt32 = 2

    /// glibc's `sync_file_range`, looked up once; nil where the C library has none.
    private static let syncFileRange = FileSystem.cLibraryFunction(
        "sync_file_range", as: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
}
