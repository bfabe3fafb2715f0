/// One event as written by its producer: the input line of the contract.
public struct Event: Equatable, Sendable {
    public var type: EventType
    /// The dossier code; present exactly for dossier events.
    public var dossier: String?
    /// When it happened.
    public var at: Timestamp
    /// The officer who did it, when an officer did.
    public var actor: String?
    /// The type's fields; unknown members are kept as given.
    public var data: JSONObject
    /// The producer's unique id, for idempotent retries.
    public var id: String?
    /// The dossier version the producer saw (optimistic concurrency).
    public var expectedVersion: UInt32?
    /// When the producing system recorded it; stamped by the ledger when absent.
    public var recordedAt: Timestamp?

    public init(type: EventType, dossier: String? = nil, at: Timestamp, actor: String? = nil, data: JSONObject = [:],
                id: String? = nil, expectedVersion: UInt32? = nil, recordedAt: Timestamp? = nil) {
        self.type = type
        self.dossier = dossier
        self.at = at
        self.actor = actor
        self.data = data
        self.id = id
        self.expectedVersion = expectedVersion
        self.recordedAt = recordedAt
    }

    /// True when `other` says the same thing: type, dossier, instant (and the
    /// offset it was written in), actor and data, text compared by its bytes
    /// as the ledger stores it (a combining accent is not the precomposed
    /// letter). Used to tell an idempotent retry from a conflicting reuse of an `id`.
    public func hasSameContent(as other: Event) -> Bool {
        func same(_ a: String?, _ b: String?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case let (a?, b?): a.hasSameUTF8(as: b)
            default: false
            }
        }
        guard type == other.type, same(dossier, other.dossier), at == other.at, at.offsetMinutes == other.at.offsetMinutes,
              same(actor, other.actor) else { return false }
        var mine = JSONWriter(), theirs = JSONWriter()
        mine.object(data, sortedKeys: true)
        theirs.object(other.data, sortedKeys: true)
        return mine.bytes == theirs.bytes
    }
}

/// An event as stored: the input plus its place in the ledger.
public struct RecordedEvent: Equatable, Sendable {
    /// Position in the ledger's global order, from 1, gapless.
    public var seq: UInt64
    /// Position in the dossier's stream, from 1; nil for reference events.
    public var version: UInt32?
    /// The event; its `recordedAt` is always set.
    public var event: Event
    /// SHA-256 over the previous event's hash and this event's canonical encoding.
    public var hash: SHA256.Digest

    public init(seq: UInt64, version: UInt32?, event: Event, hash: SHA256.Digest) {
        self.seq = seq
        self.version = version
        self.event = event
        self.hash = hash
    }

    public var recordedAt: Timestamp { event.recordedAt ?? event.at }
}
