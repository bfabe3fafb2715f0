import LedgerContract

extension DossierState {
    /// The stored form's version byte; a rebuild rewrites every row. It is
    /// never the format byte of a projection row (`DossierRow`), so that
    /// neither is mistaken for the other.
    public static let encodingVersion: UInt8 = 4

    /// Compact binary form for the dossier-state table.
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 512)
        encode(into: &w)
        return w.bytes
    }

    /// Appends `encoded()`'s bytes to `w` (a writer reused across states allocates nothing).
    public func encode(into w: inout ByteWriter) {
        w.u8(Self.encodingVersion)
        w.blob(code)
        w.varint(UInt64(version)); w.varint(lastSeq)
        w.eventTimes(eventTimes)
        w.u8(stage.rawValue); w.u8(resumeStage.rawValue)
        w.optionalText(procedure); w.varint(procedureSeq)
        w.optionalText(agency); w.optionalText(channel)
        w.optionalInt(submittedAt); w.optionalSeq(submittedSeq)
        w.optionalInt(receivedAt); w.optionalSeq(receivedSeq); w.optionalText(receivedBy)
        w.svarint(processingSeconds); w.u8(obligationPauses ? 1 : 0)
        w.optionalInt(rejectedAt)
        w.optionalInt(processedAt); w.optionalSeq(processedSeq); w.optionalText(result)
        w.optionalInt(returnedAt); w.optionalInt(endedAt); w.optionalSeq(endSeq)
        w.varint(UInt64(holdings.count))
        for h in holdings {
            w.blob(h.officer); w.blob(h.step); w.svarint(h.from); w.optionalInt(h.to); w.varint(h.assignedSeq); w.optionalSeq(h.endSeq)
        }
        w.varint(UInt64(pauses.count))
        for p in pauses { w.pause(p) }
        w.varint(UInt64(obligationWaits.count))
        for p in obligationWaits { w.pause(p) }
        w.varint(UInt64(supplementRequestSeqs.count))
        for (seq, who) in zip(supplementRequestSeqs, supplementRequesters) { w.varint(seq); w.optionalText(who) }
        w.optionalInt(apologyNewDueAt); w.optionalInt(apologyAt); w.optionalSeq(apologySeq)
        w.varint(UInt64(payments.count))
        for p in payments { w.svarint(p.at); w.double(p.amount); w.u8(p.online ? 1 : 0); w.varint(p.seq) }
        w.u8((inputDigitised ? 1 : 0) | (resultDigitised ? 2 : 0))
        w.varint(UInt64(ratings.count))
        for r in ratings { w.svarint(r.at); w.u8(UInt8(r.score)); w.varint(r.seq) }
        w.varint(UInt64(complaints.count))
        for c in complaints { w.svarint(c.at); w.varint(c.seq) }
        w.varint(UInt64(voided.count))
        for v in voided { w.varint(v) }
        w.varint(UInt64(lateRecordings.count))
        for l in lateRecordings { w.varint(l.seq); w.svarint(l.lagSeconds) }
    }

    /// The stage of an encoded state, read without decoding the rest (for
    /// walks that want only some stages, e.g. the open dossiers).
    public static func stage(ofEncoded buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) -> DossierStage {
        var r = ByteReader(buffer)
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw RecordDecodingError(reason: "dossier state of unknown version \(v)") }
        _ = try r.bytes(Int(try r.count()))   // code
        _ = try r.varint(); _ = try r.varint()   // version, lastSeq
        _ = try r.eventTimes()
        return try r.stage()
    }

    /// The number of events (`version`), the last seq and the event times of
    /// an encoded state, read without decoding the rest (for replays that
    /// take a dossier's live state when they keep all of its events).
    public static func header(ofEncoded buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) -> (version: UInt32, lastSeq: UInt64, eventTimes: EventTimes) {
        var r = ByteReader(buffer)
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw RecordDecodingError(reason: "dossier state of unknown version \(v)") }
        _ = try r.bytes(Int(try r.count()))   // code
        return (UInt32(truncatingIfNeeded: try r.varint()), try r.varint(), try r.eventTimes())
    }

    /// Reads the form written by `encoded()`.
    public init(decoding buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) {
        var r = ByteReader(buffer)
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw RecordDecodingError(reason: "dossier state of unknown version \(v)") }
        self.init(code: try r.blob())
        version = UInt32(truncatingIfNeeded: try r.varint()); lastSeq = try r.varint()
        eventTimes = try r.eventTimes()
        stage = try r.stage(); resumeStage = try r.stage()
        procedure = try r.optionalText(); procedureSeq = try r.varint()
        agency = try r.optionalText(); channel = try r.optionalText()
        submittedAt = try r.optionalInt(); submittedSeq = try r.optionalSeq()
        receivedAt = try r.optionalInt(); receivedSeq = try r.optionalSeq(); receivedBy = try r.optionalText()
        processingSeconds = try r.svarint(); obligationPauses = try r.u8() != 0
        rejectedAt = try r.optionalInt()
        processedAt = try r.optionalInt(); processedSeq = try r.optionalSeq(); result = try r.optionalText()
        returnedAt = try r.optionalInt(); endedAt = try r.optionalInt(); endSeq = try r.optionalSeq()
        for _ in 0..<(try r.count()) {
            holdings.append(Holding(officer: try r.blob(), step: try r.blob(), from: try r.svarint(), to: try r.optionalInt(),
                                    assignedSeq: try r.varint(), endSeq: try r.optionalSeq()))
        }
        for _ in 0..<(try r.count()) { pauses.append(try r.pause()) }
        for _ in 0..<(try r.count()) { obligationWaits.append(try r.pause()) }
        for _ in 0..<(try r.count()) {
            supplementRequestSeqs.append(try r.varint())
            supplementRequesters.append(try r.optionalText())
        }
        apologyNewDueAt = try r.optionalInt(); apologyAt = try r.optionalInt(); apologySeq = try r.optionalSeq()
        for _ in 0..<(try r.count()) {
            payments.append(Payment(at: try r.svarint(), amount: try r.double(), online: try r.u8() != 0, seq: try r.varint()))
        }
        let digitised = try r.u8()
        inputDigitised = digitised & 1 != 0; resultDigitised = digitised & 2 != 0
        for _ in 0..<(try r.count()) { ratings.append(Rating(at: try r.svarint(), score: Int(try r.u8()), seq: try r.varint())) }
        for _ in 0..<(try r.count()) { complaints.append(Complaint(at: try r.svarint(), seq: try r.varint())) }
        for _ in 0..<(try r.count()) { voided.append(try r.varint()) }
        for _ in 0..<(try r.count()) { lateRecordings.append((try r.varint(), try r.svarint())) }
        guard r.isAtEnd else { throw RecordDecodingError(reason: "trailing bytes after a dossier state") }
    }
}

