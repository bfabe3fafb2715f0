import LedgerContract
import LMDB
import SystemIO
import Synchronization
import Foundation

/// The append-only event log of one ledger directory: the global order by
/// seq, each dossier's stream, the id index, the hash chain and the string
/// table, all in one LMDB environment.
///
/// Guarantees:
/// - seq starts at 1 and has no gaps; it is assigned inside the write
///   transaction, so writers in several processes never collide.
/// - A dossier's events have versions 1, 2, 3… and its history is one read
///   of `streams` (dossier number → its seqs), never a log scan.
/// - Every committed event is chained: its hash covers the previous hash.
///
/// Thread rules: an `EventStore` may be shared between threads; all reads go
/// through `read {}` snapshots and all writes through an `Appender` inside
/// `environment.write {}`.
public final class EventStore: Sendable {
    /// The named databases of a ledger.
    public struct Tables: Sendable {
        /// "format", "head" (seq · hash) and ledger settings.
        public let meta: Database
        /// seq (u64 BE) → binary record.
        public let events: Database
        /// event id (or 0x00 · content digest for events without one) → seq.
        public let ids: Database
        /// dossier code → dossier number (u32 BE) · current version (u32 BE).
        public let dossiers: Database
        /// dossier number → dossier code.
        public let dossierCodes: Database
        /// dossier number → its seqs in version order, packed
        /// (`StreamSeqs`); the n-th seq is version n.
        public let streams: Database
        /// string id (u32 BE) → text (the text → id lookup is held in
        /// memory, read from this table).
        public let strings: Database
        /// seq → type code, for every reference-data event.
        public let references: Database
    }

    /// The store's format, written at `init` and checked at open. Format 1
    /// kept each stream as sorted duplicates (a table named `streams`, 8
    /// bytes and a node per seq); a format-1 ledger is converted when opened
    /// (`convertFromFormat1`).
    public static let formatVersion: UInt8 = 2

    public let path: String
    public let environment: Environment
    public let tables: Tables
    let strings = Mutex(InternedStrings())

