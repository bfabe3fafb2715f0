#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Whether both strings have the same UTF-8 bytes. `==` compares by
    /// canonical equivalence, which normalises non-ASCII text (Vietnamese
    /// names and steps) and costs far more; use this first where a match is
    /// usually a byte-identical copy, and `==` only when it fails.
    /// - Complexity: O(n), one `memcmp`.
    public func hasSameUTF8(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }   // O(1) for native strings
        var a = self, b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }
}
