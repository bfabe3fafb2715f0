import Foundation
import LedgerContract
import SystemIO

/// PostgreSQL's own client, `psql` (Debian's `postgresql-client`), run as a
/// child process: the warehouse links no PostgreSQL library.
///
/// Each call is one `psql` session with `ON_ERROR_STOP`: a script's
/// transactions before a failing statement stay committed, the failing one
/// is rolled back, nothing after it runs, and the call throws with what
/// PostgreSQL said.
public struct Psql: Sendable {
    /// The database: a `postgresql://` URL or a conninfo string, as psql takes it.
    public let database: String
    public let executable: String

    /// - Parameter executable: psql's path; nil: `$PSQL`, else `psql` on `PATH`.
    public init(database: String, executable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.database = database
        if let executable {
            self.executable = executable
        } else if let given = environment["PSQL"], !given.isEmpty {
            self.executable = given
        } else {
            let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
            guard let found = path.map({ $0 + "/psql" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw LedgerError(.missing, "psql is not installed: the warehouse is loaded through PostgreSQL's own client "
                                  + "(on Debian: apt-get install postgresql-client)")
            }
            self.executable = found
        }
    }

    /// Runs `script` (SQL, with `COPY … FROM STDIN` data inline), fed to psql
    /// as it is produced by `write`; returns what psql printed.
    public func run(_ write: (_ send: ([UInt8]) throws -> Void) throws -> Void) throws -> String {
        try run(write) { path in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    }

    /// Runs `sql` and hands each line psql printed (e.g. the rows of a
    /// `COPY … TO STDOUT`) to `line`, read from a file: the output is never
    /// held in memory whole.
    public func forEachLine(of sql: String, _ line: ([UInt8]) throws -> Void) throws {
        try run({ send in try send(Array(sql.utf8)) }) { path in
            let fd = try FileSystem.openForReading(path)
            defer { FileSystem.close(fd) }
            var reader = LineReader(fileDescriptor: fd, maxLineBytes: 64 << 20)
            while let next = try reader.next() {
                guard case .text(_, let bytes) = next else {
                    throw LedgerError(.storage, "psql printed a line longer than 64 MiB")
                }
                try line(bytes)
            }
        }
    }

    private func run<R>(_ write: (_ send: ([UInt8]) throws -> Void) throws -> Void, output: (String) throws -> R) throws -> R {
        let session = try PsqlSession(self)
        var writeFailure: Error?
        do { try write { bytes in try session.sendNow(bytes) } } catch { writeFailure = error }
        return try session.finish(writeFailure: writeFailure, output: output)
    }

    /// Runs SQL text and returns the rows it printed, fields split.
    public func query(_ sql: String) throws -> [[String]] {
        let printed = try run { send in try send(Array(sql.utf8)) }
        return printed.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            line.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The database named without its password, for messages.
    static func redacted(_ database: String) -> String {
        database.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
            .replacingOccurrences(of: #"password=\S*"#, with: "password=***", options: .regularExpression)
    }
}

/// SQL text: literals and identifiers quoted.
enum SQL {
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
    static func identifier(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// One psql process fed a script on its standard input — synchronously
/// (`sendNow`), or through a writer thread (`send`), so that two sessions
/// load at once while the caller prepares the next batch.
final class PsqlSession: @unchecked Sendable {
    private let psql: Psql
    private let process = Process()
    private let input = Pipe()
    private let outPath: String
    private let out: FileHandle
    private let err: FileHandle
    private let writer = DispatchQueue(label: "psql-session-writer")
    /// At most one batch queued behind the one being written.
    private let queued = DispatchSemaphore(value: 2)
    private let failureLock = NSLock()
    private var asyncFailure: Error?

    init(_ psql: Psql) throws {
        self.psql = psql
        process.executableURL = URL(fileURLWithPath: psql.executable)
        process.arguments = ["--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--field-separator=\u{1F}",
                             "--set=ON_ERROR_STOP=1", "--dbname=\(psql.database)", "--file=-"]
        var environment = ProcessInfo.processInfo.environment
        environment["PGAPPNAME"] = "dossier-ledger"
        environment["PGCLIENTENCODING"] = "UTF8"
        environment["PGOPTIONS"] = ((environment["PGOPTIONS"].map { $0 + " " }) ?? "") + "-c client_min_messages=warning"
        process.environment = environment
        outPath = NSTemporaryDirectory() + "dossier-ledger-psql-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outPath + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: outPath + ".err", contents: nil)
        out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath + ".out"))
        err = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath + ".err"))
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            removeFiles()
            throw LedgerError(.missing, "cannot start \(psql.executable): \(error.localizedDescription)")
        }
    }

    private func removeFiles() {
        try? FileManager.default.removeItem(atPath: outPath + ".out")
        try? FileManager.default.removeItem(atPath: outPath + ".err")
    }

    /// Writes `bytes` now, blocking until the pipe took them.
    func sendNow(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try input.fileHandleForWriting.write(contentsOf: Data(bytes))
    }

    /// Queues `bytes` for the writer thread; blocks while two writes are already queued.
    func send(_ bytes: [UInt8]) throws {
        failureLock.lock()
        let failed = asyncFailure
        failureLock.unlock()
        if let failed { throw failed }
        queued.wait()
        writer.async { [self] in
            defer { queued.signal() }
            failureLock.lock()
            let skip = asyncFailure != nil
            failureLock.unlock()
            guard !skip else { return }
            do { try sendNow(bytes) } catch {
                failureLock.lock()
                asyncFailure = error
                failureLock.unlock()
            }
        }
    }

    /// Stops psql without finishing its script: the server rolls back its open transaction.
    func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Ends the script, waits for psql and reports what it said: its error
    /// when it failed (a failed write then only meant psql had stopped
    /// reading), else `output` of what it printed.
    func finish<R>(writeFailure: Error? = nil, output: (String) throws -> R) throws -> R {
        writer.sync {}
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        defer { removeFiles() }
        let complaint = ((try? String(contentsOfFile: outPath + ".err", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 {
            throw LedgerError(.storage, "psql (\(Psql.redacted(psql.database))) failed with exit \(process.terminationStatus): "
                              + (complaint.isEmpty ? "no message" : complaint))
        }
        if let writeFailure { throw writeFailure }
        failureLock.lock()
        let failed = asyncFailure
        failureLock.unlock()
        if let failed { throw failed }
        return try output(outPath + ".out")
    }

}

/// Reads a field of `COPY … TO STDOUT` text: nil for `\N`, escapes undone.
func copyField(_ bytes: ArraySlice<UInt8>) -> String? {
    if bytes.count == 2 && bytes.first == 0x5C && bytes.last == 0x4E { return nil }
    guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var escaped = false
    for b in bytes {
        if escaped {
            switch b {
            case 0x74: out.append(0x09)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x76: out.append(0x0B)
            default: out.append(b)
            }
            escaped = false
        } else if b == 0x5C {
            escaped = true
        } else {
            out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Rows in the text format of `COPY … FROM STDIN`: tab-separated, `\N` for null,
/// backslash, tab, newline and carriage return escaped.
struct CopyRows {
    var bytes: [UInt8] = []
    private var first = true

    mutating func field(_ text: String?) {
        guard var text else { field(bytes: nil as [UInt8]?); return }
        text.withUTF8 { field(bytes: $0) }
    }

    /// A field given as UTF-8 bytes (nil: null).
    mutating func field<Bytes: Collection<UInt8>>(bytes: Bytes?) {
        if !first { self.bytes.append(0x09) }
        first = false
        guard let text = bytes else { self.bytes.append(contentsOf: [0x5C, 0x4E]); return }
        for b in text {
            switch b {
            case 0x5C: self.bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x09: self.bytes.append(contentsOf: [0x5C, 0x74])
            case 0x0A: self.bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: self.bytes.append(contentsOf: [0x5C, 0x72])
            default: self.bytes.append(b)
            }
        }
    }

    mutating func field(_ value: Int64?) { field(value.map { String($0) }) }
    mutating func field(_ value: Double?) { field(value.map { String($0) }) }

    mutating func endRow() {
        bytes.append(0x0A)
        first = true
    }
}
