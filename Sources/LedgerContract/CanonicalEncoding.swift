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
    private let event: Event
    /// `data`, canonical.
    private let data: [UInt8]

    public init(_ event: Event) {
        self.event = event
        var w = JSONWriter(capacity: 128)
        w.object(event.data, sortedKeys: true)
        data = w.bytes
    }

    /// SHA-256 of the content: `{"actor","at","data","dossier","type"}`
    /// (actor and dossier when present), canonical.
    public var contentDigest: SHA256.Digest {
        var w = JSONWriter(capacity: data.count + 128)
        writeActorAtData(into: &w)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        w.key("type"); w.string(event.type.name)
        w.raw("}")
        return SHA256.hash(w.bytes)
    }

    /// `{` and the members both forms begin with, in key order: actor (when present), at, data.
    private func writeActorAtData(into w: inout JSONWriter) {
        w.raw("{")
        var first = true
        if let a = event.actor { w.key("actor", first: true); w.string(a); first = false }
        w.key("at", first: first); w.string(event.at.text)
        w.key("data"); w.bytes.append(contentsOf: data)
    }

    /// The bytes the hash chain covers for this event stored at `seq` (with
    /// `version` in its dossier's stream, and `recordedAt`): the output line
    /// without `hash`, canonical. Members in the byte order of their keys:
    /// actor, at, data, dossier, expectedVersion, id, recordedAt, seq, type, version.
    public func hashForm(seq: UInt64, version: UInt32?, recordedAt: Timestamp) -> [UInt8] {
        var w = JSONWriter(capacity: data.count + 256)
        writeActorAtData(into: &w)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        if let ev = event.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        if let id = event.id { w.key("id"); w.string(id) }
        w.key("recordedAt"); w.string(recordedAt.text)
        w.key("seq"); w.int(Int64(seq))
        w.key("type"); w.string(event.type.name)
        if let v = version { w.key("version"); w.int(Int64(v)) }
        w.raw("}")
        return w.bytes
    }

    /// SHA-256 over `previous` (32 bytes) followed by `hashForm`.
    public func chainedHash(seq: UInt64, version: UInt32?, recordedAt: Timestamp, previous: SHA256.Digest) -> SHA256.Digest {
        var h = SHA256()
        previous.withUnsafeBytes { h.update($0) }
        hashForm(seq: seq, version: version, recordedAt: recordedAt).withUnsafeBytes { h.update($0) }
        return h.finalize()
    }
}

extension RecordedEvent {
    /// The hash this event must carry after `previous` (`CanonicalEncoding.chainedHash`).
    public func chainedHash(previous: SHA256.Digest) -> SHA256.Digest {
        CanonicalEncoding(event).chainedHash(seq: seq, version: version, recordedAt: recordedAt, previous: previous)
    }
}
