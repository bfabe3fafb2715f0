import DossierRules
import LedgerStore
import LedgerContract
import WorkingTime

/// The counts of DOMAIN.md ("KPIs") for one agency over one period. Days
/// are stored; months, quarters and years are sums of days.
public struct KPICounters: Sendable, Equatable {
    /// The stored counters, in storage order (never reorder; append only).
    public enum Counter: Int, CaseIterable, Sendable {
        case received, receivedOnline, receivedOnlineEligible, processed, early, onTime, late
        case feesPaid, feesPaidOnline, inputDigitised, resultDigitised, repeatedSupplement, ratings, ratingSum
    }

    public var values = [Int64](repeating: 0, count: Counter.allCases.count)
    /// Open and past due at the period's end (evaluated at query time, not stored).
    public var overdueInProgress: Int64 = 0

    public init() {}

    public subscript(_ c: Counter) -> Int64 {
        get { values[c.rawValue] }
        set { values[c.rawValue] = newValue }
    }

    public static func += (a: inout KPICounters, b: KPICounters) {
        for i in a.values.indices { a.values[i] += b.values[i] }
        a.overdueInProgress += b.overdueInProgress
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 32)
        encode(into: &w)
        return w.bytes
    }

    /// Appends `encoded()`'s bytes to `w`.
    func encode(into w: inout ByteWriter) {
        Self.encode(values, into: &w)
    }

    /// Appends the stored form of counter values (in `Counter` order) to `w`.
    static func encode(_ values: some Sequence<Int64>, into w: inout ByteWriter) {
        for v in values { w.svarint(v) }
    }

    /// The most a stored day counter may hold, either way (sums over every
    /// day and agency then stay inside `Int64`).
    static let storedMagnitude: Int64 = 1 << 32

    init(decoding buffer: UnsafeRawBufferPointer) throws(RecordDecodingError) {
        var r = ByteReader(buffer)
        for i in values.indices where !r.isAtEnd {
            let v = try r.svarint()
            guard (-Self.storedMagnitude...Self.storedMagnitude).contains(v) else {
                throw RecordDecodingError(reason: "KPI counter \(Counter(rawValue: i).map { "\($0)" } ?? "\(i)") holds \(v), out of range")
            }
            values[i] = v
        }
    }

    /// A rate's value: nil over zero dossiers.
    public static func rate(_ numerator: Int64, _ denominator: Int64) -> Double? {
        denominator > 0 ? Double(numerator) / Double(denominator) : nil
    }

    public var onlineShare: Double? { Self.rate(self[.receivedOnline], self[.receivedOnlineEligible]) }
    public var onTimeRate: Double? { Self.rate(self[.early] + self[.onTime], self[.processed]) }
    public var onlinePaymentRate: Double? { Self.rate(self[.feesPaidOnline], self[.feesPaid]) }
    public var inputDigitisationRate: Double? { Self.rate(self[.inputDigitised], self[.received]) }
    public var resultDigitisationRate: Double? { Self.rate(self[.resultDigitised], self[.processed]) }
    /// Mean of the 1–5 ratings.
    public var satisfaction: Double? { self[.ratings] > 0 ? Double(self[.ratingSum]) / Double(self[.ratings]) : nil }
}

/// One dossier's contribution to an agency-day counter.
struct KPIContribution: Hashable, Sendable {
    var agency: String
    /// Local day, days since 1970-01-01.
    var day: Int32
    var counter: KPICounters.Counter
    var delta: Int64
}

/// One count a dossier adds to its own agency's day counters: a
/// `KPIContribution` without the agency, which is the dossier's for all of them.
struct KPICount: Equatable, Sendable {
    /// Local day, days since 1970-01-01.
    var day: Int32
    var counter: KPICounters.Counter
    var delta: Int64
}

extension DossierState {
    /// What this dossier adds to the KPI day counters, each count in the
    /// local day of the event it counts (DOMAIN.md "KPIs").
    func kpiContributions(reference: ReferenceData) -> [KPIContribution] {
        guard let agency else { return [] }
        var counts: [KPICount] = []
        let online = procedure.flatMap { reference.procedure($0, definedBy: procedureSeq) }?.online
        kpiCounts(calendar: reference.calendar, online: online, into: &counts)
        return counts.map { KPIContribution(agency: agency, day: $0.day, counter: $0.counter, delta: $0.delta) }
    }

    /// `kpiContributions(reference:)` without the agency (the dossier's
    /// for all; none without one), written over `out` (a loop that reuses
    /// one array allocates nothing), with the online level of the procedure
    /// definition in force at reception already looked up (nil: none).
    func kpiCounts(calendar: WorkingCalendar, online: OnlineLevel?, into out: inout [KPICount]) {
        out.removeAll(keepingCapacity: true)
        guard agency != nil else { return }
        out.reserveCapacity(9 + 2 * (payments.count + ratings.count))   // at most 9 counts plus two per payment and rating
        func add(_ instant: Int64, _ counter: KPICounters.Counter, _ delta: Int64 = 1) {
            out.append(KPICount(day: Int32(calendar.localDay(of: instant)), counter: counter, delta: delta))
        }
        if let receivedAt {
            add(receivedAt, .received)
            if let online, online != .none {
                add(receivedAt, .receivedOnlineEligible)
                if channel == "online" { add(receivedAt, .receivedOnline) }
            }
            if inputDigitised { add(receivedAt, .inputDigitised) }
            if supplementRequestSeqs.count > 1 { add(receivedAt, .repeatedSupplement) }
        }
        if let processedAt {
            add(processedAt, .processed)
            switch outcome(calendar: calendar) {
            case .early: add(processedAt, .early)
            case .onTime: add(processedAt, .onTime)
            case .late: add(processedAt, .late)
            case nil: break
            }
            if resultDigitised { add(processedAt, .resultDigitised) }
        }
        for p in payments {
            add(p.at, .feesPaid)
            if p.online { add(p.at, .feesPaidOnline) }
        }
        for r in ratings {
            add(r.at, .ratings)
            add(r.at, .ratingSum, Int64(r.score))
        }
    }
}

/// The procedure definitions dossiers were received under, by the seq of
/// the `procedure.defined` that recorded each: a recorded definition never
/// changes, so one lookup by procedure code serves every later dossier of
/// that definition.
struct ProcedureDefinitions {
    private var bySeq: [UInt64: ProcedureDefinition] = [:]

    /// The definition `state` was received under (nil: none), as `reference` has it.
    mutating func definition(of state: DossierState, reference: ReferenceData) -> ProcedureDefinition? {
        guard let procedure = state.procedure else { return nil }
        if let known = bySeq[state.procedureSeq], known.code.hasSameUTF8(as: procedure) { return known }
        guard let definition = reference.procedure(procedure, definedBy: state.procedureSeq) else { return nil }
        bySeq[state.procedureSeq] = definition
        return definition
    }

    /// The online level of the definition `state` was received under (nil: none).
    mutating func level(of state: DossierState, reference: ReferenceData) -> OnlineLevel? {
        definition(of: state, reference: reference)?.online
    }
}
