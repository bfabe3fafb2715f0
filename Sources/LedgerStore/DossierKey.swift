/// A dossier's code with a hash of its UTF-8 bytes, computed once where the
/// event is prepared (`import` does it on its parse thread), so that the
/// appender finds the dossier's slot in its transaction without hashing the
/// code again on the writer's thread.
///
/// The hash is seeded per process: codes chosen to collide in one process
/// do not collide in another. Two codes are the same dossier only when
/// their bytes are equal: the appender compares them after the hashes.
package struct DossierKey: Sendable {
    package let code: String
    package let hash: UInt64

    /// - Complexity: O(length of `code`); safe on any thread.
    package init(_ code: String) {
        self.code = code
        hash = code.withUTF8Bytes { Self.hash($0) }
    }

    /// The process's seed, drawn once.
    private static let seed = UInt64.random(in: 0...UInt64.max)

    /// Eight bytes at a time, each word folded in with a multiply and a
    /// shift (the mixing of SplitMix64), the length and the seed first.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= bytes.count {
            h = mix(h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < bytes.count {
            var last: UInt64 = 0
            for (shift, b) in bytes[i...].enumerated() { last |= UInt64(b) << (8 * UInt64(shift)) }
            h = mix(h ^ last)
        }
        return h
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &* 0xBF58_476D_1CE4_E5B9
        z ^= z >> 31
        z = z &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 29)
    }
}
