#if canImport(Glibc)
import SystemIO
import Glibc
#endif
import LedgerContract
import Projections

/// The NDJSON input of `append` and `import`: a file, or stdin for `-` or none.
struct InputSource {
    let name: String
    let fd: Int32

    init(path: String?) throws {
        guard let path, path != "-" else {
            name = "stdin"
            fd = 0
            return
        }
        do { fd = try FileSystem.openForReading(path) } catch {
            throw CommandFailure(.noInput, error.description)
        }
        self.name = path
    }

    func close() { if fd > 0 { FileSystem.close(fd) } }

    /// Reads up to `limit` lines as events; nil at end of input.
    /// - Throws: `AppendRefusal` for a line too long or not an event.
    static func readBatch(_ reader: inout LineReader, limit: Int) throws -> [InputEvent]? {
        var lines: [(line: Int, bytes: [UInt8])] = []
        while lines.count < limit, let line = try reader.next() {
            switch line {
            case .text(let number, let bytes): lines.append((number, bytes))
            case .tooLong(let number):
                throw AppendRefusal(.invalid, line: number, dossier: nil, rule: "line longer than \(reader.maxLineBytes) bytes")
            }
        }
        if lines.isEmpty { return nil }
        return try Ledger.parse(lines: lines)
    }
}
