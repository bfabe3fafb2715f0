import LedgerContract

/// Id-index keys a transaction claimed in increasing order, with their
/// seqs, kept for the appender to enter at the index's end in one pass
/// (`Appender.claim`). The keys' bytes lie one after another in one buffer:
/// keeping a key copies a few bytes and retains nothing.
struct ClaimedKeys {
    private var bytes: [UInt8] = []
    /// Per key, where its bytes end in `bytes`, and its seq.
    private var entries: [(end: Int, seq: UInt64)] = []

    var isEmpty: Bool { entries.isEmpty }

    /// Keeps `key`, which must sort after every key kept.
    mutating func append(_ key: UnsafeRawBufferPointer, seq: UInt64) {
        bytes.append(contentsOf: key)
        entries.append((bytes.count, seq))
    }

    /// Calls `body` with the bytes of the `i`-th key.
    private func withKey<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = i == 0 ? 0 : entries[i - 1].end
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<entries[i].end])) }
    }

    /// Whether the last key kept sorts before `key` (nil when none is kept).
    func lastPrecedes(_ key: UnsafeRawBufferPointer) -> Bool? {
        guard !entries.isEmpty else { return nil }
        return withKey(entries.count - 1) { last in Key.precedes(last, key) }
    }

    /// Whether `key` sorts before the first key kept (true when none is kept).
    func firstFollows(_ key: [UInt8]) -> Bool {
        guard !entries.isEmpty else { return true }
        return withKey(0) { first in key.withUnsafeBytes { Key.precedes($0, first) } }
    }

    /// The seq of `key` if it is kept, found by bisection.
    func seq(of key: UnsafeRawBufferPointer) -> UInt64? {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if withKey(middle, { Key.precedes($0, key) }) { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, withKey(low, { Key.sameBytes($0, key) }) else { return nil }
        return entries[low].seq
    }

    /// Calls `body` with each key and its seq, in order.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for (end, seq) in entries {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<end]), seq)
                start = end
            }
        }
    }
}
