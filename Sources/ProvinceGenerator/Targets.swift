import LedgerContract
import WorkingTime

/// The targets a generated province's chairman assigns each year (as
/// `target.assigned`): for the province, a yearly online share with a
/// quarterly roadmap rising through the year, on-time processing, full
/// digitisation at reception and the O3 indicator; on-time processing for
/// each district (while they exist) and commune; digitisation at reception
/// for the province's one-stop officers and steps within budget for its
/// first specialists. In the last year the province's online-share target
/// is revised upward in July.
enum Targets {
    enum Holder { case agency(Int), officer(Int) }

    struct Assignment {
        var holder: Holder
        var measure: String
        /// The value in thousandths.
        var permille: Int
        var period: String
    }

    /// 08:00 on the second of January.
    static func assignedAt(year: Int, calendar: WorkingCalendar) -> Int64 {
        calendar.instant(of: LocalDate(year: year, month: 1, day: 2)!, secondsFromMidnight: 8 * 3600)
    }

    /// 08:00 on the first of July.
    static func revisedAt(year: Int, calendar: WorkingCalendar) -> Int64 {
        calendar.instant(of: LocalDate(year: year, month: 7, day: 1)!, secondsFromMidnight: 8 * 3600)
    }

    /// The province's yearly online-share target, in thousandths: 50 % the
    /// first year, rising by 5 points a year to 90 %, so that the quarterly
    /// roadmap (up to 7.5 points above it) and the July revision (5 points)
    /// stay fractions of at most 1 however many years are generated.
    static func onlineShare(yearIndex: Int) -> Int { min(500 + 50 * yearIndex, 900) }

    static func assignments(year: Int, yearIndex: Int, years: Int, world: World, agencies: [Int]) -> [Assignment] {
        let province = world.provinceIndex
        let y = "\(year)"
        let online = onlineShare(yearIndex: yearIndex)
        var out = [
            Assignment(holder: .agency(province), measure: "onlineShare", permille: online, period: y),
            Assignment(holder: .agency(province), measure: "onTimeRate", permille: 950, period: y),
            Assignment(holder: .agency(province), measure: "inputDigitisationRate", permille: 1000, period: y),
            Assignment(holder: .agency(province), measure: "O3", permille: 500, period: y),
        ]
        for (q, step) in [-75, -25, 25, 75].enumerated() {
            out.append(Assignment(holder: .agency(province), measure: "onlineShare", permille: online + step, period: "\(year)-Q\(q + 1)"))
        }
        for a in agencies where a != province {
            out.append(Assignment(holder: .agency(a), measure: "onTimeRate", permille: world.agencies[a].level == .district ? 920 : 900, period: y))
        }
        for o in world.agencies[province].oneStop {
            out.append(Assignment(holder: .officer(Int(o)), measure: "inputDigitisationRate", permille: 950, period: y))
        }
        for o in world.agencies[province].specialists.prefix(4) {
            out.append(Assignment(holder: .officer(Int(o)), measure: "stepOnTimeRate", permille: 850, period: y))
        }
        return out
    }

    static func revision(year: Int, yearIndex: Int, years: Int, world: World) -> Assignment {
        Assignment(holder: .agency(world.provinceIndex), measure: "onlineShare", permille: onlineShare(yearIndex: yearIndex) + 50, period: "\(year)")
    }

    /// `permille` as a JSON number: `0.925`, `1`.
    static func fraction(_ permille: Int) -> String {
        if permille % 1000 == 0 { return "\(permille / 1000)" }
        var digits = String(permille % 1000)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(permille / 1000).\(digits)"
    }
}
