import LedgerContract
import LMDB

extension EventStore {
    /// The head of the log as of this snapshot.
    public func head(in txn: Transaction) throws -> Head {
        guard let raw = try txn.get(tables.meta, key: Array("head".utf8)), raw.count == 40 else {
            throw LedgerError(.corrupt, "\(path): the head record is missing or damaged")
        }
        let seq = try Key.readU64(raw)
        guard seq <= UInt64(Int64.max) else { throw LedgerError(.corrupt, "\(path): the head record names seq \(seq), beyond any log") }
        return Head(seq: seq, hash: SHA256.Digest(UnsafeRawBufferPointer(rebasing: raw[8..<40])))
    }

    /// Decodes one stored record.
    public func decode(_ record: UnsafeRawBufferPointer, seq: UInt64, in txn: Transaction) throws -> RecordedEvent {
        do {
            return try RecordCodec.decode(record, seq: seq,
                dossierCode: { number in try self.dossierCode(number: number, in: txn) },
                string: { id in try self.text(ofString: id, in: txn) })
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(path): seq \(seq): stored bytes do not decode: \(e.reason)")
        }
    }

    /// Decodes the record of `view`.
    public func decode(_ view: RecordView, in txn: Transaction) throws -> RecordedEvent {
        do {
            return try RecordCodec.decode(view,
                dossierCode: { number in try self.dossierCode(number: number, in: txn) },
                string: { id in try self.text(ofString: id, in: txn) })
        } catch let e as RecordDecodingError {
            throw LedgerError(.corrupt, "\(path): seq \(view.seq): stored bytes do not decode: \(e.reason)")
        }
    }

    /// The code of dossier number `number`.
    public func dossierCode(number: UInt32, in txn: Transaction) throws -> String {
        guard let raw = try txn.get(tables.dossierCodes, key: Key.u32(number)),
              let code = String(storedUTF8: raw) else {
            throw LedgerError(.corrupt, "dossier number \(number) is not in the dossier table")
        }
        return code
    }

    /// The event at `seq`, or nil past the head.
    public func event(seq: UInt64, in txn: Transaction) throws -> RecordedEvent? {
        guard let raw = try txn.get(tables.events, key: Key.u64(seq)) else { return nil }
        return try decode(raw, seq: seq, in: txn)
    }

    /// Calls `body` for each event with `from ≤ seq ≤ to`, in seq order,
    /// until it returns false.
    ///
    /// - Complexity: O(k) for k events visited; a cursor walk, no lookups.
    public func forEachEvent(from: UInt64 = 1, to: UInt64 = .max, in txn: Transaction,
                             _ body: (RecordedEvent) throws -> Bool) throws {
        // Dossier codes repeat across a scan: resolve each dossier number once
        // while it is in flight (the cache is emptied when it holds 65,536 codes).
        var codes: [UInt32: String] = [:]
        try forEachRecord(from: from, to: to, in: txn) { seq, raw in
            let e: RecordedEvent
            do {
                e = try RecordCodec.decode(raw, seq: seq, dossierCode: { number in
                    if let code = codes[number] { return code }
                    let code = try self.dossierCode(number: number, in: txn)
                    if codes.count == 1 << 16 { codes.removeAll(keepingCapacity: true) }
                    codes[number] = code
                    return code
                }, string: { id in try self.text(ofString: id, in: txn) })
            } catch let e as RecordDecodingError {
                throw LedgerError(.corrupt, "\(path): seq \(seq): stored bytes do not decode: \(e.reason)")
            }
            return try body(e)
        }
    }

    /// Calls `body` with each stored record's seq and raw bytes, in seq
    /// order, until it returns false.
    ///
    /// Memory: every 16,384 records, the mapped pages are released if the
    /// process's resident ones exceed `Environment.residentFileBudget` (they
    /// stay in the page cache), so a scan of the whole log keeps a window of
    /// it resident, not all of it.
    public func forEachRecord(from: UInt64 = 1, to: UInt64 = .max, in txn: Transaction,
                              _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        try forEachEntry(of: tables.events, from: Key.u64(max(from, 1)), in: txn) { key, value in
            let seq = try Key.readU64(key)
            return try seq <= to && body(seq, value)
        }
    }

    /// Calls `body` with each entry of `table` in key order, from the first
    /// key at or after `start` (nil: the first), until it returns false.
    /// Memory: every 16,384 entries read, the mapped pages are released when
    /// the process's resident ones exceed `Environment.residentFileBudget`
    /// (`Environment.MappedPageBudget`).
    package func forEachEntry(of table: Database, from start: [UInt8]? = nil, in txn: Transaction,
                              _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        var mappedPages = Environment.MappedPageBudget(environment, in: txn, checkingEvery: 1 << 14)
        try txn.withCursor(table) { cursor in
            var entry = try start.map { try cursor.seek($0) } ?? cursor.first()
            while let (key, value) = entry {
                guard try body(key, value) else { return }
                try mappedPages.step()
                entry = try cursor.next()
            }
        }
    }

