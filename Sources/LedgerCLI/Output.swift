#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to a file descriptor (stdout by default). Write errors
/// (a closed pipe, a full disk) are thrown, not ignored.
final class Output {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(limit + 4096)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { try flush() }
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { try flush() }
    }

    func line(_ text: String = "") throws {
        try write(text)
        buffer.append(0x0A)
        if buffer.count >= limit { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                buffer.removeAll(keepingCapacity: true)
                throw CommandFailure(.ioError, "cannot write output: \(reason)")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether the descriptor is a terminal (colours, progress).
    var isTerminal: Bool { isatty(fd) == 1 }
}

/// Writes a line to stderr at once.
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}
