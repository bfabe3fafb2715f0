import WorkingTime

/// The province's reference data as the generator uses it: agencies,
/// officers, procedure definitions and the working calendar, with their
/// JSON-ready spellings precomputed.
struct World {
    enum Level: UInt8 { case province, district, commune
        var name: String { switch self { case .province: "province"; case .district: "district"; case .commune: "commune" } }
    }

    struct Agency {
        var code: String
        var codeJSON: [UInt8]
        var name: String
        var level: Level
        /// Parent before the district level is abolished.
        var parent: Int?
        /// For a commune, its district; for a district, itself.
        var district: Int?
        var weight: Double
        var oneStop: [Int32] = []
        var specialists: [Int32] = []
        var leaders: [Int32] = []
        var all: [Int32] = []
    }

    struct Officer {
        var id: String
        var idJSON: [UInt8]
        var name: String
        var agency: Int
        /// One of the few officers markedly slower than their peers.
        var slow: Bool
    }

    struct Step {
        var name: String
        var nameJSON: [UInt8]
        var role: Catalog.Role
        /// Budget in quarters of an hour.
        var quarters: Int
        var budgetSeconds: Int64
    }

    struct Definition {
        var effectiveFrom: Int64
        /// Processing time as written: days in quarters of a day, or whole hours.
        var dayQuarters: Int?
        var hours: Int?
        var processingSeconds: Int64
        var steps: [Step]
    }

    struct Procedure {
        var spec: Catalog.Procedure
        var codeJSON: [UInt8]
        /// Ordered by `effectiveFrom`.
        var definitions: [Definition]
        var onlineCapable: Bool { spec.online != "none" }
    }

    var agencies: [Agency] = []
    var officers: [Officer] = []
    var procedures: [Procedure] = []
    var calendar: WorkingCalendar
    var declaredYears: [Int] = []
    var provinceIndex = 0
    var communeIndices: [Int] = []
    var districtIndices: [Int] = []

