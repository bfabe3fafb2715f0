/// The last event of the log: its seq (0 for an empty log) and hash.
public struct Head: Equatable, Sendable {
    public var seq: UInt64
    public var hash: SHA256.Digest
    public init(seq: UInt64, hash: SHA256.Digest) { self.seq = seq; self.hash = hash }
}

/// The outcome of recomputing the hash chain.
public struct ChainVerification: Sendable {
    /// Events checked.
    public var checked: Int = 0
    /// The last event checked and its hash.
    public var head: Head?
    /// The first problem found, if any: the seq and what is wrong there.
    public var failure: (seq: UInt64, problem: String)?

    public var holds: Bool { failure == nil }

    public init(checked: Int = 0, head: Head? = nil, failure: (seq: UInt64, problem: String)? = nil) {
        self.checked = checked
        self.head = head
        self.failure = failure
    }
}
