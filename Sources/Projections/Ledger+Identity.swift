import Foundation
import LMDB
import LedgerContract

/// Which province a ledger is the system of record for, and which ledger it
/// is: the national warehouse keeps one ledger per province and refuses a
/// second ledger claiming a province already synced.
public struct LedgerIdentity: Sendable, Equatable {
    /// The province's code (e.g. `H40`), as its agencies are registered.
    public var province: String
    /// A random id made when the identity is recorded; never changes.
    public var ledgerID: String

    /// Letters, digits, `.`, `-` and `_`, 1 to 32 of them.
    public static func isValidProvinceCode(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.count <= 32 && code.unicodeScalars.allSatisfy {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-" || $0 == "_"))
        }
    }
}

extension Ledger {
    static let identityKey = "identity"

    /// The identity recorded by `init --province`; nil when none was.
    public func identity() throws -> LedgerIdentity? {
        try store.read { txn in try Self.identity(in: txn, of: store.tables.meta, path: path) }
    }

    private static func identity(in txn: Transaction, of meta: Database, path: String) throws -> LedgerIdentity? {
        guard let bytes = try txn.get(meta, key: Array(identityKey.utf8)) else { return nil }
        let parts = Array(bytes).split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 2, LedgerIdentity.isValidProvinceCode(parts[0]), !parts[1].isEmpty else {
            throw LedgerError(.corrupt, "\(path): the stored ledger identity does not decode")
        }
        return LedgerIdentity(province: parts[0], ledgerID: parts[1])
    }

    /// Records that this ledger serves `province`, with a new random ledger
    /// id — once: asking again for the same province returns the identity
    /// recorded; another province is refused (`alreadyExists`).
    /// - Returns: the identity, and whether it was recorded now.
    @discardableResult
    public func recordIdentity(province: String) throws -> (identity: LedgerIdentity, recordedNow: Bool) {
        guard LedgerIdentity.isValidProvinceCode(province) else {
            throw LedgerError(.invalidArgument, "province code \"\(province)\": expected 1 to 32 letters, digits, '.', '-' or '_'")
        }
        return try store.environment.write { txn in
            if let known = try Self.identity(in: txn, of: store.tables.meta, path: path) {
                guard known.province == province else {
                    throw LedgerError(.alreadyExists, "\(path) is already the ledger of province \(known.province) (ledger id \(known.ledgerID)); its province cannot change")
                }
                return (known, false)
            }
            let identity = LedgerIdentity(province: province, ledgerID: UUID().uuidString.lowercased())
            try txn.put(store.tables.meta, key: Array(Self.identityKey.utf8), value: Array(province.utf8) + [0] + Array(identity.ledgerID.utf8))
            return (identity, true)
        }
    }
}
