import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Projections
import WorkingTime

/// One finished or ongoing hold of a dossier, with what the accountability
/// reports need.
public struct HoldRecord: Sendable {
    public var dossier: String
    public var officer: String
    public var step: String
    public var procedure: String?
    public var agency: String?
    public var from: Int64
    public var to: Int64?
    public var heldSeconds: Int64
    public var budgetSeconds: Int64?
    /// The officer the dossier went to next (a handover), if any.
    public var nextOfficer: String?

    public var overBudgetSeconds: Int64 { budgetSeconds.map { max(0, heldSeconds - $0) } ?? 0 }

    /// The holds of one dossier that began in [from, to): working time held as
    /// of `asOf`, against the step budgets of the definition it was received under.
    public static func holds(of state: DossierState, reference: ReferenceData, asOf: Int64,
                             from: Int64 = .min, to: Int64 = .max) -> [HoldRecord] {
        let steps = state.procedure.flatMap { reference.procedure($0, definedBy: state.procedureSeq) }?.steps ?? []
        var out: [HoldRecord] = []
        for (i, h) in state.holdings.enumerated() where h.from >= from && h.from < to {
            out.append(HoldRecord(dossier: state.code, officer: h.officer, step: h.step, procedure: state.procedure,
                                  agency: state.agency, from: h.from, to: h.to,
                                  heldSeconds: state.heldSeconds(h, calendar: reference.calendar, asOf: asOf),
                                  budgetSeconds: ProcedureDefinition.step(named: h.step, in: steps)?.budgetSeconds,
                                  nextOfficer: i + 1 < state.holdings.count ? state.holdings[i + 1].officer : nil))
        }
        return out
    }

    public init(dossier: String, officer: String, step: String, procedure: String?, agency: String?, from: Int64, to: Int64?,
                heldSeconds: Int64, budgetSeconds: Int64?, nextOfficer: String?) {
        self.dossier = dossier
        self.officer = officer
        self.step = step
        self.procedure = procedure
        self.agency = agency
        self.from = from
        self.to = to
        self.heldSeconds = heldSeconds
        self.budgetSeconds = budgetSeconds
        self.nextOfficer = nextOfficer
    }
}

/// Where the accountability reports read dossiers from: the live
/// projections, or a replay as of a past instant.
public struct DossierSource {
    public let reference: ReferenceData
    private let visit: ((DossierState) throws -> Void) throws -> Void

    public init(reference: ReferenceData, visit: @escaping ((DossierState) throws -> Void) throws -> Void) {
        self.reference = reference
        self.visit = visit
    }

    public func forEach(_ body: (DossierState) throws -> Void) throws {
        try withoutActuallyEscaping(body) { try visit($0) }
    }

    /// Every hold of every dossier that began in [from, to).
    public func holds(asOf: Int64, from: Int64 = .min, to: Int64 = .max, agency: String? = nil) throws -> [HoldRecord] {
        var out: [HoldRecord] = []
        try forEachHold(asOf: asOf, from: from, to: to, agency: agency) { out.append($0) }
        return out
    }

    /// Calls `body` with every hold of every dossier that began in [from,
    /// to), a dossier at a time: reports that only sum the holds keep none.
    public func forEachHold(asOf: Int64, from: Int64 = .min, to: Int64 = .max, agency: String? = nil,
                            _ body: (HoldRecord) throws -> Void) throws {
        try forEach { state in
            if let agency, state.agency != agency { return }
            for hold in HoldRecord.holds(of: state, reference: reference, asOf: asOf, from: from, to: to) { try body(hold) }
        }
    }
}

extension LedgerSnapshot {
    /// The live projections of this snapshot as a dossier source (valid while the snapshot is).
    public func dossierSource() throws -> DossierSource {
        let snapshot = self
        return DossierSource(reference: try reference()) { body in try snapshot.forEachDossier(body) }
    }
}

extension LedgerSnapshot {
    /// Every dossier as of `past` as a dossier source, replayed when visited
    /// (`Replay.forEachDossier`), in dossier-code order: memory of one
    /// dossier at a time, whatever the ledger's size. Valid while the snapshot is.
    public func dossierSource(as past: PastInstant) throws -> DossierSource {
        let snapshot = self
        let reference = try Replay.reference(of: ledger, as: past, in: txn)
        return DossierSource(reference: reference) { body in
            try Replay.forEachDossier(in: snapshot, as: past) { state, _ in try body(state) }
        }
    }
}

