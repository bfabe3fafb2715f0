#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to a file descriptor (stdout by default). Write errors
/// (a closed pipe, a full disk) are thrown, not ignored.
///
/// Not thread-safe: one writer owns it.
public final class Output {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(limit + 4096)
    }

    public func write(_ bytes: [UInt8]) throws(SystemError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { try flush() }
    }

    public func write(_ text: String) throws(SystemError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { try flush() }
    }

    public func line(_ text: String = "") throws(SystemError) {
        try write(text)
        buffer.append(0x0A)
        if buffer.count >= limit { try flush() }
    }

    public func flush() throws(SystemError) {
        defer { buffer.removeAll(keepingCapacity: true) }
        let fd = self.fd
        let failure = buffer.withUnsafeBytes { b -> SystemError? in
            guard let base = b.baseAddress else { return nil }
            do throws(SystemError) { try FileSystem.writeAll(fd, base, b.count) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Whether the descriptor is a terminal (colours, progress).
    public var isTerminal: Bool { FileSystem.isTerminal(fd) }
}

/// Writes a line to stderr at once (errors ignored: there is nowhere left to report them).
public func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { b in try? FileSystem.writeAll(2, b.baseAddress!, b.count, subject: "stderr") }
}
