import LedgerContract
import WorkingTime

/// Government level of an agency.
public enum AgencyLevel: String, Sendable, CaseIterable {
    case province, district, commune
}

/// A registered agency (`agency.registered`); a later registration of the
/// same code replaces it (districts abolished, communes re-parented).
public struct Agency: Sendable, Equatable {
    public var code: String
    public var name: String
    public var level: AgencyLevel
    public var parent: String?
}

/// A registered officer (`officer.registered`).
public struct Officer: Sendable, Equatable {
    public var id: String
    public var name: String
    public var agency: String
}

/// One step of a procedure's internal workflow, with its budget.
public struct ProcedureStep: Sendable, Equatable {
    public var name: String
    public var budgetSeconds: Int64
}

/// How far a procedure is offered online.
public enum OnlineLevel: String, Sendable, CaseIterable {
    case full, partial, none
}

/// One definition of a procedure (`procedure.defined`), in force for
/// dossiers received from `effectiveFrom` on, until a later definition.
public struct ProcedureDefinition: Sendable, Equatable {
    public var code: String
    public var name: String
    /// The processing time in working seconds.
    public var processingSeconds: Int64
    public var online: OnlineLevel
    public var steps: [ProcedureStep]
    /// Whether awaiting a financial obligation stops the clock.
    public var obligationPauses: Bool
    /// The definition's `at` (Unix seconds).
    public var effectiveFrom: Int64
    /// The seq of the `procedure.defined` event.
    public var seq: UInt64

    /// The step of that name: the first whose UTF-8 is the same, else the
    /// first canonically equal one (`==`, which normalises Vietnamese text
    /// and costs far more than comparing bytes).
    public func step(named name: String) -> ProcedureStep? { Self.step(named: name, in: steps) }

    /// `step(named:)` over a definition's `steps`, for loops that look up
    /// many holds of one definition without copying it.
    public static func step(named name: String, in steps: [ProcedureStep]) -> ProcedureStep? {
        steps.first { $0.name.hasSameUTF8(as: name) } ?? steps.first { $0.name == name }
    }
}

/// The world the dossiers move in, as declared by reference events up to
/// some seq: agencies, officers, procedure definitions, the working
/// calendar, the scorecard rules and the targets. A value type: a batch validates against a copy and the copy
/// replaces the original only when the batch commits.
public struct ReferenceData: Sendable {
    public private(set) var agencies: [String: Agency] = [:]
    public internal(set) var officers: [String: Officer] = [:]
    /// Every definition of each procedure, ordered by (effectiveFrom, seq).
    public internal(set) var procedures: [String: [ProcedureDefinition]] = [:]
    public internal(set) var calendar: WorkingCalendar
    /// Every `scorecard.defined`, ordered by (effectiveFrom, seq); see `scorecard(forPeriodEndingAt:)`.
    public internal(set) var scorecards: [ScorecardRules] = []
    /// Every `target.assigned`, ordered by (effectiveFrom, seq); see `targets(inForceAt:)`.
    public internal(set) var targets: [TargetAssignment] = []
    /// The last reference event applied.
    public internal(set) var lastSeq: UInt64 = 0
    /// Each registered agency's `lineage(of:)`, kept by `register(_:)`, so
    /// that the check of an event's officer looks the dossier's agency up
    /// once instead of walking its parents.
    private var lineages: [String: [String]] = [:]

    public init(calendar: WorkingCalendar = WorkingCalendar()) {
        self.calendar = calendar
    }

    /// The definition in force for a dossier received at `instant`: the
    /// latest one whose `at` is not after it.
    public func procedure(_ code: String, inForceAt instant: Int64) -> ProcedureDefinition? {
        procedures[code]?.last { $0.effectiveFrom <= instant }
    }

    /// The definition recorded by `seq`.
    public func procedure(_ code: String, definedBy seq: UInt64) -> ProcedureDefinition? {
        procedures[code]?.first { $0.seq == seq }
    }

    /// `agency` and its parents up to the top, nearest first (empty when
    /// `agency` is not registered).
    /// - Complexity: one dictionary lookup.
    public func lineage(of agency: String) -> [String] {
        lineages[agency] ?? []
    }

    /// Whether `officer` works for `agency` or for an agency above it.
    /// - Complexity: two dictionary lookups and a comparison per level of
    ///   the hierarchy; allocates nothing.
    public func officer(_ officer: String, servesAgency agency: String) -> Bool {
        guard let registered = officers[officer] else { return false }
        return self.officer(registered, servesAgency: agency)
    }

    /// Whether the registered `officer` works for `agency` or for an agency
    /// above it: `officer(_:servesAgency:)` for a caller that already
    /// looked the officer up.
    /// - Complexity: one dictionary lookup and a comparison per level.
    public func officer(_ officer: Officer, servesAgency agency: String) -> Bool {
        lineages[agency]?.contains(officer.agency) ?? false
    }

    /// Registers `agency`, or replaces the registration of its code, and
    /// walks again the lineage of it and of every agency below it.
    /// - Complexity: O(depth) for a new code; O(agencies × depth) when a
    ///   code registered before is registered again.
    mutating func register(_ agency: Agency) {
        // A code not registered before is in no lineage: nothing is below it yet.
        let isNew = agencies.updateValue(agency, forKey: agency.code) == nil
        let below = isNew ? [] : lineages.compactMap { code, chain in chain.dropFirst().contains(agency.code) ? code : nil }
        for code in [agency.code] + below {
            var chain: [String] = []
            Self.walkUp(from: code, in: agencies) { code in
                guard !chain.contains(code) else { return false }
                chain.append(code)
                return true
            }
            lineages[code] = chain
        }
    }

    /// Calls `visit` with `agency` and each registered agency above it,
    /// nearest first, until `visit` returns false, an agency is not
    /// registered, or as many levels as there are agencies were walked (a
    /// cycle of parents).
    private static func walkUp(from agency: String, in agencies: [String: Agency], _ visit: (String) -> Bool) {
        var current: String? = agency
        var levels = 0
        while let code = current, levels < agencies.count, let a = agencies[code] {
            guard visit(code) else { return }
            current = a.parent
            levels += 1
        }
    }
}
