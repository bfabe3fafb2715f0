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

    /// Appends `seq`, which must follow the stream's last seq, to the stored
    /// stream `stream` (empty: a new stream) in place: the last seq at the
    /// front is rewritten (shifting the rest only when its varint grows, at
    /// seqs 2^7, 2^14, …), so the stream grows without a copy.
    package static func append(_ seq: UInt64, to stream: inout [UInt8]) throws(RecordDecodingError) {
        if stream.isEmpty {
            var w = ByteWriter(capacity: 20)
            w.varint(seq)
            w.varint(seq)
            stream = w.bytes
            return
        }
        // The last seq at the front (`ByteReader.varint`'s encoding: seven bits a byte, low first).
        var last: UInt64 = 0
        var headLength = 0
        while true {
            guard headLength < stream.count, headLength < 10 else { throw RecordDecodingError(reason: "the stream's last seq does not decode") }
            let byte = stream[headLength]
            last |= UInt64(byte & 0x7F) << UInt64(7 * headLength)
            headLength += 1
            if byte < 0x80 { break }
        }
        guard seq > last else { throw RecordDecodingError(reason: "seq \(seq) appended after \(last)") }
        let length = varintLength(seq)
        if length != headLength {
            stream.replaceSubrange(0..<headLength, with: repeatElement(0, count: length))
        }
        var v = seq
        for i in 0..<length {
            stream[i] = i < length - 1 ? UInt8(truncatingIfNeeded: v) | 0x80 : UInt8(truncatingIfNeeded: v)
            v >>= 7
        }
        var delta = seq - last
        while delta >= 0x80 {
            stream.append(UInt8(truncatingIfNeeded: delta) | 0x80)
            delta >>= 7
        }
        stream.append(UInt8(delta))
    }

    /// Bytes of `v`'s varint (`ByteWriter.varint`).
    private static func varintLength(_ v: UInt64) -> Int {
        var v = v
        var n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
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
