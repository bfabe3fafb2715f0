import LedgerContract
import WorkingTime

extension DossierState {
    /// The stored form's version byte; a rebuild rewrites every row. It is
    /// never the format byte of a projection row (`DossierRow`), so that
    /// neither is mistaken for the other.
    public static let encodingVersion: UInt8 = 5

    /// Compact binary form for the dossier-state table, without the code
    /// (the table's key). Instants are written as differences from the
    /// dossier's earliest `at`, or from the instant before them in the same
    /// list; seqs as differences from its last seq, or from the seq before
    /// them; channels and outcomes as the index of a known value. A dossier
    /// spans weeks of the log, so most numbers take one to three bytes.
    /// Instants are those of RFC 3339 times (years 0000–9999), far inside
    /// the range the differences can carry.
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 512)
        encode(into: &w)
        return w.bytes
    }

    static let channels = ["direct", "online", "postal"]
    static let outcomes = ["approved", "denied"]

    /// Appends `encoded()`'s bytes to `w` (a writer reused across states allocates nothing).
    public func encode(into w: inout ByteWriter) {
        w.u8(Self.encodingVersion)
        w.varint(UInt64(version)); w.varint(lastSeq)
        w.eventTimes(eventTimes)
        let t0 = eventTimes.earliestAt, s0 = lastSeq
        w.u8(stage.rawValue); w.u8(resumeStage.rawValue)
        w.optionalText(procedure); w.varint(procedureSeq)
        w.optionalText(agency); w.choice(channel, among: Self.channels)
        w.instant(submittedAt, from: t0); w.seq(submittedSeq, before: s0)
        w.instant(receivedAt, from: t0); w.seq(receivedSeq, before: s0); w.optionalText(receivedBy)
        w.svarint(processingSeconds); w.u8(obligationPauses ? 1 : 0)
        w.instant(rejectedAt, from: t0)
        w.instant(processedAt, from: t0); w.seq(processedSeq, before: s0); w.choice(result, among: Self.outcomes)
        w.instant(returnedAt, from: t0); w.instant(endedAt, from: t0); w.seq(endSeq, before: s0)
        w.varint(UInt64(holdings.count))
        var t = t0, s = s0
        for h in holdings {
            w.blob(h.officer); w.blob(h.step)
            w.svarint(h.from &- t); w.instant(h.to, from: h.from)
            w.svarint(Int64(bitPattern: s &- h.assignedSeq)); w.seq(h.endSeq, after: h.assignedSeq)
            t = h.to ?? h.from; s = h.endSeq ?? h.assignedSeq
        }
        w.pauses(pauses, from: t0, before: s0)
        w.pauses(obligationWaits, from: t0, before: s0)
        w.varint(UInt64(supplementRequestSeqs.count))
        for (seq, who) in zip(supplementRequestSeqs, supplementRequesters) { w.seq(seq, before: s0); w.optionalText(who) }
        w.instant(apologyNewDueAt, from: t0); w.instant(apologyAt, from: t0); w.seq(apologySeq, before: s0)
        w.varint(UInt64(payments.count))
        for p in payments { w.svarint(p.at &- t0); w.amount(p.amount); w.u8(p.online ? 1 : 0); w.seq(p.seq, before: s0) }
        w.u8((inputDigitised ? 1 : 0) | (resultDigitised ? 2 : 0))
        w.varint(UInt64(ratings.count))
        for r in ratings { w.svarint(r.at &- t0); w.u8(UInt8(truncatingIfNeeded: r.score)); w.seq(r.seq, before: s0) }
        w.varint(UInt64(complaints.count))
        for c in complaints { w.svarint(c.at &- t0); w.seq(c.seq, before: s0) }
        w.varint(UInt64(voided.count))
        for v in voided { w.seq(v, before: s0) }
        w.varint(UInt64(lateRecordings.count))
        for l in lateRecordings { w.seq(l.seq, before: s0); w.svarint(l.lagSeconds) }
    }

    /// The stage of an encoded state, read without decoding the rest (for
    /// walks that want only some stages, e.g. the open dossiers).
    public static func stage(ofEncoded buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) -> DossierStage {
        var r = try reader(ofEncoded: buffer)
        _ = try r.varint(); _ = try r.varint()   // version, lastSeq
        _ = try r.eventTimes()
        return try r.stage()
    }

    /// The number of events (`version`), the last seq and the event times of
    /// an encoded state, read without decoding the rest (for replays that
    /// take a dossier's live state when they keep all of its events).
    public static func header(ofEncoded buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) -> (version: UInt32, lastSeq: UInt64, eventTimes: EventTimes) {
        var r = try reader(ofEncoded: buffer)
        let header = (version: UInt32(truncatingIfNeeded: try r.varint()), lastSeq: try r.varint(), eventTimes: try r.eventTimes())
        try checkHeader(lastSeq: header.lastSeq, eventTimes: header.eventTimes)
        return header
    }

    private static func reader(ofEncoded buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) -> ByteReader {
        var r = ByteReader(buffer)
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw RecordDecodingError(reason: "dossier state of unknown version \(v)") }
        return r
    }

    /// Reads the form written by `encoded()`; `code` is the dossier's (the key it was stored under).
    public init(decoding buffer: UnsafeRawBufferPointer, code: String) throws(RecordDecodingError) {
        var r = try Self.reader(ofEncoded: buffer)
        self.init(code: code)
        version = UInt32(truncatingIfNeeded: try r.varint()); lastSeq = try r.varint()
        eventTimes = try r.eventTimes()
        let t0 = eventTimes.earliestAt, s0 = lastSeq
        stage = try r.stage(); resumeStage = try r.stage()
        procedure = try r.optionalText(); procedureSeq = try r.varint()
        agency = try r.optionalText(); channel = try r.choice(among: Self.channels)
        submittedAt = try r.instant(from: t0); submittedSeq = try r.seq(before: s0)
        receivedAt = try r.instant(from: t0); receivedSeq = try r.seq(before: s0); receivedBy = try r.optionalText()
        processingSeconds = try r.svarint(); obligationPauses = try r.u8() != 0
        rejectedAt = try r.instant(from: t0)
        processedAt = try r.instant(from: t0); processedSeq = try r.seq(before: s0); result = try r.choice(among: Self.outcomes)
        returnedAt = try r.instant(from: t0); endedAt = try r.instant(from: t0); endSeq = try r.seq(before: s0)
        var t = t0, s = s0
        // Each list is given its room at once (growing as it is read would allocate it up to three times);
        // an empty one is left alone, which costs no call.
        let holdingCount = try r.count()
        if holdingCount > 0 { holdings.reserveCapacity(Int(holdingCount)) }
        for _ in 0..<holdingCount {
            let officer = try r.blob(), step = try r.blob()
            let from = t &+ (try r.svarint()), to = try r.instant(from: from)
            let assignedSeq = s &- UInt64(bitPattern: try r.svarint()), endSeq = try r.seq(after: assignedSeq)
            holdings.append(Holding(officer: officer, step: step, from: from, to: to, assignedSeq: assignedSeq, endSeq: endSeq))
            t = to ?? from; s = endSeq ?? assignedSeq
        }
        pauses = try r.pauses(from: t0, before: s0)
        obligationWaits = try r.pauses(from: t0, before: s0)
        let supplementCount = try r.count()
        if supplementCount > 0 {
            supplementRequestSeqs.reserveCapacity(Int(supplementCount)); supplementRequesters.reserveCapacity(Int(supplementCount))
        }
        for _ in 0..<supplementCount {
            supplementRequestSeqs.append(try r.seq(before: s0))
            supplementRequesters.append(try r.optionalText())
        }
        apologyNewDueAt = try r.instant(from: t0); apologyAt = try r.instant(from: t0); apologySeq = try r.seq(before: s0)
        let paymentCount = try r.count()
        if paymentCount > 0 { payments.reserveCapacity(Int(paymentCount)) }
        for _ in 0..<paymentCount {
            payments.append(Payment(at: t0 &+ (try r.svarint()), amount: try r.amount(), online: try r.u8() != 0, seq: try r.seq(before: s0)))
        }
        let digitised = try r.u8()
        inputDigitised = digitised & 1 != 0; resultDigitised = digitised & 2 != 0
        let ratingCount = try r.count()
        if ratingCount > 0 { ratings.reserveCapacity(Int(ratingCount)) }
        for _ in 0..<ratingCount { ratings.append(Rating(at: t0 &+ (try r.svarint()), score: Int(try r.u8()), seq: try r.seq(before: s0))) }
        let complaintCount = try r.count()
        if complaintCount > 0 { complaints.reserveCapacity(Int(complaintCount)) }
        for _ in 0..<complaintCount { complaints.append(Complaint(at: t0 &+ (try r.svarint()), seq: try r.seq(before: s0))) }
        let voidCount = try r.count()
        if voidCount > 0 { voided.reserveCapacity(Int(voidCount)) }
        for _ in 0..<voidCount { voided.append(try r.seq(before: s0)) }
        let lateCount = try r.count()
        if lateCount > 0 { lateRecordings.reserveCapacity(Int(lateCount)) }
        for _ in 0..<lateCount { lateRecordings.append((try r.seq(before: s0), try r.svarint())) }
        guard r.isAtEnd else { throw RecordDecodingError(reason: "trailing bytes after a dossier state") }
        try checkDecodedRanges()
    }

    /// Refuses a last seq beyond `Int64` or event times outside
    /// `Timestamp.eventSeconds` (the times of no event excepted), read from
    /// the head of a stored state.
    private static func checkHeader(lastSeq: UInt64, eventTimes: EventTimes) throws(RecordDecodingError) {
        guard lastSeq <= UInt64(Int64.max) else { throw RecordDecodingError(reason: "a dossier state's last seq \(lastSeq) is out of range") }
        guard eventTimes.areStorable else { throw RecordDecodingError(reason: "a dossier state's event times are out of range") }
    }

    /// Refuses a decoded state whose times, seqs or processing time no
    /// appended event could have produced, so that damaged bytes give a
    /// decoding error rather than arithmetic that overflows later.
    private func checkDecodedRanges() throws(RecordDecodingError) {
        try Self.checkHeader(lastSeq: lastSeq, eventTimes: eventTimes)
        guard (0...WorkingCalendar.maximumWorkingSeconds).contains(processingSeconds) else {
            throw RecordDecodingError(reason: "a dossier state's processing time \(processingSeconds) s is out of range")
        }
        let last = lastSeq
        func time(_ t: Int64?) throws(RecordDecodingError) {
            guard let t, !Timestamp.eventSeconds.contains(t) else { return }
            throw RecordDecodingError(reason: "a dossier state holds a time out of range (\(t) s)")
        }
        func seq(_ s: UInt64?) throws(RecordDecodingError) {
            guard let s, s > last else { return }
            throw RecordDecodingError(reason: "a dossier state names seq \(s), after its last seq \(last)")
        }
        try time(submittedAt); try seq(submittedSeq); try time(receivedAt); try seq(receivedSeq)
        try time(rejectedAt); try time(processedAt); try seq(processedSeq)
        try time(returnedAt); try time(endedAt); try seq(endSeq)
        for h in holdings { try time(h.from); try time(h.to); try seq(h.assignedSeq); try seq(h.endSeq) }
        for p in pauses { try time(p.start); try time(p.end); try seq(p.startSeq) }
        for p in obligationWaits { try time(p.start); try time(p.end); try seq(p.startSeq) }
        for s in supplementRequestSeqs { try seq(s) }
        try time(apologyNewDueAt); try time(apologyAt); try seq(apologySeq)
        for p in payments { try time(p.at); try seq(p.seq) }
        for x in ratings { try time(x.at); try seq(x.seq) }
        for c in complaints { try time(c.at); try seq(c.seq) }
        for v in voided { try seq(v) }
        let span = Timestamp.eventSeconds.upperBound - Timestamp.eventSeconds.lowerBound
        for l in lateRecordings {
            try seq(l.seq)
            guard (-span...span).contains(l.lagSeconds) else {
                throw RecordDecodingError(reason: "a dossier state holds a recording lag out of range")
            }
        }
    }
}

