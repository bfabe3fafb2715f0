import DossierRules
import LedgerStore
import LedgerContract

/// The stored value of the dossier-state table: a dossier's state and its
/// KPI contributions together, so that a change to a dossier writes one row
/// (one B-tree leaf) instead of one in each of two tables.
///
/// Layout: the format byte, the varint length of the contributions, the
/// contributions, then the state (`DossierState.encode`, which starts with
/// its own version byte). The contributions are a varint count, then for
/// each the counter's byte (its high bit set when the agency's code follows,
/// as it does for the first: a dossier's contributions share its agency),
/// the agency, the day (as a difference from the day before it, the first
/// from day 0) and the delta (zig-zag varints).
/// A change of this layout or of the state's changes `Ledger.projectionFormat`,
/// and a ledger written in an earlier one is rebuilt when opened.
enum DossierRow {
    static let format: UInt8 = 4

    /// Appends the row of `state` with its KPI `counts` (to the dossier's agency) to `w`.
    static func encode(_ state: DossierState, counts: [KPICount], into w: inout ByteWriter, using scratch: inout ByteWriter) {
        scratch.removeAll()
        encode(counts, of: state.agency ?? "", into: &scratch)
        w.u8(format)
        scratch.withUnsafeBytes { w.raw($0, withLength: true) }
        state.encode(into: &w)
    }

    /// The bytes of the state and of the contributions.
    static func split(_ raw: UnsafeRawBufferPointer) throws(RecordDecodingError) -> (state: UnsafeRawBufferPointer, contributions: UnsafeRawBufferPointer) {
        var r = ByteReader(raw)
        let format = try r.u8()
        guard format == Self.format else { throw RecordDecodingError(reason: "dossier row of unknown format \(format)") }
        let length = try r.varint()
        guard length <= UInt64(raw.count) else { throw RecordDecodingError(reason: "contributions of \(length) bytes run past the row") }
        let contributions = try r.bytes(Int(length))
        return (UnsafeRawBufferPointer(rebasing: raw[r.offset...]), contributions)
    }

    private static let agencyFollows: UInt8 = 0x80

    /// The contributions of one agency's `counts` (a dossier's): the same
    /// layout, the agency written once.
    static func encode(_ counts: [KPICount], of agency: String, into w: inout ByteWriter) {
        w.varint(UInt64(counts.count))
        for (i, c) in counts.enumerated() { write(c, agency: i == 0 ? agency : nil, after: i == 0 ? 0 : counts[i - 1].day, into: &w) }
    }

    /// One contribution; `agency` when it differs from the one before, and
    /// the day of the one before (0 for the first).
    @inline(__always)
    package static func write(_ c: KPICount, agency: String?, after previousDay: Int32, into w: inout ByteWriter) {
        let counter = UInt8(c.counter.rawValue)
        if let agency {
            w.u8(counter | agencyFollows)
            w.blob(agency)
        } else {
            w.u8(counter)
        }
        w.svarint(Int64(c.day) - Int64(previousDay))
        w.svarint(c.delta)
    }

    /// The contributions of a row (`split(_:).contributions`).
    static func contributions(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> [KPIContribution] {
        var out: [KPIContribution] = []
        try contributions(bytes, into: &out)
        return out
    }

    /// The contributions of a row (`split(_:).contributions`), in place of those `out` held.
    static func contributions(_ bytes: UnsafeRawBufferPointer, into out: inout [KPIContribution]) throws(RecordDecodingError) {
        out.removeAll(keepingCapacity: true)
        try forEachContribution(bytes) { out.append($0) }
    }

    /// Calls `body` with each contribution of a row (`split(_:).contributions`), in order.
    static func forEachContribution(_ bytes: UnsafeRawBufferPointer, _ body: (KPIContribution) -> Void) throws(RecordDecodingError) {
        var r = ByteReader(bytes)
        let n = try r.varint()
        guard n <= UInt64(bytes.count) else { throw RecordDecodingError(reason: "contribution count too large") }
        var agency: String?
        var day: Int64 = 0
        for _ in 0..<n {
            let tag = try r.u8()
            if tag & agencyFollows != 0 { agency = try r.blob() }
            guard let agency else { throw RecordDecodingError(reason: "a contribution names no agency") }
            guard let counter = KPICounters.Counter(rawValue: Int(tag & ~agencyFollows)) else { throw RecordDecodingError(reason: "unknown KPI counter") }
            day = day &+ (try r.svarint())
            body(KPIContribution(agency: agency, day: Int32(truncatingIfNeeded: day), counter: counter, delta: try r.svarint()))
        }
        guard r.isAtEnd else { throw RecordDecodingError(reason: "trailing bytes after the contributions") }
    }

    /// The state stored in `raw`, the row of dossier `code`.
    static func state(_ raw: UnsafeRawBufferPointer, code: String) throws(RecordDecodingError) -> DossierState {
        try DossierState(decoding: try split(raw).state, code: code)
    }
}

/// Makes dossier rows (`DossierRow`): a state with the KPI counts it
/// contributes, computed with the reference data in force at its last
/// event. The live append, `rebuild` and `verify` all encode rows through
/// it, so a row is the same bytes whichever made it.
///
/// Holds reusable buffers and a cache of procedure definitions: one per
/// thread.
struct DossierRowEncoder: ~Copyable {
    /// The KPI counts of the state last encoded.
    private(set) var counts: [KPICount] = []
    private var definitions = ProcedureDefinitions()
    private var contributionBytes = ByteWriter(capacity: 256)

    /// Appends the row of `state` to `w`.
    mutating func encode(_ state: DossierState, reference: ReferenceData, into w: inout ByteWriter) {
        state.kpiCounts(calendar: reference.calendar, online: definitions.level(of: state, reference: reference), into: &counts)
        DossierRow.encode(state, counts: counts, into: &w, using: &contributionBytes)
    }
}
