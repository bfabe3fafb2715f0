#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemIO

/// Reports LMDB's faults on a damaged ledger file as damage instead of a crash.
///
/// LMDB trusts its B-tree pages: a damaged page, or a `data.mdb` cut short
/// of the pages its meta page counts, makes it (or a reader of a value it
/// gave) touch memory the file does not back, follow a pointer read from
/// the damage, or fail one of its own assertions. Once `install` ran, for
/// the environments opened since, each of these prints one line naming the
/// ledger's directory on stderr and ends the process with exit code 65
/// (`EX_DATAERR`, as for any damaged value):
/// - `SIGBUS` or `SIGSEGV` at an address in (or within a megabyte past) an
///   environment's map, whatever code touched it;
/// - `SIGBUS` or `SIGSEGV` in liblmdb's own code, wherever the address;
/// - an assertion of liblmdb (`mdb_env_set_assert`), which would abort.
///
/// Nothing is lost by ending there: a write transaction under way is never
/// committed, and what the ledger held before stays as it was. Any other
/// fault goes to the handler installed before (the Swift runtime's, which
/// prints a backtrace), exactly as without this report.
///
/// For command-line tools: `install` replaces the process's handlers of
/// the two signals once, before any environment opens; a library leaves
/// them alone. Without it, environments record nothing and cost nothing.
///
/// Thread rules: `install` once, from the main thread, before other
/// threads start. Environments record and forget their maps from any
/// thread (under a lock); the handler reads that record without a lock
/// (a fault while an environment closes on another thread may go
/// unreported) and calls only `write`, `_exit`, `sigaction` and `raise`.
/// The assertion callback is installed on each environment watched.
public enum MapFaultReport {
    /// One open environment's map: addresses, and the line to print.
    struct WatchedMap {
        var inUse = false
        /// The environment's `MDB_env` handle, to find its line on an assertion.
        var environment: UInt = 0
        var start: UInt = 0
        var end: UInt = 0
        var message: UnsafeMutablePointer<UInt8>? = nil
        var messageLength = 0
    }

    /// How many environments one process watches at once; those opened
    /// beyond it fault as they would without the report.
    static let capacity = 32
    /// How far past a map's end a fault still counts as the map's: LMDB
    /// reads a damaged page's offsets and sizes past the page.
    static let slack: UInt = 1 << 20

    nonisolated(unsafe) static let maps: UnsafeMutablePointer<WatchedMap> = {
        let maps = UnsafeMutablePointer<WatchedMap>.allocate(capacity: capacity)
        maps.initialize(repeating: WatchedMap(), count: capacity)
        return maps
    }()
    /// The handlers before `install`, for the faults that are not a map's: SIGBUS's, then SIGSEGV's.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 2)
        previous.initialize(repeating: sigaction(), count: 2)
        return previous
    }()
    nonisolated(unsafe) private static var program = ""
    /// Where liblmdb's code is mapped (empty where it could not be found).
    nonisolated(unsafe) static var lmdbCode: Range<UInt> = 0..<0
    nonisolated(unsafe) private(set) static var isInstalled = false
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()

    /// Reports faults on the maps of the environments opened from now on;
    /// `program` begins the line printed (`"dossier-ledger"`).
    public static func install(program: String) {
        guard !isInstalled else { return }
        self.program = program
        _ = maps
        if let function = dlsym(nil, "mdb_txn_begin"), let code = FileSystem.mapping(containing: UInt(bitPattern: function)) {
            lmdbCode = code
        }
        for (index, signal) in [SIGBUS, SIGSEGV].enumerated() {
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            #if canImport(Glibc)
            action.__sigaction_handler.sa_sigaction = reportMapFault
            #else
            action.__sigaction_u.__sa_sigaction = reportMapFault
            #endif
            sigaction(signal, &action, previous + index)
        }
        isInstalled = true
    }

    /// Records the map of the environment in `path` whose data file is open
    /// as `fd`, in `slot` (a slot of `claimSlot`), replacing what the slot held:
    /// at open, and after the map moved (a resize).
    static func watch(slot: Int, environment: OpaquePointer, fileDescriptor fd: Int32, path: String) {
        guard let ranges = try? FileSystem.mappings(ofFileDescriptor: fd, subject: "ledger \(path)"),
              let start = ranges.map(\.lowerBound).min(), let end = ranges.map(\.upperBound).max() else { return }
        let line = Array("\(program): the ledger \(path) is damaged: reading its file faulted at a page it does not hold (a damaged B-tree page, or a data.mdb cut short); no transaction under way was committed. Restore the ledger from a copy (`\(program) verify` checks one).\n".utf8)
        let message = UnsafeMutablePointer<UInt8>.allocate(capacity: line.count)
        message.initialize(from: line, count: line.count)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        maps[slot].message?.deallocate()
        maps[slot] = WatchedMap(inUse: true, environment: UInt(bitPattern: environment), start: start, end: end + slack, message: message, messageLength: line.count)
    }

    /// A free slot for one environment's map; nil when not installed or all are taken.
    static func claimSlot() -> Int? {
        guard isInstalled else { return nil }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        for slot in 0..<capacity where !maps[slot].inUse {
            maps[slot].inUse = true
            return slot
        }
        return nil
    }

    /// Forgets the map in `slot`: its environment closed.
    static func release(slot: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        maps[slot].message?.deallocate()
        maps[slot] = WatchedMap()
    }
}

