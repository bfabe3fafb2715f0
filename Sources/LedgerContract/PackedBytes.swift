/// Byte strings kept one after another in one buffer, each found by its
/// index in the order appended: keeping one copies its bytes and retains
/// nothing, and reading one touches memory of this buffer alone.
package struct PackedBytes: Sendable {
    private var bytes: [UInt8] = []
    /// Where each string ends in `bytes`.
    private var ends: [Int] = []

    package init() {}

    package var count: Int { ends.count }
    package var isEmpty: Bool { ends.isEmpty }

    package mutating func append(_ string: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: string)
        ends.append(bytes.count)
    }

    /// Calls `body` with the bytes of the `i`-th string, valid only during the call.
    package func withBytes<R>(at i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
    }

    /// Calls `body` with each string's index and bytes, in order.
    package func forEach(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for (i, end) in ends.enumerated() {
                try body(i, UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// The index of the first string equal to `string`, byte for byte.
    /// - Complexity: O(total bytes of the strings of its length).
    package func firstIndex(of string: UnsafeRawBufferPointer) -> Int? {
        bytes.withUnsafeBytes { all in
            var start = 0
            for (i, end) in ends.enumerated() {
                if end - start == string.count, Key.sameBytes(UnsafeRawBufferPointer(rebasing: all[start..<end]), string) { return i }
                start = end
            }
            return nil
        }
    }
}
