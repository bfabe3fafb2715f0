import Foundation
import LedgerContract
import Projections

/// The outcome of `WarehouseSync.check`.
public struct CustodyCheck: Sendable {
    /// Events in PostgreSQL for the province whose chain was recomputed.
    public var checked = 0
    /// The position PostgreSQL records.
    public var position: WarehousePosition?
    /// The first seq where PostgreSQL and the ledger differ, and how; nil when they agree.
    public var failure: (seq: UInt64, problem: String)?
    public var holds: Bool { failure == nil }
}

extension WarehouseSync {
    /// Chain of custody: recomputes the hash chain over the rows PostgreSQL
    /// holds for the province (each row's canonical form from its columns,
    /// chained from the previous row's hash), in seq order, and compares
    /// every hash with the ledger's and with the row's own, and the recorded
    /// position with the ledger; names the first seq that differs.
    /// - Complexity: one pass over the province's rows, streamed.
    public func check() throws -> CustodyCheck {
        var result = CustodyCheck()
        let position = try self.position()
        result.position = position
        let sql = """
        COPY (SELECT seq, dossier, type, at_text, recorded_at_text, actor, id, version, expected_version, data::text, hash
                FROM dossier_ledger.events WHERE province = \(SQL.literal(identity.province)) ORDER BY seq) TO STDOUT;
        """
        try ledger.read { snapshot in
            var previous = SHA256.Digest.zero
            var expected: UInt64 = 1
            func fail(_ seq: UInt64, _ problem: String) { if result.failure == nil { result.failure = (seq, problem) } }
            try psql.forEachLine(of: sql) { line in
                guard result.failure == nil else { return }
                let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map(copyField)
                guard fields.count == 11, let seqText = fields[0], let seq = UInt64(seqText) else {
                    fail(expected, "a row PostgreSQL printed does not read as an event row")
                    return
                }
                guard seq == expected else {
                    fail(expected, seq > expected ? "missing from PostgreSQL (the next row there is seq \(seq))" : "present twice in PostgreSQL")
                    return
                }
                guard let stored = try snapshot.event(seq: seq) else {
                    fail(seq, "in PostgreSQL but not in the ledger, which ends before it")
                    return
                }
                let recomputed: SHA256.Digest
                do {
                    recomputed = try Self.chainedHash(fields, seq: seq, previous: previous)
                } catch {
                    fail(seq, "the row does not make an event: \(error)")
                    return
                }
                if recomputed != stored.hash {
                    fail(seq, "the row's content does not hash to the ledger's event (recomputed \(recomputed.hex), ledger \(stored.hash.hex))")
                } else if fields[10] != stored.hash.hex {
                    fail(seq, "the row's hash column \(fields[10] ?? "null") is not the ledger's \(stored.hash.hex)")
                }
                previous = stored.hash
                result.checked += 1
                expected = seq + 1
            }
            if result.failure == nil {
                if expected - 1 != position.seq {
                    fail(expected, "PostgreSQL's position says seq \(position.seq), its rows end at seq \(expected - 1)")
                } else if position.seq > 0, position.headHash != previous.hex {
                    fail(position.seq, "PostgreSQL's position records hash \(position.headHash), the chain gives \(previous.hex)")
                }
            }
        }
        return result
    }

    /// The hash chain's hash of the event a row holds, after `previous`.
    static func chainedHash(_ f: [String?], seq: UInt64, previous: SHA256.Digest) throws -> SHA256.Digest {
        guard let typeName = f[2], let type = EventType(name: typeName) else { throw LedgerError(.corrupt, "unknown type \(f[2] ?? "null")") }
        guard let atText = f[3], let recordedText = f[4] else { throw LedgerError(.corrupt, "no instant") }
        let at = try Timestamp(rfc3339: atText), recordedAt = try Timestamp(rfc3339: recordedText)
        guard let dataText = f[9], case .object(let data) = try JSONParser.parse(dataText) else { throw LedgerError(.corrupt, "data is not an object") }
        let version = try f[7].map { text -> UInt32 in
            guard let v = UInt32(text) else { throw LedgerError(.corrupt, "version \(text)") }
            return v
        }
        let expectedVersion = try f[8].map { text -> UInt32 in
            guard let v = UInt32(text) else { throw LedgerError(.corrupt, "expected_version \(text)") }
            return v
        }
        let event = Event(type: type, dossier: f[1], at: at, actor: f[5], data: data, id: f[6], expectedVersion: expectedVersion)
        return CanonicalEncoding(event).chainedHash(seq: seq, version: version, recordedAt: recordedAt, previous: previous)
    }
}
