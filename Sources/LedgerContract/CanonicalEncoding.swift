/// The canonical encoding of an event (README, "Hash chain"): compact JSON
/// with members sorted by the bytes of their keys at every depth. Two
/// digests are made of it: the hash chain's, over the output line without
/// `hash`; and the identity of an event without an `id`, over its content
/// (type, dossier, at, actor, data). The event's `data` — most of its
/// bytes — is encoded once and serves both.
///
/// Anyone can recompute the chain from an export with any JSON library that
/// sorts keys by their UTF-8 bytes and writes compact JSON.
public struct CanonicalEncoding: Sendable {
    /// The members both forms begin with, written once: `{`, actor (when
    /// present), at, data, dossier (when present); then, up to `contentEnd`
    /// only, the hash form's members before `recordedAt`: expectedVersion
    /// and id (when present).
    private let lead: [UInt8]
    /// Where the content's members end in `lead`.
    private let contentEnd: Int
    private let type: EventType

    /// `event` is lent: an initializer's argument is otherwise taken as a
    /// copy of its own, which retains each of its strings and arrays.
    public init(_ event: borrowing Event) {
        var w = JSONWriter(capacity: 256)
        w.raw("{")
        var first = true
        if let a = event.actor { w.key("actor", first: true); w.string(a); first = false }
        w.key("at", first: first); w.timestamp(event.at)
        w.key("data"); w.object(event.data, sortedKeys: true)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        contentEnd = w.bytes.count
        if let ev = event.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        if let id = event.id { w.key("id"); w.string(id) }
        lead = w.bytes
        type = event.type
    }

    /// SHA-256 of the content: `{"actor","at","data","dossier","type"}`
    /// (actor and dossier when present), canonical.
    public var contentDigest: SHA256.Digest {
        var h = SHA256()
        lead.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[..<contentEnd])) }
        var w = JSONWriter(capacity: 48)
        w.key("type"); w.string(type.name)
        w.raw("}")
        w.bytes.withUnsafeBytes { h.update($0) }
        return h.finalize()
    }

    /// The bytes the hash chain covers for this event stored at `seq` (with
    /// `version` in its dossier's stream, and `recordedAt`): the output line
    /// without `hash`, canonical. Members in the byte order of their keys:
    /// actor, at, data, dossier, expectedVersion, id, recordedAt, seq, type, version.
    public func hashForm(seq: UInt64, version: UInt32?, recordedAt: Timestamp) -> [UInt8] {
        var w = JSONWriter(capacity: lead.count + 112)
        w.bytes.append(contentsOf: lead)
        writeMembersAfterLead(into: &w, seq: seq, version: version, recordedAt: recordedAt)
        return w.bytes
    }

    /// SHA-256 over `previous` (32 bytes) followed by `hashForm`, fed in
    /// pieces: the lead as it is, then the members written at append time.
    public func chainedHash(seq: UInt64, version: UInt32?, recordedAt: Timestamp, previous: SHA256.Digest) -> SHA256.Digest {
        var scratch = JSONWriter(capacity: Self.scratchCapacity)
        return chainedHash(seq: seq, version: version, recordedAt: recordedAt, previous: previous, scratch: &scratch)
    }

    /// `chainedHash(seq:version:recordedAt:previous:)`, writing the members
    /// after the lead into `scratch` (emptied first): one writer passed for
    /// each link of a chain allocates once for the whole chain.
    public func chainedHash(seq: UInt64, version: UInt32?, recordedAt: Timestamp, previous: SHA256.Digest,
                            scratch: inout JSONWriter) -> SHA256.Digest {
        var h = SHA256()
        previous.withUnsafeBytes { h.update($0) }
        lead.withUnsafeBytes { h.update($0) }
        scratch.bytes.removeAll(keepingCapacity: true)
        writeMembersAfterLead(into: &scratch, seq: seq, version: version, recordedAt: recordedAt)
        scratch.bytes.withUnsafeBytes { h.update($0) }
        return h.finalize()
    }

    /// Room for the members after the lead: `recordedAt`, `seq`, `type`, `version`.
    public static let scratchCapacity = 112

    /// The hash form's members after `lead`, and its closing `}`.
    private func writeMembersAfterLead(into w: inout JSONWriter, seq: UInt64, version: UInt32?, recordedAt: Timestamp) {
        w.key("recordedAt"); w.timestamp(recordedAt)
        w.key("seq"); w.int(Int64(seq))
        w.key("type"); w.string(type.name)
        if let v = version { w.key("version"); w.int(Int64(v)) }
        w.raw("}")
    }
}

extension RecordedEvent {
    /// The hash this event must carry after `previous` (`CanonicalEncoding.chainedHash`).
    public func chainedHash(previous: SHA256.Digest) -> SHA256.Digest {
        CanonicalEncoding(event).chainedHash(seq: seq, version: version, recordedAt: recordedAt, previous: previous)
    }
}
