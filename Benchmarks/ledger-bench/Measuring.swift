#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in nanoseconds (`clock_gettime(CLOCK_MONOTONIC)`): cheap
/// enough (~20 ns) to bracket single lookups.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Seconds spent running `body`.
func timed<R>(_ body: () throws -> R) rethrows -> (result: R, seconds: Double) {
    let start = monotonicNanoseconds()
    let result = try body()
    return (result, Double(monotonicNanoseconds() - start) / 1e9)
}

/// Keeps a computed value alive so the optimiser cannot drop the work that made it.
@inline(never)
func consume<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Writes every dirty page of the machine to disk (`sync(2)`), so that a
/// timed phase that fsyncs does not also wait for the write-back of the
/// phase before it (not timed).
func settleDisk() { sync() }

/// Per-operation durations in nanoseconds, summarised as percentiles in µs.
struct Latencies {
    private(set) var nanoseconds: [UInt64] = []
    private var sorted = true

    init(capacity: Int) { nanoseconds.reserveCapacity(capacity) }

    mutating func record(_ ns: UInt64) {
        nanoseconds.append(ns)
        sorted = false
    }

    var count: Int { nanoseconds.count }

    /// Nearest-rank percentile (p in 0...1) in microseconds.
    mutating func microseconds(atPercentile p: Double) -> Double {
        guard !nanoseconds.isEmpty else { return .nan }
        if !sorted { nanoseconds.sort(); sorted = true }
        let rank = Int((p * Double(nanoseconds.count - 1)).rounded())
        return Double(nanoseconds[rank]) / 1000
    }
}

/// CPU seconds (user + system) process `pid` has used, all its threads, from
/// /proc (to the clock tick, 10 ms here).
func cpuSeconds(_ pid: Int32 = getpid()) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)   // utime, stime
    return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// The memory lines of `/proc/self/status`, in bytes.
struct MemoryStatus {
    /// Peak resident set size (VmHWM) since start or the last `resetPeak()`.
    var peak = 0
    /// Current resident set size (VmRSS) and its anonymous and file-backed parts.
    var resident = 0
    var anonymous = 0
    var fileBacked = 0

    static func current() -> MemoryStatus {
        var status = MemoryStatus()
        guard let file = fopen("/proc/self/status", "r") else { return status }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard parts.count >= 2, let kB = Int(parts[1]) else { continue }
            switch parts[0] {
            case "VmHWM:": status.peak = kB * 1024
            case "VmRSS:": status.resident = kB * 1024
            case "RssAnon:": status.anonymous = kB * 1024
            case "RssFile:": status.fileBacked = kB * 1024
            default: break
            }
        }
        return status
    }

    /// Resets VmHWM to the current RSS (writes "5" to `/proc/self/clear_refs`).
    /// Returns false where the kernel does not allow it.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        let ok = fputs("5", file) >= 0
        return fclose(file) == 0 && ok
    }
}
