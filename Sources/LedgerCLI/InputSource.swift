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
        if FileSystem.kind(at: path) == true { throw CommandFailure(.noInput, "\(path) is a directory, not a file of events") }
        do { fd = try FileSystem.openForReading(path) } catch {
            throw CommandFailure(.noInput, error.description)
        }
        self.name = path
    }

    func close() { if fd > 0 { FileSystem.close(fd) } }

    /// Reads up to `limit` lines as events, each parsed and prepared for
    /// appending (`PreparedEvent`) as it is read: a batch holds its events
    /// once, not their text as well. Nil at end of input.
    /// - Throws: `AppendRefusal` for the first line (in input order) too long or not an event.
    static func readBatch(_ reader: inout LineReader, limit: Int) throws -> [PreparedEvent]? {
        var events: [PreparedEvent] = []
        events.reserveCapacity(min(limit, 4_096))   // one allocation for an import chunk, not a doubling series
        try readEvents(&reader, limit: limit) { events.append(PreparedEvent($0)) }
        return events.isEmpty ? nil : events
    }

    /// Reads up to `limit` lines as events prepared for `ledger`
    /// (`EventPreparer`, their records encoded ahead): for a chunk of an
    /// import, read while the writer appends the one before. Nil at end of input.
    /// - Throws: as `readBatch(_:limit:)`.
    /// - Parameter byteLimit: the chunk ends after the line that brings its
    ///   lines' bytes to this many, before `limit` lines if need be.
    /// - Parameter spare: a chunk done with, refilled in place: each event
    ///   read takes the place of one of its events, which is freed then, so
    ///   that the next event's memory comes from the blocks just freed
    ///   (freeing the whole chunk at once, then allocating as much again,
    ///   would have malloc merge and split those blocks).
    static func readChunk(_ reader: inout LineReader, limit: Int, byteLimit: Int, preparingFor ledger: Ledger,
                          reusing spare: consuming [PreparedEvent]? = nil) throws -> [PreparedEvent]? {
        var preparer = ledger.preparer()
        var events = spare ?? []
        events.reserveCapacity(min(limit, 4_096))
        var count = 0
        try readEvents(&reader, limit: limit, byteLimit: byteLimit) { input in
            let prepared = preparer.prepare(input)
            if count < events.count { events[count] = prepared } else { events.append(prepared) }
            count += 1
        }
        events.removeSubrange(count...)   // the spare's events not replaced
        return count == 0 ? nil : events
    }

    private static func readEvents(_ reader: inout LineReader, limit: Int, byteLimit: Int = .max, _ body: (consuming InputEvent) -> Void) throws {
        var count = 0
        var bytesRead = 0
        while count < limit, bytesRead < byteLimit {
            let line: LineReader.LentLine<Void>?
            do {
                line = try reader.nextLine { (number, bytes) throws(AppendRefusal) in
                    bytesRead += bytes.count + 1
                    body(try Ledger.parse(line: number, bytes: bytes))
                }
            } catch {
                switch error {
                case .reading(let e): throw e
                case .text(let e): throw e
                }
            }
            switch line {
            case nil: return
            case .text?: break
            case .tooLong(let number)?:
                throw AppendRefusal(.invalid, line: number, dossier: nil, rule: "line longer than \(reader.maxLineBytes) bytes")
            }
            count += 1
        }
    }
}