    /// Builds the province for `[periodStart, periodEnd)`.
    /// - Parameters:
    ///   - withDistricts: whether the district level exists at the start.
    ///   - amendmentAt: the instant of the mid-period redefinition.
    init(seed: UInt64, fromYear: Int, years: Int, periodStart: Int64, withDistricts: Bool, amendmentAt: Int64) {
        var rng = Xoshiro256(seed: seed, stream: 1)
        var cal = WorkingCalendar()
        // Declared: every year of the period and the next one (dossiers received
        // in December are due in the following year).
        declaredYears = Array(fromYear...(fromYear + years))
        for y in declaredYears {
            let d = VietnameseHolidays.declaration(for: y)
            cal.declare(year: y, holidays: d.holidays, workdays: d.workdays)
        }
        calendar = cal

        // Agencies.
        agencies.append(Agency(code: Catalog.provinceCode, codeJSON: JSONText.quoted(Catalog.provinceCode),
                               name: Catalog.provinceName, level: .province, parent: nil, district: nil, weight: 1))
        for (di, district) in Catalog.districts.enumerated() {
            let code = "\(Catalog.provinceCode).\(Self.two(di + 1))"
            var districtIndex: Int? = nil
            if withDistricts {
                districtIndex = agencies.count
                districtIndices.append(agencies.count)
                agencies.append(Agency(code: code, codeJSON: JSONText.quoted(code), name: "Ủy ban nhân dân \(district.name)",
                                       level: .district, parent: 0, district: districtIndex, weight: district.weight))
            }
            for (ci, commune) in district.communes.enumerated() {
                let ccode = "\(code).\(Self.two(ci + 1))"
                let urban = commune.hasPrefix("phường") || commune.hasPrefix("thị trấn")
                communeIndices.append(agencies.count)
                agencies.append(Agency(code: ccode, codeJSON: JSONText.quoted(ccode), name: "Ủy ban nhân dân \(commune)",
                                       level: .commune, parent: districtIndex ?? 0, district: districtIndex,
                                       weight: district.weight * (urban ? 1.6 : 1.0) * rng.uniform(0.6, 1.4)))
            }
        }

        // Officers: one-stop officers, specialists and leaders in each agency.
        let familyChoice = WeightedChoice(Catalog.familyNames.map(\.1))
        for ai in agencies.indices {
            let (oneStop, leaders, specialists): (Int, Int, Int)
            switch agencies[ai].level {
            case .province: (oneStop, leaders, specialists) = (6, 4, 18)
            case .district: (oneStop, leaders, specialists) = (3, 2, 6 + rng.below(3))
            case .commune: (oneStop, leaders, specialists) = (1 + rng.below(2), 1, 2 + rng.below(2))
            }
            for k in 0..<(oneStop + leaders + specialists) {
                let index = Int32(officers.count)
                let id = "cb-\(Self.four(officers.count + 1))"
                let female = rng.chance(0.55)
                let family = Catalog.familyNames[familyChoice.draw(&rng)].0
                let middle = female ? rng.pick(Catalog.femaleMiddle) : rng.pick(Catalog.maleMiddle)
                let given = female ? rng.pick(Catalog.femaleGiven) : rng.pick(Catalog.maleGiven)
                officers.append(Officer(id: id, idJSON: JSONText.quoted(id), name: "\(family) \(middle) \(given)",
                                        agency: ai, slow: rng.chance(0.05)))
                if k < oneStop { agencies[ai].oneStop.append(index) }
                else if k < oneStop + leaders { agencies[ai].leaders.append(index) }
                else { agencies[ai].specialists.append(index) }
                agencies[ai].all.append(index)
            }
        }

        // Procedures and their definitions.
        for spec in Catalog.procedures {
            var defs = [Self.definition(spec: spec, days: spec.days, at: periodStart, calendar: cal)]
            if let amended = spec.amendedDays {
                defs.append(Self.definition(spec: spec, days: amended, at: amendmentAt, calendar: cal))
            }
            procedures.append(Procedure(spec: spec, codeJSON: JSONText.quoted(spec.code), definitions: defs))
        }
    }

    private static func definition(spec: Catalog.Procedure, days: Double?, at: Int64, calendar: WorkingCalendar) -> Definition {
        let hours = days == nil ? spec.hours : nil
        let seconds = calendar.processingSeconds(days: days, hours: hours.map(Double.init)) ?? 8 * 3600
        let totalQuarters = Int(seconds / 900)
        // Each step gets its share, at least a quarter hour; the remainder goes to the largest.
        var q = spec.steps.map { max(1, Int((Double(totalQuarters) * $0.share).rounded(.down))) }
        let largest = spec.steps.indices.max { spec.steps[$0].share < spec.steps[$1].share } ?? 0
        q[largest] += totalQuarters - q.reduce(0, +)
        let steps = zip(spec.steps, q).map { shape, quarters in
            Step(name: shape.name, nameJSON: JSONText.quoted(shape.name), role: shape.role, quarters: quarters,
                 budgetSeconds: Int64(quarters) * 900)
        }
        return Definition(effectiveFrom: at, dayQuarters: days.map { Int(($0 * 4).rounded()) }, hours: hours,
                          processingSeconds: seconds, steps: steps)
    }

    /// An officer of `agency` for `role` (any officer of the agency when it has none in that role).
    func officer(of agency: Int, role: Catalog.Role, _ rng: inout Xoshiro256) -> Int32 {
        let a = agencies[agency]
        let pool: [Int32]
        switch role {
        case .oneStop: pool = a.oneStop
        case .specialist: pool = a.specialists
        case .leader: pool = a.leaders
        }
        return pool.isEmpty ? rng.pick(a.all) : rng.pick(pool)
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    static func four(_ v: Int) -> String {
        let s = String(v)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }
}
