import DossierRules
import LedgerStore

/// The stored value of the dossier-state table: a dossier's state and its
/// KPI contributions together, so that a change to a dossier writes one row
/// (one B-tree leaf) instead of one in each of two tables.
///
/// Layout: the format byte 2, the varint length of the contributions, the
/// contributions (`[KPIContribution].encode`), then the state
/// (`DossierState.encode`, which starts with its own version byte, 1).
/// A row of the earlier layout is the state alone, with its contributions
/// in the `kpiContributions` table: both layouts are read, and the next
/// write of such a dossier moves it to this one (`rebuild` moves them all).
enum DossierRow {
    static let format: UInt8 = 2

    /// Appends the row of `state` with `contributions` to `w`.
    static func encode(_ state: DossierState, contributions: [KPIContribution], into w: inout ByteWriter, using scratch: inout ByteWriter) {
        scratch.removeAll()
        contributions.encode(into: &scratch)
        w.u8(format)
        scratch.withUnsafeBytes { w.raw($0, withLength: true) }
        state.encode(into: &w)
    }

    /// The bytes of the state and of the contributions (nil for a row of
    /// the earlier layout, whose contributions are in their own table).
    static func split(_ raw: UnsafeRawBufferPointer) throws(RecordDecodingError) -> (state: UnsafeRawBufferPointer, contributions: UnsafeRawBufferPointer?) {
        var r = ByteReader(raw)
        guard try r.u8() == format else { return (raw, nil) }
        let length = try r.varint()
        guard length <= UInt64(raw.count) else { throw RecordDecodingError(reason: "contributions of \(length) bytes run past the row") }
        let contributions = try r.bytes(Int(length))
        return (UnsafeRawBufferPointer(rebasing: raw[r.offset...]), contributions)
    }

    /// The state stored in `raw`.
    static func state(_ raw: UnsafeRawBufferPointer) throws(RecordDecodingError) -> DossierState {
        try DossierState(decoding: try split(raw).state)
    }
}
