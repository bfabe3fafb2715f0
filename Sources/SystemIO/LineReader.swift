#if canImport(Glibc)
import Glibc
#endif

/// Reads NDJSON input line by line from a file descriptor, in constant
/// memory: a line longer than `maxLineBytes` is reported, not buffered.
///
/// Lines are numbered from 1; blank lines are skipped (but counted). A
/// final line without a newline is still a line.
public struct LineReader {
    /// The longest line accepted (1 MiB by default).
    public let maxLineBytes: Int
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    public private(set) var lineNumber = 0
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead = 0

    /// One line: its number and bytes (without the newline), or the reason it
    /// could not be read.
    public enum Line {
        case text(number: Int, bytes: [UInt8])
        case tooLong(number: Int)
    }

    public init(fileDescriptor fd: Int32, maxLineBytes: Int = 1 << 20) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        buffer = [UInt8](repeating: 0, count: max(1 << 16, maxLineBytes + 1))
    }

    /// The next non-blank line, or nil at end of input.
    public mutating func next() throws(SystemError) -> Line? {
        while true {
            guard let line = try nextRaw() else { return nil }
            if case .text(_, let bytes) = line, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return line
        }
    }

    private mutating func nextRaw() throws(SystemError) -> Line? {
        var scanFrom = start
        var skipping = false   // inside an over-long line: discard until its newline
        while true {
            if let nl = buffer[scanFrom..<end].firstIndex(of: 0x0A) {
                lineNumber += 1
                defer { start = nl + 1 }
                if skipping { return .tooLong(number: lineNumber) }
                var line = Array(buffer[start..<nl])
                if line.last == 0x0D { line.removeLast() }
                if line.count > maxLineBytes { return .tooLong(number: lineNumber) }
                return .text(number: lineNumber, bytes: line)
            }
            if atEOF {
                guard start < end || skipping else { return nil }
                lineNumber += 1
                defer { start = end }
                if skipping || end - start > maxLineBytes { return .tooLong(number: lineNumber) }
                return .text(number: lineNumber, bytes: Array(buffer[start..<end]))
            }
            if end - start > maxLineBytes {
                skipping = true
                start = end
            }
            if start > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            scanFrom = end
            let n = buffer.withUnsafeMutableBufferPointer { b in Glibc.read(fd, b.baseAddress! + end, b.count - end) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", "input")
            }
            if n == 0 { atEOF = true } else { end += n; bytesRead += n }
        }
    }
}