extension ByteWriter {
    /// The earliest `at`, then each other time as a difference from a
    /// neighbour (small numbers: a dossier lives weeks, recorded when it acts).
    @inline(__always) mutating func eventTimes(_ t: DossierState.EventTimes) {
        svarint(t.earliestAt); svarint(t.latestAt &- t.earliestAt)
        svarint(t.earliestRecordedAt &- t.earliestAt); svarint(t.latestRecordedAt &- t.latestAt)
    }
    @inline(__always) mutating func optionalText(_ s: String?) {
        if let s { u8(1); blob(s) } else { u8(0) }
    }
    @inline(__always) mutating func optionalInt(_ v: Int64?) {
        if let v { u8(1); svarint(v) } else { u8(0) }
    }
    @inline(__always) mutating func optionalSeq(_ v: UInt64?) { varint(v.map { $0 + 1 } ?? 0) }
    mutating func pause(_ p: DossierState.ClockPause) {
        u8(p.reason.rawValue); svarint(p.start); optionalInt(p.end); varint(p.startSeq); optionalText(p.requestedBy)
    }
}

extension ByteReader {
    /// Reads what `ByteWriter.eventTimes` wrote (wrapping, as it subtracted: damaged bytes give odd times, not a trap).
    mutating func eventTimes() throws(RecordDecodingError) -> DossierState.EventTimes {
        var t = DossierState.EventTimes()
        t.earliestAt = try svarint(); t.latestAt = t.earliestAt &+ (try svarint())
        t.earliestRecordedAt = t.earliestAt &+ (try svarint()); t.latestRecordedAt = t.latestAt &+ (try svarint())
        return t
    }
    mutating func optionalText() throws(RecordDecodingError) -> String? { try u8() == 0 ? nil : try blob() }
    mutating func optionalInt() throws(RecordDecodingError) -> Int64? { try u8() == 0 ? nil : try svarint() }
    mutating func optionalSeq() throws(RecordDecodingError) -> UInt64? {
        let v = try varint()
        return v == 0 ? nil : v - 1
    }
    mutating func count() throws(RecordDecodingError) -> UInt64 {
        let n = try varint()
        guard n <= UInt64(buffer.count) else { throw RecordDecodingError(reason: "count \(n) larger than the record") }
        return n
    }
    mutating func pause() throws(RecordDecodingError) -> DossierState.ClockPause {
        guard let reason = DossierState.ClockPause.Reason(rawValue: try u8()) else { throw RecordDecodingError(reason: "unknown pause reason") }
        return DossierState.ClockPause(reason: reason, start: try svarint(), end: try optionalInt(), startSeq: try varint(),
                                       requestedBy: try optionalText())
    }
    mutating func stage() throws(RecordDecodingError) -> DossierStage {
        let raw = try u8()
        guard let s = DossierStage(rawValue: raw) else { throw RecordDecodingError(reason: "unknown stage \(raw)") }
        return s
    }
}
