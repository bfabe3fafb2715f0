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
        switch try nextFound() {
        case nil: return nil
        case .text(let number, let range)?: return .text(number: number, bytes: Array(buffer[range]))
        case .tooLong(let number)?: return .tooLong(number: number)
        }
    }

    /// The next non-blank line lent to `text`, without copying it out of
    /// the reader's buffer: `bytes` is valid only during the call. Gives
    /// what `text` returned, `.tooLong` for a line over `maxLineBytes`,
    /// or nil at end of input.
    public mutating func nextLine<R, E: Error>(_ text: (_ number: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws(E) -> R)
        throws(LineError<E>) -> LentLine<R>? {
        let found: Found?
        do { found = try nextFound() } catch { throw .reading(error) }
        switch found {
        case nil: return nil
        case .tooLong(let number)?: return .tooLong(number: number)
        case .text(let number, let range)?:
            do {
                return .text(try buffer.withUnsafeBufferPointer { (b) throws(E) in try text(number, UnsafeBufferPointer(rebasing: b[range])) })
            } catch { throw .text(error) }
        }
    }

    /// What `nextLine` gives: `text`'s result, or the number of a line too long to read.
    public enum LentLine<R> {
        case text(R)
        case tooLong(number: Int)
    }

    /// Why `nextLine` failed: the input could not be read, or `text` threw.
    public enum LineError<E: Error>: Error {
        case reading(SystemError)
        case text(E)
    }

    /// A line found in `buffer`, valid until the next read.
    private enum Found {
        case text(number: Int, range: Range<Int>)
        case tooLong(number: Int)
    }

    /// The next non-blank line.
    private mutating func nextFound() throws(SystemError) -> Found? {
        while true {
            guard let found = try nextRaw() else { return nil }
            if case .text(_, let range) = found, buffer[range].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return found
        }
    }

    private mutating func nextRaw() throws(SystemError) -> Found? {
        var scanFrom = start
        var skipping = false   // inside an over-long line: discard until its newline
        while true {
            if let nl = buffer[scanFrom..<end].firstIndex(of: 0x0A) {
                lineNumber += 1
                defer { start = nl + 1 }
                if skipping { return .tooLong(number: lineNumber) }
                let lineEnd = nl > start && buffer[nl - 1] == 0x0D ? nl - 1 : nl
                if lineEnd - start > maxLineBytes { return .tooLong(number: lineNumber) }
                return .text(number: lineNumber, range: start..<lineEnd)
            }
            if atEOF {
                guard start < end || skipping else { return nil }
                lineNumber += 1
                defer { start = end }
                if skipping || end - start > maxLineBytes { return .tooLong(number: lineNumber) }
                return .text(number: lineNumber, range: start..<end)
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