    /// Creates a ledger in directory `path` (created with mode 0700 when
    /// missing; it must otherwise be empty).
    public static func create(at path: String, options: Environment.Options = .init()) throws -> EventStore {
        if let isDirectory = Self.kindOfFile(at: path) {
            guard isDirectory else { throw LedgerError(.alreadyExists, "\(path) exists and is not a directory") }
            if FileSystem.exists(path + "/data.mdb") {
                throw LedgerError(.alreadyExists, "\(path) already holds a ledger")
            }
            if let entries = try? directoryEntries(path), !entries.isEmpty {
                throw LedgerError(.alreadyExists, "\(path) is not empty; a ledger needs a directory of its own")
            }
        } else {
            // The directory gets the files' permissions plus search (x) where they are readable.
            let mode = Int(options.fileMode | ((options.fileMode & 0o400) != 0 ? 0o100 : 0) | ((options.fileMode & 0o040) != 0 ? 0o010 : 0))
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: mode])
            } catch {
                throw LedgerError(.storage, "cannot create directory \(path): \(error.localizedDescription)")
            }
        }
        let store = try EventStore(path: path, options: options)
        try store.environment.write { txn in
            try txn.put(store.tables.meta, key: Array("format".utf8), value: [formatVersion])
            try txn.put(store.tables.meta, key: Array("head".utf8), value: Key.u64(0) + SHA256.Digest.zero.bytes)
        }
        return store
    }

    /// Opens the ledger in directory `path`.
    public static func open(at path: String, options: Environment.Options = .init()) throws -> EventStore {
        guard let isDirectory = Self.kindOfFile(at: path) else {
            throw LedgerError(.missing, "no ledger at \(path) (create one with `dossier-ledger init`)")
        }
        guard isDirectory, FileSystem.exists(path + "/data.mdb") else {
            throw LedgerError(.notALedger, "\(path) is not a ledger (no data.mdb; create one with `dossier-ledger init`)")
        }
        for file in [path, path + "/data.mdb", path + "/lock.mdb"] {
            if FileSystem.isWorldWritable(file) {
                throw LedgerError(.insecure, "\(file) is world-writable: anyone could alter the evidence; refusing to use the ledger (chmod o-w it)")
            }
        }
        let store: EventStore
        do {
            store = try EventStore(path: path, options: options)
        } catch let e as LMDBError {
            throw LedgerError(.notALedger, "\(path) is not a ledger", underlying: e)
        }
        let format = try store.environment.read { txn in try txn.get(store.tables.meta, key: Array("format".utf8)).map { Array($0) } }
        guard let format, format.count == 1 else {
            throw LedgerError(.notALedger, "\(path) is an LMDB environment but not a ledger (no format marker)")
        }
        if format[0] == 1 { try store.convertFromFormat1() } else if format[0] != formatVersion {
            throw LedgerError(.notALedger, "\(path) is a ledger of format \(format[0]); this tool reads format \(formatVersion)")
        }
        return store
    }

    private init(path: String, options: Environment.Options) throws {
        self.path = path
        let env: Environment
        do { env = try Environment(path: path, options: options) } catch let e as LMDBError {
            throw LedgerError(.notALedger, "cannot open \(path) as a ledger", underlying: e)
        }
        environment = env
        tables = try env.write { txn in
            Tables(meta: try txn.openDatabase("meta", create: true),
                   events: try txn.openDatabase("events", create: true),
                   ids: try txn.openDatabase("ids", create: true),
                   dossiers: try txn.openDatabase("dossiers", create: true),
                   dossierCodes: try txn.openDatabase("dossierCodes", create: true),
                   streams: try txn.openDatabase("dossierStreams", create: true),
                   strings: try txn.openDatabase("strings", create: true),
                   references: try txn.openDatabase("references", create: true))
        }
    }

    /// Rewrites the streams of a format-1 ledger (sorted duplicates in the
    /// table `streams`) packed into `dossierStreams`, deletes the old table
    /// and records format 2, in one write transaction: a reader sees one
    /// format or the other, and a conversion killed half-way leaves format 1.
    /// Nothing else of the store changed between the formats.
    private func convertFromFormat1() throws {
        try environment.write { txn in
            let format = try txn.get(tables.meta, key: Array("format".utf8)).map { Array($0) }
            guard format == [1] else { return }   // another process converted it first
            let old: Database
            do { old = try txn.openDatabase("streams", create: false, fixedSizeDuplicates: true) } catch {
                throw LedgerError(.corrupt, "\(path): a ledger of format 1 without its table of streams", underlying: error)
            }
            try txn.removeAll(tables.streams)
            var mappedPages = Environment.MappedPageBudget(environment, in: txn, budget: Environment.residentFileBudgetWhileWriting)
            try txn.withCursor(old) { cursor in
                var seqs: [UInt64] = []
                var number: [UInt8] = []
                var entry = try cursor.first()
                while let e = entry {
                    number = Array(e.key)
                    seqs.removeAll(keepingCapacity: true)
                    var dup: Cursor.Entry? = e
                    while let d = dup {
                        seqs.append(try Key.readU64(d.value))
                        dup = try cursor.nextDuplicate()
                    }
                    _ = try txn.put(tables.streams, key: number, value: StreamSeqs.encode(seqs), flags: .append)
                    try mappedPages.step()
                    entry = try cursor.next()
                }
            }
            try txn.deleteDatabase(old)
            _ = try txn.put(tables.meta, key: Array("format".utf8), value: [Self.formatVersion])
        }
    }

    /// nil when nothing is at `path`, else whether it is a directory.
    static func kindOfFile(at path: String) -> Bool? { FileSystem.kind(at: path) }

    static func directoryEntries(_ path: String) throws -> [String] {
        do { return try FileSystem.entries(ofDirectory: path) } catch {
            throw LedgerError(.storage, "cannot list \(path)", underlying: error)
        }
    }

    /// Runs `body` on a consistent snapshot of the ledger.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try environment.read(body)
    }
}
