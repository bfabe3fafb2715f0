import SystemIO
import Foundation
import LedgerStore
import LedgerContract
import ProvinceGenerator
#if canImport(Glibc)
import Glibc
#endif

/// A directory under the system's temporary directory, removed by `remove()`.
final class ScratchDirectory {
    let path: String

    init(_ label: String) throws {
        var template = Array((NSTemporaryDirectory() + "/ledger-bench-\(label)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    /// A path inside the directory (not created).
    func child(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Generated contract NDJSON in a temporary file: exactly `events` lines
/// (the generator's stream cut after that many lines; a prefix of a valid
/// stream is valid).
struct Input {
    let path: String
    let events: Int
    let bytes: Int

    /// Writes the file (not timed by any benchmark): one province over
    /// `years` years, the last one the generator's default year (2025). The generator makes about 9.8
    /// events per dossier, so `dossiers` is events / 9.5 and the cut drops
    /// the last few percent of the last year.
    static func generate(events: Int, years: Int = 1, into directory: ScratchDirectory) throws -> Input {
        let path = directory.child("input.ndjson")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var options = ProvinceGenerator.Options()
        options.dossiers = max(1, events * 2 / 19)
        options.years = years
        options.fromYear -= years - 1
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var lines = 0
        var bytes = 0
        func flush() throws {
            var offset = 0
            while offset < buffer.count {
                let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
        _ = try ProvinceGenerator(options: options).generateBytes { line in
            guard lines < events else { return }
            buffer.append(contentsOf: line)
            buffer.append(10)
            lines += 1
            bytes += line.count + 1
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
        // On disk before anything is timed, so its writeback does not compete with the ledger's fsyncs.
        guard fsync(fd) == 0 else { throw BenchError("cannot fsync \(path): \(String(cString: strerror(errno)))") }
        return Input(path: path, events: lines, bytes: bytes)
    }

    /// Calls `body` with consecutive batches of at most `size` lines, read
    /// from the file in constant memory, until it returns false.
    func forEachBatch(of size: Int, _ body: ([(line: Int, bytes: [UInt8])]) throws -> Bool) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd)
        var batch: [(line: Int, bytes: [UInt8])] = []
        batch.reserveCapacity(size)
        while let line = try reader.next() {
            guard case .text(let number, let bytes) = line else { throw BenchError("\(path): an over-long line") }
            batch.append((number, bytes))
            if batch.count == size {
                guard try body(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try body(batch) }
    }
}

extension ScratchDirectory {
    /// Creates directory `name` inside `parent` and returns its path.
    static func inside(_ parent: ScratchDirectory, _ name: String) throws -> String {
        let path = parent.child(name)
        guard mkdir(path, 0o700) == 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        return path
    }
}