/// Working seconds held, counted to the hundredth of an hour (36 s, the
/// resolution every report prints) for the median and percentiles, and
/// exactly for the total. Memory grows with the distinct hundredths held (at
/// most one per 36 s of the longest hold), not with the holds.
struct HeldSeconds {
    /// Holds counted by their working time rounded to the nearest hundredth of an hour.
    private var counts: [Int64: Int] = [:]
    private(set) var count = 0
    private(set) var total: Int64 = 0

    /// `seconds` rounded to the nearest hundredth of an hour, halves away from zero.
    static func hundredthsOfAnHour(_ seconds: Int64) -> Int64 { Int64((Double(seconds) / 36).rounded()) }

    mutating func add(_ seconds: Int64) {
        counts[Self.hundredthsOfAnHour(seconds), default: 0] += 1
        count += 1
        total += seconds
    }

    mutating func add(_ other: HeldSeconds) {
        for (hundredths, n) in other.counts { counts[hundredths, default: 0] += n }
        count += other.count
        total += other.total
    }

    /// For each of `qs`, the value at the nearest rank `q × (count − 1)` of
    /// the sorted values added, rounded to the nearest hundredth of an hour
    /// and given in seconds (a multiple of 36); 0 when none were added.
    /// Rounding keeps the order, so this is the exact quantile, rounded.
    func quantiles(_ qs: [Double]) -> [Int64] {
        guard count > 0 else { return qs.map { _ in 0 } }
        let values = counts.keys.sorted()
        return qs.map { q in
            let rank = min(max(Int((q * Double(count - 1)).rounded()), 0), count - 1)
            var seen = 0
            for v in values {
                seen += counts[v]!
                if seen > rank { return v * 36 }
            }
            return values[values.count - 1] * 36
        }
    }
}

/// `audit officer`: what one officer handled over a period and how long it took.
public struct OfficerAccountability: Sendable {
    public var officer: String
    public var name: String?
    public var agency: String?
    public var dossiersHandled: Int
    public var stepsHeld: Int
    public var totalHeldSeconds: Int64
    /// To the hundredth of an hour (`HeldSeconds`).
    public var medianHeldSeconds: Int64
    public var stepsOverBudget: Int
    public var overBudgetSeconds: Int64
    public var supplementRequests: Int
    /// Second or later requests on the same dossier (Decree 61 allows one).
    public var repeatedSupplementRequests: Int
    /// Dossiers whose due instant passed (processed late, or still open)
    /// while this officer held them, in code order: all of them, or the
    /// first `lateListLimit` of them when the record was built with one.
    public var wentLateWhileHeld: [String]
    /// How many dossiers went late while held (`wentLateWhileHeld` may name fewer).
    public var wentLateWhileHeldCount: Int

    public static func build(_ officer: String, source: DossierSource, asOf: Int64, from: Int64 = .min, to: Int64 = .max) throws -> OfficerAccountability {
        try build([officer], source: source, asOf: asOf, periods: [(from, to)])[0][officer]!
    }

