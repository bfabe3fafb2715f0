import LedgerContract

/// The ratios of REPORTS.md §2 an indicator of the scorecard can measure,
/// by the names `scorecard.defined` uses.
public enum ScorecardMeasure: String, Sendable, CaseIterable {
    /// Processed on time for the portal, plus open and not past due ÷ processed plus open (`P1`).
    case onTimeShare = "on_time_share"
    /// (agency, procedure) pairs with a reception that are offered online ÷ pairs with a reception (`O1`).
    case proceduresOnline = "procedures_online"
    /// Pairs offered online with at least one online reception ÷ pairs offered online with a reception (`O2`).
    case onlineServicesUsed = "online_services_used"
    /// Dossiers received online ÷ received, over procedures offered online (`O3`).
    case onlineDossierShare = "online_dossier_share"
    /// Pairs with a fee paid that had one paid online ÷ pairs with a fee paid (`T1`).
    case proceduresPaidOnline = "procedures_paid_online"
    /// Fees paid online ÷ fees paid (`T2`).
    case feesPaidOnlineShare = "fees_paid_online_share"
    /// Processed dossiers whose result was digitised ÷ processed (`D1`).
    case resultDigitised = "result_digitised"
    /// Received dossiers whose input was digitised ÷ received (`D2`).
    case inputDigitised = "input_digitised"
    /// Processed dossiers not late for the portal, not complained about, not rated 1 or 2 ÷ processed (`S1`).
    case satisfaction

    /// Whether the ratio counts (agency, procedure) pairs rather than dossiers or fees.
    public var countsPairs: Bool {
        self == .proceduresOnline || self == .onlineServicesUsed || self == .proceduresPaidOnline
    }

    /// The known names, for error messages.
    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// One indicator of a scorecard: a measure scored `points × min(1, ratio ÷ target)`.
public struct ScorecardIndicator: Sendable, Equatable {
    public var code: String
    public var measure: ScorecardMeasure
    public var group: String
    public var points: Double
    /// A fraction in (0, 1].
    public var target: Double

    public init(code: String, measure: ScorecardMeasure, group: String, points: Double, target: Double) {
        self.code = code
        self.measure = measure
        self.group = group
        self.points = points
        self.target = target
    }

    /// The points earned at `ratio` (none over zero dossiers: nil).
    public func points(at ratio: Double?) -> Double? {
        guard let ratio else { return nil }
        return points * min(1, ratio / target)
    }
}

/// The rules a period is scored with (REPORTS.md §2): the indicators and
/// the bands on the score's percentage. The national table is in force
/// until a `scorecard.defined` replaces it from its `at` on.
public struct ScorecardRules: Sendable, Equatable {
    public var name: String
    public var indicators: [ScorecardIndicator]
    /// Percent thresholds (0–100) of `scorePercent` for green, yellow and orange; red below.
    public var green: Double
    public var yellow: Double
    public var orange: Double
    /// The `at` of the `scorecard.defined` (Unix seconds); `Int64.min` for the national table.
    public var effectiveFrom: Int64
    /// The seq of the `scorecard.defined`; 0 for the national table.
    public var seq: UInt64

    public init(name: String, indicators: [ScorecardIndicator], green: Double = 90, yellow: Double = 75, orange: Double = 50,
                effectiveFrom: Int64 = .min, seq: UInt64 = 0) {
        self.name = name
        self.indicators = indicators
        self.green = green
        self.yellow = yellow
        self.orange = orange
        self.effectiveFrom = effectiveFrom
        self.seq = seq
    }

    /// The band of a score's percentage: `green`, `yellow`, `orange` or `red`.
    public func band(scorePercent: Double) -> String {
        if scorePercent >= green { return "green" }
        if scorePercent >= yellow { return "yellow" }
        if scorePercent >= orange { return "orange" }
        return "red"
    }