/// The handler of `SIGBUS` and `SIGSEGV` (`MapFaultReport.install`).
private func reportMapFault(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    if let info {
        #if canImport(Glibc)
        let address = UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
        #else
        let address = UInt(bitPattern: info.pointee.si_addr)
        #endif
        let inLMDB = MapFaultReport.lmdbCode.contains(faultingInstruction(context))
        // The map holding the address, or for a fault in liblmdb elsewhere the first map watched.
        var blamed: MapFaultReport.WatchedMap?
        var slot = 0
        while slot < MapFaultReport.capacity {
            let map = MapFaultReport.maps[slot]
            if map.messageLength > 0 {
                if address >= map.start && address < map.end { blamed = map; break }
                if inLMDB && blamed == nil { blamed = map }
            }
            slot += 1
        }
        if let blamed { reportDamage(blamed) }
    }
    // Not a ledger's fault: put back the handler before. A fault comes again
    // on return and goes to it; a signal sent (by `kill`) is sent again.
    _ = sigaction(signal, MapFaultReport.previous + (signal == SIGBUS ? 0 : 1), nil)
    if let info, info.pointee.si_code <= 0 { _ = raise(signal) }
}

/// liblmdb's assertion callback (`mdb_env_set_assert`): called on a
/// damaged page just before LMDB would abort.
func reportLMDBAssertion(_ environment: OpaquePointer?, _ text: UnsafePointer<CChar>?) {
    var slot = 0
    while slot < MapFaultReport.capacity {
        let map = MapFaultReport.maps[slot]
        if map.messageLength > 0, map.environment == UInt(bitPattern: environment) { reportDamage(map) }
        slot += 1
    }
}

/// Writes `map`'s line on stderr and ends the process with exit code 65.
private func reportDamage(_ map: MapFaultReport.WatchedMap) -> Never {
    if let message = map.message { _ = write(2, message, map.messageLength) }
    _exit(65)
}

/// The address of the instruction that faulted, from the signal's machine context (0 where unknown).
private func faultingInstruction(_ context: UnsafeMutableRawPointer?) -> UInt {
    guard let context else { return 0 }
    #if os(Linux) && arch(x86_64)
    return UInt(bitPattern: Int(context.assumingMemoryBound(to: ucontext_t.self).pointee.uc_mcontext.gregs.16))   // REG_RIP
    #elseif os(Linux) && arch(arm64)
    return UInt(context.assumingMemoryBound(to: ucontext_t.self).pointee.uc_mcontext.pc)
    #else
    return 0
    #endif
}
