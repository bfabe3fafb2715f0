import DossierRules
import LedgerContract
import SystemIO

/// Dossier rows (`DossierRow`) spilled to an unlinked scratch file in runs,
/// each run in the byte order of the codes, then merged back into one
/// stream in that order: how `KeyOrderFold` gives every dossier in code
/// order while holding one chunk of rows.
///
/// A record is a varint length, then the index of the reference version in
/// force at the dossier's last event (varint), the code (a blob) and the
/// row's bytes. The file disappears with the value (its descriptor is
/// closed), or with the process.
///
/// Memory: one write buffer while spilling, one read buffer per run while
/// merging. Not thread-safe.
final class DossierRowRuns {
    private let fd: Int32
    /// [start, end) of each run in the file.
    private var runs: [Range<Int>] = []
    private var written = 0
    private var runStart = 0
    private var buffer = ByteWriter(capacity: 1 << 16)
    private var record = ByteWriter(capacity: 1024)
    private static let subject = "the scratch file of a fold in key order"

    init() throws {
        do { fd = try FileSystem.openScratchFile() } catch {
            throw LedgerError(.storage, "cannot create \(Self.subject): \(error)")
        }
    }

    deinit { FileSystem.close(fd) }

    /// Appends a dossier's row to the current run (rows must come in code order).
    func append(_ row: [UInt8], code: String, referenceVersion: Int) throws {
        record.removeAll()
        record.varint(UInt64(referenceVersion))
        record.blob(code)
        row.withUnsafeBytes { record.raw($0) }
        buffer.varint(UInt64(record.byteCount))
        record.withUnsafeBytes { buffer.raw($0) }
        if buffer.byteCount >= 1 << 16 { try flush() }
    }

    /// Ends the current run.
    func endRun() throws {
        try flush()
        if written > runStart { runs.append(runStart..<written) }
        runStart = written
    }

    private func flush() throws {
        guard buffer.byteCount > 0 else { return }
        let fd = self.fd
        let failure = buffer.withUnsafeBytes { b -> SystemError? in
            do throws(SystemError) { try FileSystem.writeAll(fd, b.baseAddress!, b.count, subject: Self.subject) } catch { return error }
            return nil
        }
        if let failure { throw LedgerError(.storage, "cannot write \(Self.subject): \(failure)") }
        written += buffer.byteCount
        buffer.removeAll()
    }

    /// The rows of every run, in code order, one at a time (the runs
    /// must stay alive while it is used).
    /// - Complexity: O(log r) a row for r runs.
    func merger() throws -> Merger {
        Merger(readers: try runs.map { try RunReader(fd: fd, range: $0) })
    }

    /// A k-way merge of the runs: a binary min-heap of run indices, by their current record's code.
    struct Merger {
        private var readers: [RunReader]
        private var heap: [Int]

        fileprivate init(readers: [RunReader]) {
            self.readers = readers
            heap = readers.indices.filter { readers[$0].current != nil }
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }

        private func less(_ a: Int, _ b: Int) -> Bool {
            Key.precedes(readers[a].current!.code, readers[b].current!.code)
        }

        private mutating func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(heap[l], heap[m]) { m = l }
                if r < heap.count, less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }

        /// The code of the next row in code order; nil after the last.
        var nextCode: String? { heap.first.map { readers[$0].current!.code } }

        /// Calls `body` with the next row in code order (its code, the
        /// reference version spilled with it and its bytes, valid during the
        /// call) and moves past it; nil after the last.
        mutating func withNext<R>(_ body: (_ code: String, _ referenceVersion: Int, _ row: UnsafeRawBufferPointer) throws -> R) throws -> R? {
            guard let top = heap.first else { return nil }
            let item = readers[top].current!
            let result = try readers[top].bytes.withUnsafeBytes { b in
                try body(item.code, item.referenceVersion, UnsafeRawBufferPointer(rebasing: b[item.row]))
            }
            try readers[top].advance()
            if readers[top].current == nil {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
            return result
        }
    }

    /// Reads one run a buffer at a time.
    fileprivate struct RunReader {
        let fd: Int32
        var next: Int
        let end: Int
        var bytes: [UInt8] = []
        var position = 0
        /// The record read last: its row lies in `bytes`.
        var current: (code: String, referenceVersion: Int, row: Range<Int>)?

        init(fd: Int32, range: Range<Int>) throws {
            self.fd = fd
            next = range.lowerBound
            end = range.upperBound
            try advance()
        }

        /// Makes sure `count` bytes are buffered from `position` (false at the run's end).
        private mutating func fill(_ count: Int) throws -> Bool {
            if bytes.count - position >= count { return true }
            bytes.removeFirst(position)
            position = 0
            let want = min(max(count - bytes.count, 1 << 15), end - next)
            guard want > 0 else { return bytes.count >= count }
            let old = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: want))
            let fd = self.fd, offset = next
            let n = try bytes.withUnsafeMutableBytes { b -> Int in
                do { return try FileSystem.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: b[old...]), at: offset, subject: DossierRowRuns.subject) } catch {
                    throw LedgerError(.storage, "cannot read \(DossierRowRuns.subject): \(error)")
                }
            }
            bytes.removeLast(want - n)
            next += n
            guard n > 0 else { return bytes.count >= count }
            return try fill(count)
        }

        private static func readLength(_ b: UnsafeRawBufferPointer) throws -> (length: Int, used: Int) {
            var r = ByteReader(b)
            let length = Int(try r.varint())
            return (length, r.offset)
        }

        /// The reference version, the code, and where the row starts in `b`.
        private static func readRecord(_ b: UnsafeRawBufferPointer) throws -> (code: String, referenceVersion: Int, rowStart: Int) {
            var r = ByteReader(b)
            let version = Int(try r.varint())
            let code = try r.blob()
            return (code, version, r.offset)
        }

        mutating func advance() throws {
            current = nil
            // A varint is at most 10 bytes; the run may end sooner.
            guard try fill(1) else { return }
            _ = try fill(10)
            do {
                let header = try bytes.withUnsafeBytes { b in try Self.readLength(UnsafeRawBufferPointer(rebasing: b[position...])) }
                position += header.used
                let length = header.length
                guard try fill(length) else { throw RecordDecodingError(reason: "a record runs past the end of its run") }
                let record = try bytes.withUnsafeBytes { b in try Self.readRecord(UnsafeRawBufferPointer(rebasing: b[position..<(position + length)])) }
                current = (record.code, record.referenceVersion, (position + record.rowStart)..<(position + length))
                position += length
            } catch let e as RecordDecodingError {
                throw LedgerError(.storage, "\(DossierRowRuns.subject) does not read back: \(e.reason)")
            }
        }
    }
}