extension DossierState.EventTimes {
    /// Whether these are the times of no event, or all within `Timestamp.eventSeconds`.
    var areStorable: Bool {
        let r = Timestamp.eventSeconds
        return self == Self() || (r.contains(earliestAt) && r.contains(latestAt) && r.contains(earliestRecordedAt) && r.contains(latestRecordedAt))
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
    /// 0 for none, else 1 + the zig-zag difference from `base` (wrapping both ways, so any instant round-trips
    /// but the one whose difference is `Int64.min`, which no RFC 3339 time reaches).
    @inline(__always) mutating func instant(_ v: Int64?, from base: Int64) {
        guard let v else { return u8(0) }
        let d = v &- base
        varint(UInt64(bitPattern: (d << 1) ^ (d >> 63)) &+ 1)
    }
    /// A seq at or before `last` (every seq a state names is): 0 for none, else 1 + the zig-zag of `last − seq`.
    @inline(__always) mutating func seq(_ v: UInt64?, before last: UInt64) {
        instant(v.map { Int64(bitPattern: last &- $0) }, from: 0)
    }
    /// A seq at or after `first`: 0 for none, else 1 + the zig-zag of `seq − first`.
    @inline(__always) mutating func seq(_ v: UInt64?, after first: UInt64) {
        instant(v.map { Int64(bitPattern: $0 &- first) }, from: 0)
    }
    /// 0 for none, the index + 1 of a known value, or one past the known values and the text.
    @inline(__always) mutating func choice(_ s: String?, among known: [String]) {
        guard let s else { return u8(0) }
        if let i = known.firstIndex(of: s) { return u8(UInt8(i + 1)) }
        u8(UInt8(known.count + 1)); blob(s)
    }
    /// A whole amount (as fees are, in đồng) as its zig-zag doubled; any other as 1 and its 8 bytes.
    @inline(__always) mutating func amount(_ a: Double) {
        if a.rounded() == a, abs(a) < 0x1p52, let whole = Int64(exactly: a) {
            varint(UInt64(bitPattern: (whole << 1) ^ (whole >> 63)) << 1)
        } else {
            u8(1); double(a)
        }
    }
    mutating func pauses(_ list: [DossierState.ClockPause], from t0: Int64, before s0: UInt64) {
        varint(UInt64(list.count))
        for p in list {
            u8(p.reason.rawValue); svarint(p.start &- t0); instant(p.end, from: p.start); seq(p.startSeq, before: s0); optionalText(p.requestedBy)
        }
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
    @inline(__always) mutating func instant(from base: Int64) throws(RecordDecodingError) -> Int64? {
        let v = try varint()
        guard v != 0 else { return nil }
        let z = v &- 1
        return base &+ (Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
    }
    @inline(__always) mutating func seq(before last: UInt64) throws(RecordDecodingError) -> UInt64? {
        try instant(from: 0).map { last &- UInt64(bitPattern: $0) }
    }
    @inline(__always) mutating func seq(before last: UInt64) throws(RecordDecodingError) -> UInt64 {
        guard let s: UInt64 = try seq(before: last) else { throw RecordDecodingError(reason: "a dossier state lacks a seq") }
        return s
    }
    @inline(__always) mutating func seq(after first: UInt64) throws(RecordDecodingError) -> UInt64? {
        try instant(from: 0).map { first &+ UInt64(bitPattern: $0) }
    }
    mutating func choice(among known: [String]) throws(RecordDecodingError) -> String? {
        let i = Int(try u8())
        if i == 0 { return nil }
        if i <= known.count { return known[i - 1] }
        guard i == known.count + 1 else { throw RecordDecodingError(reason: "unknown choice \(i) of \(known.count)") }
        return try blob()
    }
    mutating func amount() throws(RecordDecodingError) -> Double {
        let v = try varint()
        if v == 1 { return try double() }
        guard v & 1 == 0 else { throw RecordDecodingError(reason: "an amount of unknown form") }
        let z = v >> 1
        return Double(Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
    }
    mutating func count() throws(RecordDecodingError) -> UInt64 {
        let n = try varint()
        guard n <= UInt64(buffer.count) else { throw RecordDecodingError(reason: "count \(n) larger than the record") }
        return n
    }
    mutating func pauses(from t0: Int64, before s0: UInt64) throws(RecordDecodingError) -> [DossierState.ClockPause] {
        let n = try count()
        var list: [DossierState.ClockPause] = []
        if n > 0 { list.reserveCapacity(Int(n)) }
        for _ in 0..<n {
            guard let reason = DossierState.ClockPause.Reason(rawValue: try u8()) else { throw RecordDecodingError(reason: "unknown pause reason") }
            let start = t0 &+ (try svarint())
            list.append(DossierState.ClockPause(reason: reason, start: start, end: try instant(from: start), startSeq: try seq(before: s0),
                                                requestedBy: try optionalText()))
        }
        return list
    }
    mutating func stage() throws(RecordDecodingError) -> DossierStage {
        let raw = try u8()
        guard let s = DossierStage(rawValue: raw) else { throw RecordDecodingError(reason: "unknown stage \(raw)") }
        return s
    }
}