    /// A dossier's number and current version, or nil if it has no events.
    public func stream(ofDossier code: String, in txn: Transaction) throws -> (number: UInt32, version: UInt32)? {
        guard let raw = try txn.get(tables.dossiers, utf8Key: code) else { return nil }
        return try dossierRow(raw) { code }
    }

    /// The number and version of a dossier table entry (`Tables.dossiers`),
    /// whose code `code` gives for the error when the entry is damaged.
    func dossierRow(_ raw: UnsafeRawBufferPointer, code: () -> String) throws -> (number: UInt32, version: UInt32) {
        guard raw.count == 8 else { throw LedgerError(.corrupt, "\(path): dossier \(code()): stream record is damaged") }
        return (try Key.readU32(raw), try Key.readU32(raw, at: 4))
    }

    /// The seqs of a dossier's events, in version order.
    ///
    /// - Complexity: O(log n + k): one read of the stream index.
    public func seqs(ofDossier code: String, in txn: Transaction) throws -> [UInt64] {
        guard let (number, _) = try stream(ofDossier: code, in: txn) else { return [] }
        var found: [UInt64] = []
        try seqs(ofNumber: number, into: &found, in: txn)
        return found
    }

    /// Replaces `seqs` with those of dossier number `number` (empty when it has no stream).
    /// - Parameter streams: a cursor over `tables.streams` of `txn`, for a
    ///   caller reading many numbers in order: LMDB then finds a number on
    ///   the page of the one before instead of searching from the root.
    package func seqs(ofNumber number: UInt32, into seqs: inout [UInt64], in txn: Transaction, streams: Cursor? = nil) throws {
        let found = try withUnsafeBytes(of: number.bigEndian) { key in
            if let streams { return try streams.find(key)?.value }
            return try txn.get(tables.streams, key: key)
        }
        guard let raw = found else {
            seqs.removeAll(keepingCapacity: true)
            return
        }
        do { try StreamSeqs.decode(raw, into: &seqs) } catch {
            throw LedgerError(.corrupt, "\(path): the stream of dossier number \(number) does not decode: \(error.reason)")
        }
    }

    /// A dossier's events, in version order.
    public func events(ofDossier code: String, in txn: Transaction) throws -> [RecordedEvent] {
        try seqs(ofDossier: code, in: txn).map { seq in
            guard let e = try event(seq: seq, in: txn) else {
                throw LedgerError(.corrupt, "\(path): dossier \(code): stream names seq \(seq), which is not in the log")
            }
            return e
        }
    }

    /// A dossier's stored records up to seq `through` (all by default), in
    /// version order, read in place: valid while `txn` is open.
    public func records(ofDossier code: String, through last: UInt64 = .max, in txn: Transaction) throws -> [RecordView] {
        try records(code, seqs: try seqs(ofDossier: code, in: txn).prefix { $0 <= last }, in: txn)
    }

    /// The records of `seqs`, the stream of dossier `code`, read in place.
    package func records(_ code: String, seqs: some Sequence<UInt64>, in txn: Transaction) throws -> [RecordView] {
        try seqs.map { seq in
            guard let raw = try txn.get(tables.events, key: Key.u64(seq)) else {
                throw LedgerError(.corrupt, "\(path): dossier \(code): stream names seq \(seq), which is not in the log")
            }
            return try view(raw, seq: seq)
        }
    }

    /// The seq stored for an event id, if any.
    public func seq(forID id: String, in txn: Transaction) throws -> UInt64? {
        try txn.get(tables.ids, key: Array(id.utf8)).map { try Key.readU64($0) }
    }

    /// Number of dossiers with at least one event.
    public func dossierCount(in txn: Transaction) throws -> Int {
        try txn.statistics(tables.dossiers).entries
    }

    /// Seqs of all reference-data events, in order.
    public func referenceSeqs(after seq: UInt64 = 0, in txn: Transaction) throws -> [UInt64] {
        var seqs: [UInt64] = []
        try txn.withCursor(tables.references) { cursor in
            var entry = try cursor.seek(Key.u64(seq + 1))
            while let e = entry { seqs.append(try Key.readU64(e.key)); entry = try cursor.next() }
        }
        return seqs
    }

    /// Bytes the environment's pages occupy (all tables).
    public func bytesInUse() throws -> Int {
        let info = try environment.info
        let page = try environment.statistics.pageSize
        return (info.lastPage + 1) * page
    }
}

