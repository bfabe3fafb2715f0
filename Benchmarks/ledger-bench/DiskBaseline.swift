import Foundation
import ProvinceGenerator
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// What the disk alone takes to make a commit's pages durable, measured in
/// the same run as the commits it explains: a durable commit writes the
/// B-tree pages it changed where LMDB's free list puts them (scattered over
/// the file) and waits for `fdatasync`. Timed here with plain `pwrite` and
/// `fdatasync` on a scratch file, so that a figure can say how much of a
/// commit is the disk's and how much the ledger's own work.
enum DiskBaseline {
    static let pageSize = 4096

    /// Bytes this process has handed to `write`-family calls so far
    /// (`wchar` of `/proc/self/io`); nil where the kernel does not say.
    static func bytesWritten() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return Int(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Mean milliseconds to write `pages` pages of 4 KiB and `fdatasync`
    /// them, over `repetitions` rounds, in a scratch file of `fileBytes`
    /// (written out first, so that no round extends it) in `directory`:
    /// at distinct random page offsets written in ascending order, as LMDB
    /// flushes a commit's pages, or as one contiguous run.
    static func syncMilliseconds(pages: Int, scattered: Bool, fileBytes: Int, directory: String, repetitions: Int = 30) throws -> Double {
        let filePages = max(fileBytes / pageSize, pages * 4, 1024)
        let path = directory + "/disk-baseline"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw BenchError("open \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let chunkPages = 256
        var buffer = [UInt8](repeating: 0x5A, count: chunkPages * pageSize)
        var written = 0
        while written < filePages {
            let n = min(chunkPages, filePages - written)
            try buffer.withUnsafeBytes { try FileSystem.writeAll(fd, $0.baseAddress!, n * pageSize, at: written * pageSize, subject: path) }
            written += n
        }
        guard fsync(fd) == 0 else { throw BenchError("fsync \(path): \(String(cString: strerror(errno)))") }
        if buffer.count < pages * pageSize { buffer = [UInt8](repeating: 0x5A, count: pages * pageSize) }
        var random = SplitMix64(seed: 766)
        var total: UInt64 = 0
        for round in 0..<repetitions {
            let offsets: [Int]
            if scattered {
                var chosen = Set<Int>()
                while chosen.count < pages { chosen.insert(random.below(filePages)) }
                offsets = chosen.sorted()
            } else {
                offsets = [random.below(filePages - pages + 1)]
            }
            buffer[0] = UInt8(truncatingIfNeeded: round)
            let start = monotonicNanoseconds()
            try buffer.withUnsafeBytes { bytes in
                if scattered {
                    for page in offsets { try FileSystem.writeAll(fd, bytes.baseAddress!, pageSize, at: page * pageSize, subject: path) }
                } else {
                    try FileSystem.writeAll(fd, bytes.baseAddress!, pages * pageSize, at: offsets[0] * pageSize, subject: path)
                }
            }
            guard fdatasync(fd) == 0 else { throw BenchError("fdatasync \(path): \(String(cString: strerror(errno)))") }
            total += monotonicNanoseconds() - start
        }
        return Double(total) / Double(repetitions) / 1e6
    }
}