    /// The table of REPORTS.md §2 (Decision 766/QĐ-TTg), as far as the ledger measures it.
    public static let national = ScorecardRules(name: "766/QĐ-TTg", indicators: [
        ScorecardIndicator(code: "P1", measure: .onTimeShare, group: "progress", points: 20, target: 1),
        ScorecardIndicator(code: "O1", measure: .proceduresOnline, group: "online service", points: 2, target: 0.8),
        ScorecardIndicator(code: "O2", measure: .onlineServicesUsed, group: "online service", points: 4, target: 1),
        ScorecardIndicator(code: "O3", measure: .onlineDossierShare, group: "online service", points: 6, target: 0.5),
        ScorecardIndicator(code: "T1", measure: .proceduresPaidOnline, group: "online payment", points: 2, target: 1),
        ScorecardIndicator(code: "T2", measure: .feesPaidOnlineShare, group: "online payment", points: 6, target: 1),
        ScorecardIndicator(code: "D1", measure: .resultDigitised, group: "digitisation", points: 6, target: 1),
        ScorecardIndicator(code: "D2", measure: .inputDigitised, group: "digitisation", points: 4, target: 0.8),
        ScorecardIndicator(code: "S1", measure: .satisfaction, group: "satisfaction", points: 6, target: 0.9),
    ])

    /// Reads and checks the `data` of a `scorecard.defined`.
    /// - Throws: `RuleViolation` naming the field and the rule broken.
    public init(defining d: JSONObject, at: Int64, seq: UInt64) throws(RuleViolation) {
        let name = try d.requiredString("name")
        guard let list = d["indicators"]?.arrayValue, !list.isEmpty else {
            throw RuleViolation("missing data.indicators: a non-empty list of {code, measure, group, points, target}")
        }
        var indicators: [ScorecardIndicator] = []
        for (i, item) in list.enumerated() {
            guard let o = item.objectValue else { throw RuleViolation("data.indicators[\(i)] must be an object {code, measure, group, points, target}") }
            let field = "indicators[\(i)]"
            guard let code = o["code"]?.stringValue, !code.isEmpty else { throw RuleViolation("data.\(field).code must be non-empty text") }
            guard !indicators.contains(where: { $0.code == code }) else { throw RuleViolation("data.indicators names code \"\(code)\" twice") }
            guard let measureName = o["measure"]?.stringValue else {
                throw RuleViolation("data.\(field).measure must be one of \(ScorecardMeasure.allNames)")
            }
            guard let measure = ScorecardMeasure(rawValue: measureName) else {
                throw RuleViolation("data.\(field).measure \"\(measureName)\" is not a known measure (known: \(ScorecardMeasure.allNames))")
            }
            guard let group = o["group"]?.stringValue, !group.isEmpty else { throw RuleViolation("data.\(field).group must be non-empty text") }
            guard let points = o["points"]?.numberValue, points.isFinite, points >= 0 else {
                throw RuleViolation("data.\(field).points must be a number ≥ 0")
            }
            var target = 1.0
            if let t = o["target"], t != .null {
                guard let value = t.numberValue, value > 0, value <= 1 else {
                    throw RuleViolation("data.\(field).target must be a fraction in (0, 1], e.g. 0.8 for 80 %")
                }
                target = value
            }
            indicators.append(ScorecardIndicator(code: code, measure: measure, group: group, points: points, target: target))
        }
        var thresholds = (green: 90.0, yellow: 75.0, orange: 50.0)
        if let b = d["bands"], b != .null {
            guard let o = b.objectValue else { throw RuleViolation("data.bands must be an object like {\"green\": 90, \"yellow\": 75, \"orange\": 50}") }
            for m in o.members where !["green", "yellow", "orange"].contains(m.key) {
                throw RuleViolation("data.bands.\(m.key) is not a band (bands: green, yellow, orange; red is below orange)")
            }
            func threshold(_ band: String, _ fallback: Double) throws(RuleViolation) -> Double {
                guard let v = o[band], v != .null else { return fallback }
                guard let n = v.numberValue, n >= 0, n <= 100 else { throw RuleViolation("data.bands.\(band) must be a percentage from 0 to 100") }
                return n
            }
            thresholds = (try threshold("green", 90), try threshold("yellow", 75), try threshold("orange", 50))
            guard thresholds.green >= thresholds.yellow, thresholds.yellow >= thresholds.orange else {
                throw RuleViolation("data.bands must be ordered: green ≥ yellow ≥ orange (got \(thresholds.green), \(thresholds.yellow), \(thresholds.orange))")
            }
        }
        self.init(name: name, indicators: indicators, green: thresholds.green, yellow: thresholds.yellow, orange: thresholds.orange,
                  effectiveFrom: at, seq: seq)
    }
}

extension ReferenceData {
    /// The scorecard a period ending at `end` (exclusive) is scored with:
    /// the last `scorecard.defined` whose `at` is before `end`, else the national table.
    public func scorecard(forPeriodEndingAt end: Int64) -> ScorecardRules {
        scorecards.last { $0.effectiveFrom < end } ?? .national
    }
}
