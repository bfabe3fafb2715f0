/// Why the ledger could not do what was asked, with the context an operator
/// needs (ledger path, seq, dossier). `kind` is what callers branch on; new
/// kinds may be added.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No ledger where one was expected.
        case missing
        /// The directory exists but is not a ledger (or one of another format).
        case notALedger
        /// `init` on a directory that already holds a ledger or other files.
        case alreadyExists
        /// Stored bytes that cannot be decoded.
        case corrupt
        /// A storage-level failure (LMDB or the file system).
        case storage
        /// The ledger's files are open to others in a way that would let them alter evidence.
        case insecure
        /// A name or value given by the caller is not acceptable (e.g. a subscription name).
        case invalidArgument
    }

    public let kind: Kind
    public let message: String
    /// The storage failure underneath, if any.
    public let underlying: (any Error & Sendable)?

    public init(_ kind: Kind, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        return message
    }
}
