import LedgerContract

/// Id-index keys a transaction claimed in increasing order, with their
/// seqs, kept for the appender to enter at the index's end in one pass
/// (`Appender.claim`). The keys' bytes lie one after another in one buffer (`PackedBytes`):
/// keeping a key copies a few bytes and retains nothing.
struct ClaimedKeys {
    private var keys = PackedBytes()
    /// Each key's seq, by the key's index in `keys`.
    private var seqs: [UInt64] = []

    var isEmpty: Bool { keys.isEmpty }

    /// Keeps `key`, which must sort after every key kept.
    mutating func append(_ key: UnsafeRawBufferPointer, seq: UInt64) {
        keys.append(key)
        seqs.append(seq)
    }

    /// Whether the last key kept sorts before `key` (nil when none is kept).
    func lastPrecedes(_ key: UnsafeRawBufferPointer) -> Bool? {
        guard !keys.isEmpty else { return nil }
        return keys.withBytes(at: keys.count - 1) { last in Key.precedes(last, key) }
    }

    /// Whether `key` sorts before the first key kept (true when none is kept).
    func firstFollows(_ key: [UInt8]) -> Bool {
        guard !keys.isEmpty else { return true }
        return keys.withBytes(at: 0) { first in key.withUnsafeBytes { Key.precedes($0, first) } }
    }

    /// The seq of `key` if it is kept, found by bisection.
    func seq(of key: UnsafeRawBufferPointer) -> UInt64? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys.withBytes(at: middle, { Key.precedes($0, key) }) { low = middle + 1 } else { high = middle }
        }
        guard low < keys.count, keys.withBytes(at: low, { Key.sameBytes($0, key) }) else { return nil }
        return seqs[low]
    }

    /// Calls `body` with each key and its seq, in order.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
        try keys.forEach { i, key in try body(key, seqs[i]) }
    }
}