    /// The records of several officers over each of several periods
    /// [from, to), from one visit of the dossiers: element `i` of the result
    /// holds every officer's record over `periods[i]`. With a
    /// `lateListLimit`, each record names at most that many of the dossiers
    /// that went late while held (the first in code order), and counts all.
    /// - Complexity: O(dossiers' holds and requests × periods) time. Memory
    ///   O(officers × periods × (distinct hundredths of an hour held +
    ///   `lateListLimit`)), not O(dossiers): each dossier is counted and let go.
    ///   Without a limit, the late dossiers' codes are kept as well.
    public static func build(_ officers: Set<String>, source: DossierSource, asOf: Int64,
                             periods: [(from: Int64, to: Int64)], lateListLimit: Int? = nil) throws -> [[String: OfficerAccountability]] {
        let calendar = source.reference.calendar
        struct Tally {
            var dossiers = 0, over = 0, requests = 0, repeats = 0, lateCount = 0
            var held = HeldSeconds()
            var overSeconds: Int64 = 0
            /// Codes of dossiers that went late while held; with a limit, at most twice the limit between trims.
            var late: [String] = []

            mutating func noteLate(_ code: String, limit: Int?) {
                lateCount += 1
                late.append(code)
                if let limit, late.count >= 2 * max(limit, 1) {
                    late.sort()
                    late.removeLast(late.count - limit)
                }
            }
        }
        var tallies = periods.map { _ in [String: Tally](uniqueKeysWithValues: officers.map { ($0, Tally()) }) }
        // The officers counted for the dossier visited, so that each counts it once per period.
        var handled: [String] = [], wentLateWith: [String] = []
        try source.forEach { state in
            let holds = HoldRecord.holds(of: state, reference: source.reference, asOf: asOf).filter { officers.contains($0.officer) }
            let due = state.dueInstant(calendar: calendar)
            // Whether the due instant passed (processed late, or still open) — then who held the dossier at that instant.
            let wentLate = due.map { due in
                !(state.processedAt.map { $0 <= due } ?? false) && (state.endedAt.map { $0 > due } ?? true)
            } ?? false
            for (p, period) in periods.enumerated() {
                handled.removeAll(keepingCapacity: true)
                for h in holds where h.from >= period.from && h.from < period.to {
                    if !handled.contains(h.officer) { handled.append(h.officer) }
                    tallies[p][h.officer]!.held.add(h.heldSeconds)
                    if h.overBudgetSeconds > 0 { tallies[p][h.officer]!.over += 1; tallies[p][h.officer]!.overSeconds += h.overBudgetSeconds }
                }
                for (i, (seq, who)) in zip(state.supplementRequestSeqs, state.supplementRequesters).enumerated() {
                    guard let who, officers.contains(who) else { continue }
                    let at = state.pauses.first { $0.startSeq == seq }?.start ?? 0
                    guard at >= period.from && at < period.to else { continue }
                    tallies[p][who]!.requests += 1
                    if i > 0 { tallies[p][who]!.repeats += 1 }
                    if !handled.contains(who) { handled.append(who) }
                }
                for officer in handled { tallies[p][officer]!.dossiers += 1 }
                guard wentLate, let due, due < min(asOf, period.to), due >= period.from else { continue }
                wentLateWith.removeAll(keepingCapacity: true)
                for h in state.holdings where officers.contains(h.officer) && h.from <= due && (h.to ?? .max) > due
                    && !wentLateWith.contains(h.officer) {
                    wentLateWith.append(h.officer)
                    tallies[p][h.officer]!.noteLate(state.code, limit: lateListLimit)
                }
            }
        }
        return tallies.map { byOfficer in
            byOfficer.reduce(into: [:]) { out, entry in
                let (officer, t) = entry
                let o = source.reference.officers[officer]
                let late = t.late.sorted()
                out[officer] = OfficerAccountability(officer: officer, name: o?.name, agency: o?.agency, dossiersHandled: t.dossiers,
                                                     stepsHeld: t.held.count, totalHeldSeconds: t.held.total,
                                                     medianHeldSeconds: t.held.quantiles([0.5])[0], stepsOverBudget: t.over,
                                                     overBudgetSeconds: t.overSeconds, supplementRequests: t.requests,
                                                     repeatedSupplementRequests: t.repeats,
                                                     wentLateWhileHeld: lateListLimit.map { Array(late.prefix($0)) } ?? late,
                                                     wentLateWhileHeldCount: t.lateCount)
            }
        }
    }
}

/// `audit delays`: where the working hours go, per group of holds.
public struct DelayGroup: Sendable {
    public enum Dimension: String, Sendable, CaseIterable { case step, officer, procedure, agency }

    public var key: String
    public var count: Int
    /// The median and 90th percentile, to the hundredth of an hour (`HeldSeconds`); the total is exact.
    public var medianSeconds: Int64
    public var p90Seconds: Int64
    public var totalSeconds: Int64
    /// Holds over their step budget ÷ holds with a budget.
    public var shareOverBudget: Double?

    /// Groups ranked by total working time held, largest first.
    public static func rank(_ holds: [HoldRecord], by dimension: Dimension) -> [DelayGroup] {
        var ranking = Ranking(by: dimension)
        for h in holds { ranking.add(h) }
        return ranking.ranked()
    }

