import LedgerContract

/// The key of an event in the id index: its `id`'s UTF-8 bytes, or for an
/// event without one a zero byte and the digest of its content
/// (`CanonicalEncoding.contentDigest`), so that appending the same event
/// twice stores it once. Held without a buffer of its own: the id is the
/// event's string, the digest is inline.
package enum IdentityKey: Sendable {
    case id(String)
    case content(SHA256.Digest)

    /// `event`'s key; `canonical` is its canonical encoding.
    /// - Complexity: O(1) for an event with an id; one SHA-256 of its content otherwise.
    package init(of event: borrowing Event, _ canonical: borrowing CanonicalEncoding) {
        if let id = event.id { self = .id(id) } else { self = .content(canonical.contentDigest) }
    }

    /// Calls `body` with the key's bytes, valid only during the call.
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .id(let id):
            return try id.withUTF8Bytes(body)
        case .content(let digest):
            return try withUnsafeTemporaryAllocation(byteCount: 1 + 32, alignment: 1) { key in
                key[0] = 0
                digest.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: key[1...]).copyMemory(from: $0) }
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }
}
