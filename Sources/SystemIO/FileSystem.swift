import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file-system and process calls the ledger makes outside LMDB, in one
/// place: each checks its result and reports a `SystemError`.
public enum FileSystem {
    /// A function of the C library that Swift's Glibc module does not
    /// declare, found by the first of `names` the process has, as `type` (a
    /// `@convention(c)` function type); nil where it has none (not Linux).
    package static func cLibraryFunction<F>(_ names: String..., as type: F.Type) -> F? {
        #if os(Linux)
        let process = dlopen(nil, RTLD_NOW)
        for name in names {
            if let symbol = dlsym(process, name) { return unsafeBitCast(symbol, to: F.self) }
        }
        #endif
        return nil
    }

    /// nil when nothing is at `path`, else whether it is a directory.
    public static func kind(at path: String) -> Bool? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        return isDirectory.boolValue
    }

    /// Whether `path` names an existing file (of any kind).
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names in directory `path`, without `.` and `..`.
    public static func entries(ofDirectory path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether anyone may write `path` (the file itself, links not followed); false when it does not exist.
    public static func isWorldWritable(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IWOTH != 0
    }

    /// Sets the permission bits of `path`.
    public static func setPermissions(_ path: String, _ mode: mode_t) throws(SystemError) {
        guard chmod(path, mode) == 0 else { throw SystemError("chmod", path) }
    }

    /// Opens `path` for reading; the descriptor is the caller's to close.
    public static func openForReading(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SystemError("open", path) }
        return fd
    }

    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Opens a new, already unlinked file in `$TMPDIR` (or /tmp) for reading
    /// and writing: scratch space that disappears with its descriptor, even
    /// when the process is killed. The descriptor is the caller's to close.
    public static func openScratchFile() throws(SystemError) -> Int32 {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/dossier-ledger-scratch-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = String(nulTerminated: template)
        guard fd >= 0 else { throw SystemError("create scratch file", path) }
        unlink(path)
        return fd
    }

    /// Reads up to `buffer.count` bytes of `fd` from `offset`, retrying after interruptions; 0 at the end.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, subject: String) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = pread(fd, base, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError("read", subject) }
        }
    }

    /// Reads up to `buffer.count` bytes from `fd`, retrying after interruptions; 0 at the end.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, subject: String = "input") throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError("read", subject) }
        }
    }

    /// Creates a new file only the owner can read and write, open for writing; the descriptor is the caller's to close.
    public static func createForWriting(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SystemError("create", path) }
        return fd
    }

    /// Replaces the file at `path` with `bytes` so that a reader sees the
    /// old contents or the new, never a part: the bytes go to a temporary
    /// file beside it (`.NAME.tmp`), readable by all like a web page, which
    /// is then renamed over `path`.
    public static func replaceFile(_ path: String, with bytes: [UInt8]) throws(SystemError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = directory + "." + name + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw SystemError("create", temporary) }
        let failure = bytes.withUnsafeBytes { raw -> SystemError? in
            guard let base = raw.baseAddress else { return nil }
            do { try writeAll(fd, base, raw.count, subject: temporary) } catch let error as SystemError { return error } catch { return SystemError("write", temporary) }
            return nil
        }
        if let failure {
            _ = Glibc.close(fd)
            unlink(temporary)
            throw failure
        }
        guard Glibc.close(fd) == 0 else { unlink(temporary); throw SystemError("close", temporary) }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
    }

    /// Creates the directory at `path` and the missing ones above it (readable by all).
    public static func createDirectories(_ path: String) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw SystemError("create directory", prefix) }
            prefix += "/"
        }
    }

    /// Removes the file at `path` (nothing when there is none).
    public static func remove(_ path: String) { _ = unlink(path) }

    /// Whether descriptor `fd` is a terminal (colours, progress).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Writes all `count` bytes at `bytes` to `fd`, retrying after
    /// interruptions: from file offset `position` when given (`pwrite`,
    /// the descriptor's own offset left alone), else where the descriptor stands.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at position: Int? = nil,
                                subject: String = "output") throws(SystemError) {
        var offset = 0
        while offset < count {
            let n = position.map { pwrite(fd, bytes + offset, count - offset, off_t($0 + offset)) } ?? write(fd, bytes + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", subject)
            }
            offset += n
        }
    }

    /// Makes a write to a closed pipe an error (`EPIPE`) instead of killing the process.
    public static func ignoreBrokenPipe() { signal(SIGPIPE, SIG_IGN) }

    /// Sleeps the calling thread.
    public static func sleep(microseconds: UInt32) { usleep(microseconds) }

    /// The address ranges where the file open as `fd` is mapped in this
    /// process (from `/proc/self/maps`; empty where it does not exist).
    public static func mappings(ofFileDescriptor fd: Int32, subject: String) throws(SystemError) -> [Range<UInt>] {
        var ranges: [Range<UInt>] = []
        try forEachMapping(ofFileDescriptor: fd, subject: subject) { ranges.append($0) }
        return ranges
    }

    /// Bytes of this process's resident memory that map files: the
    /// executable, its libraries and memory-mapped files such as a ledger
    /// (the shared pages of `/proc/self/statm`); nil where it cannot be read.
    ///
    /// Folds ask it every few thousand reads, so it reads a descriptor
    /// opened once per process (`pread` at offset 0 makes the kernel write
    /// the figures afresh) and allocates nothing. Safe from any thread.
    public static func residentFileBackedBytes() -> Int? {
        guard statm.descriptor >= 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int? in
            let n = pread(statm.descriptor, buffer.baseAddress, buffer.count, 0)
            guard n > 0 else { return nil }
            // "size resident shared text lib data dt", in pages: the third field.
            var field = 0
            var pages = 0
            var digits = 0
            for byte in buffer[0..<n] {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
                    if field == 2 { break }
                    field += 1
                } else if field == 2 {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else { return nil }
                    pages = pages * 10 + Int(byte - UInt8(ascii: "0"))
                    digits += 1
                }
            }
            guard field == 2, digits > 0 else { return nil }
            return pages * statm.pageSize
        }
    }

    /// `/proc/self/statm`, open for the life of the process (-1 where it cannot be opened), and the page size.
    private static let statm = (descriptor: open("/proc/self/statm", O_RDONLY | O_CLOEXEC), pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))

    /// The instruction-set extensions of this machine's first CPU, as
    /// `/proc/cpuinfo` names them ("avx2", "avx512f", …); empty where it
    /// cannot be read (or on a platform without it).
    public static func cpuFlags() -> Set<String> {
        guard let info = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(info) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), info) != nil {
            let text = String(nulTerminated: line)
            // x86: "flags : fpu vme …"; arm64: "Features : fp asimd …"
            guard text.hasPrefix("flags") || text.hasPrefix("Features"), let colon = text.firstIndex(of: ":") else { continue }
            return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        }
        return []
    }

    /// Drops this process's mapping of the pages of `range` (see `releaseMappings`).
    public static func releaseMapping(_ range: Range<UInt>, subject: String) throws(SystemError) {
        guard !range.isEmpty, let base = UnsafeMutableRawPointer(bitPattern: range.lowerBound) else { return }
        guard madvise(base, Int(range.count), MADV_DONTNEED) == 0 else { throw SystemError("madvise", subject) }
    }

    /// Drops this process's mappings of the file open as `fd` (found in
    /// `/proc/self/maps` by device and inode): the pages stay in the
    /// kernel's page cache and come back on the next access, but stop
    /// counting in the process's resident memory. Safe for read-only shared
    /// mappings of a file whose mapped contents do not change meanwhile.
    /// Does nothing where `/proc/self/maps` does not exist.
    public static func releaseMappings(ofFileDescriptor fd: Int32, subject: String) throws(SystemError) {
        try forEachMapping(ofFileDescriptor: fd, subject: subject) { range throws(SystemError) in try releaseMapping(range, subject: subject) }
    }

    /// Calls `body` with each address range where the file open as `fd` is mapped.
    private static func forEachMapping(ofFileDescriptor fd: Int32, subject: String, _ body: (Range<UInt>) throws(SystemError) -> Void) throws(SystemError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("fstat", subject) }
        let dev = UInt64(st.st_dev)   // glibc's encoding of the major and minor numbers
        let major = UInt32(truncatingIfNeeded: ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF))
        let minor = UInt32(truncatingIfNeeded: (dev & 0xFF) | ((dev >> 12) & ~0xFF))
        try forEachMapping { range, device, inode throws(SystemError) in
            if inode == UInt64(st.st_ino), device == (major, minor) { try body(range) }
        }
    }

    /// The address range of this process's mapping that holds `address`
    /// (the code of a library, given one of its functions); nil where none
    /// does or `/proc/self/maps` cannot be read.
    public static func mapping(containing address: UInt) -> Range<UInt>? {
        var found: Range<UInt>?
        try? forEachMapping { range, _, _ in if range.contains(address) { found = range } }
        return found
    }

    /// Calls `body` with each mapping of this process (`/proc/self/maps`;
    /// none where it does not exist): its addresses, the device numbers and
    /// inode of the file it maps (0 for memory no file backs).
    private static func forEachMapping(_ body: (Range<UInt>, (UInt32, UInt32), UInt64) throws(SystemError) -> Void) throws(SystemError) {
        guard let maps = fopen("/proc/self/maps", "r") else { return }
        defer { fclose(maps) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), maps) != nil {
            // start-end perms offset major:minor inode path
            let fields = String(nulTerminated: line).split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, let inode = UInt64(fields[4]) else { continue }
            let device = fields[3].split(separator: ":").compactMap { UInt32($0, radix: 16) }
            guard device.count == 2 else { continue }
            let range = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
            guard range.count == 2, range[1] > range[0] else { continue }
            try body(range[0]..<range[1], (device[0], device[1]), inode)
        }
    }
}

private extension String {
    /// The text of a C buffer up to its first NUL (the buffers here always hold one).
    init(nulTerminated buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