    /// Holds added one at a time, ranked at the end: memory of the groups, not of the holds.
    public struct Ranking {
        let dimension: Dimension
        // Per group only what the figures need: the held seconds, and the budgeted and over-budget counts.
        // Holds are grouped by the UTF-8 of their key (hashing bytes is cheap), then groups whose keys are
        // canonically equal (`==`, the same text in another Unicode normal form) are merged.
        private var groupOfBytes: [UTF8Key: Int] = [:]
        private var keys: [String] = [], seconds: [HeldSeconds] = [], budgeted: [Int] = [], over: [Int] = []
        // The groups found last, tried before hashing: holds mostly repeat a few keys.
        private var recent: [(key: String, group: Int)] = []

        public init(by dimension: Dimension) { self.dimension = dimension }

        public mutating func add(_ hold: HoldRecord) {
            let key: String = switch dimension {
            case .step: hold.step
            case .officer: hold.officer
            case .procedure: hold.procedure ?? "-"
            case .agency: hold.agency ?? "-"
            }
            let g: Int
            if let hit = recent.first(where: { $0.key.hasSameUTF8(as: key) }) {
                g = hit.group
            } else {
                if let found = groupOfBytes[UTF8Key(key)] {
                    g = found
                } else {
                    g = keys.count
                    groupOfBytes[UTF8Key(key)] = g
                    keys.append(key); seconds.append(HeldSeconds()); budgeted.append(0); over.append(0)
                }
                if recent.count == 8 { recent.removeFirst() }
                recent.append((key, g))
            }
            seconds[g].add(hold.heldSeconds)
            if hold.budgetSeconds != nil { budgeted[g] += 1 }
            if hold.overBudgetSeconds > 0 { over[g] += 1 }
        }

        public func ranked() -> [DelayGroup] {
            var seconds = self.seconds, budgeted = self.budgeted, over = self.over
            var groupOfKey: [String: Int] = [:]
            for g in keys.indices {
                if let first = groupOfKey[keys[g]] {
                    seconds[first].add(seconds[g]); budgeted[first] += budgeted[g]; over[first] += over[g]
                } else {
                    groupOfKey[keys[g]] = g
                }
            }
            return groupOfKey.values.sorted().map { g in
                let q = seconds[g].quantiles([0.5, 0.9])
                return DelayGroup(key: keys[g], count: seconds[g].count, medianSeconds: q[0], p90Seconds: q[1],
                                  totalSeconds: seconds[g].total,
                                  shareOverBudget: budgeted[g] == 0 ? nil : Double(over[g]) / Double(budgeted[g]))
            }.sorted { ($0.totalSeconds, $1.key) > ($1.totalSeconds, $0.key) }
        }
    }
}

/// `audit handovers`: who hands dossiers to whom (the handover-of-work network).
public struct Handover: Sendable {
    public var from: String
    public var to: String
    public var count: Int
    /// Median working time the giver held the dossier before handing it
    /// over, to the hundredth of an hour (`HeldSeconds`).
    public var medianHeldSeconds: Int64

    public static func network(_ holds: [HoldRecord]) -> [Handover] {
        var network = Network()
        for h in holds { network.add(h) }
        return network.ranked()
    }

    /// Holds added one at a time: memory of the pairs of officers, not of the holds.
    public struct Network {
        private var pairs: [String: (from: String, to: String, held: HeldSeconds)] = [:]

        public init() {}

        public mutating func add(_ h: HoldRecord) {
            guard let next = h.nextOfficer, next != h.officer else { return }   // a handover is to someone else
            pairs[h.officer + "\u{0}" + next, default: (h.officer, next, HeldSeconds())].held.add(h.heldSeconds)
        }

        /// The handovers, most frequent first.
        public func ranked() -> [Handover] {
            pairs.values.map { p in
                Handover(from: p.from, to: p.to, count: p.held.count, medianHeldSeconds: p.held.quantiles([0.5])[0])
            }.sorted { ($0.count, $1.from, $1.to) > ($1.count, $0.from, $0.to) }
        }
    }
}

/// A string compared and hashed by its UTF-8 bytes, not by canonical
/// equivalence: much cheaper for Vietnamese text, for grouping many values
/// that are mostly byte-identical copies of a few.
struct UTF8Key: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool { a.text.hasSameUTF8(as: b.text) }

    func hash(into hasher: inout Hasher) {
        text.withUTF8Bytes { hasher.combine(bytes: $0) }
    }
}
