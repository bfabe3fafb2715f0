import LedgerContract
import LMDB

/// Reads under a dossier code's UTF-8 bytes or a big-endian number, lent
/// in place: no key array is made, where the append path reads each
/// dossier it touches.
extension Transaction {
    /// The value stored under the UTF-8 bytes of `text` (`get(_:key:)`).
    package func get(_ db: Database, utf8Key text: String) throws -> UnsafeRawBufferPointer? {
        try text.withUTF8Bytes { key in try get(db, key: key) }
    }

    /// The value stored under `number` as a big-endian key (`Key.u32`).
    package func get(_ db: Database, u32Key number: UInt32) throws -> UnsafeRawBufferPointer? {
        try withUnsafeBytes(of: number.bigEndian) { key in try get(db, key: key) }
    }
}
