#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Calls `body` with the string's UTF-8 bytes, lent in place for native
    /// and small strings (copied only for text bridged from elsewhere), and
    /// valid only during the call.
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Whether both strings have the same UTF-8 bytes. `==` compares by
    /// canonical equivalence, which normalises non-ASCII text (Vietnamese
    /// names and steps) and costs far more; use this first where a match is
    /// usually a byte-identical copy, and `==` only when it fails.
    /// - Complexity: O(n), one `memcmp` (O(1) when the lengths differ).
    @inlinable
    public func hasSameUTF8(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return withUTF8Bytes { x in
            other.withUTF8Bytes { y in Key.sameBytes(x, y) }
        }
    }
}

extension String {
    /// The text of stored UTF-8 bytes; nil when they are not well-formed.
    /// The same result as `String(validating:as: UTF8.self)`, at a third of
    /// its cost for ASCII (codes, ids, most keys): bytes below 0x80 are
    /// well-formed as they are. Other text is decoded as `String(decoding:)`
    /// decodes it, which replaces what is ill-formed, and is well-formed
    /// when the decoded bytes are the stored ones (without the generic
    /// validation, which looks up type metadata on every call).
    /// - Complexity: O(n).
    @inlinable
    public init?(storedUTF8 bytes: UnsafeRawBufferPointer) {
        let utf8 = bytes.bindMemory(to: UInt8.self)
        var any: UInt8 = 0
        for b in utf8 { any |= b }
        if any < 0x80 {
            self = String(decoding: utf8, as: UTF8.self)
        } else {
            let decoded = String(decoding: utf8, as: UTF8.self)
            guard decoded.withUTF8Bytes({ Key.sameBytes($0, bytes) }) else { return nil }
            self = decoded
        }
    }
}

/// A string as a dictionary key by its UTF-8 bytes, the way LMDB matches
/// and orders keys. `String`'s own `==` and hash hold canonically
/// equivalent text equal (é as one scalar, or e and a combining accent,
/// both common in Vietnamese text), so keyed by `String` two byte-different
/// codes or data strings would merge into the first one seen, and the
/// ledger would give back bytes it was not given. Cheaper as well: the
/// bytes are hashed as they are, without normalising.
package struct ExactText: Hashable, Sendable {
    package let text: String

    @inlinable
    package init(_ text: String) { self.text = text }

    @inlinable
    package static func == (a: ExactText, b: ExactText) -> Bool { a.text.hasSameUTF8(as: b.text) }

    @inlinable
    package func hash(into hasher: inout Hasher) { text.withUTF8Bytes { hasher.combine(bytes: $0) } }
}
