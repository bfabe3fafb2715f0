import LedgerContract

/// The stored form of a dossier's stream, the value of the `streams` table:
/// the seqs of its events in version order (the n-th is version n), packed
/// as the last seq (a varint), then each seq's difference from the one
/// before it (varints, the first from 0). A stream of ten events takes about
/// thirty bytes; appending reads the last seq from the front, without
/// decoding the rest.
package enum StreamSeqs {
    /// Replaces `seqs` with the seqs of `raw`.
    /// - Throws: `RecordDecodingError` when the bytes are not a stream:
    ///   seqs not increasing, or not ending at the stored last seq.
    package static func decode(_ raw: UnsafeRawBufferPointer, into seqs: inout [UInt64]) throws(RecordDecodingError) {
        seqs.removeAll(keepingCapacity: true)
        var r = ByteReader(raw)
        let last = try r.varint()
        var seq: UInt64 = 0
        while !r.isAtEnd {
            let delta = try r.varint()
            guard delta > 0, delta <= last - seq else { throw RecordDecodingError(reason: "stream seqs out of order") }
            seq += delta
            seqs.append(seq)
        }
        guard seq == last, !seqs.isEmpty else { throw RecordDecodingError(reason: "stream ends at seq \(seq), not at its last seq \(last)") }
    }

    /// The stored stream `raw` (nil: a new stream) with `seq` appended; `seq` must follow its last seq.
    package static func appending(_ seq: UInt64, to raw: UnsafeRawBufferPointer?) throws(RecordDecodingError) -> [UInt8] {
        var w = ByteWriter(capacity: (raw?.count ?? 0) + 20)
        w.varint(seq)
        guard let raw else {
            w.varint(seq)
            return w.bytes
        }
        var r = ByteReader(raw)
        let last = try r.varint()
        guard seq > last else { throw RecordDecodingError(reason: "seq \(seq) appended after \(last)") }
        w.raw(UnsafeRawBufferPointer(rebasing: raw[r.offset...]))
        w.varint(seq - last)
        return w.bytes
    }

    /// The stored form of `seqs` (increasing, at least one).
    package static func encode(_ seqs: [UInt64]) -> [UInt8] {
        var w = ByteWriter(capacity: seqs.count * 3 + 10)
        w.varint(seqs.last!)
        var previous: UInt64 = 0
        for seq in seqs {
            w.varint(seq - previous)
            previous = seq
        }
        return w.bytes
    }
}
