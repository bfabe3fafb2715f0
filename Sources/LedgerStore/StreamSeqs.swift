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
    /// stream `stream` (empty: a new stream, last seq 0) in place: the last
    /// seq at the front is rewritten (shifting the rest only when its varint
    /// grows, at seqs 2^7, 2^14, …) and the difference appended, so the
    /// stream grows without a copy.
    package static func append(_ seq: UInt64, to stream: inout [UInt8]) throws(RecordDecodingError) {
        let front = stream.withUnsafeBytes { raw -> Result<(last: UInt64, length: Int), RecordDecodingError> in
            guard !raw.isEmpty else { return .success((0, 0)) }
            var r = ByteReader(raw)
            do throws(RecordDecodingError) {
                let last = try r.varint()
                return .success((last, r.offset))
            } catch {
                return .failure(error)
            }
        }
        let (last, length) = try front.get()
        guard seq > last else { throw RecordDecodingError(reason: "seq \(seq) appended after \(last)") }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * ByteWriter.maxVarintBytes) { buffer in
            let p = buffer.baseAddress!
            let newLength = ByteWriter.writeVarint(seq, to: p)
            let deltaLength = ByteWriter.writeVarint(seq - last, to: p + newLength)
            if newLength == length {
                stream.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: p, count: length) }
            } else {
                stream.replaceSubrange(0..<length, with: UnsafeBufferPointer(start: p, count: newLength))
            }
            stream.append(contentsOf: UnsafeBufferPointer(start: p + newLength, count: deltaLength))
        }
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
