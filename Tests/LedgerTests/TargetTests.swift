import Foundation
import Testing
import DossierRules
import LedgerContract
@testable import Projections

/// Targets (`target.assigned`) against hand-worked cases (times local,
/// UTC+7; the fixture's 2024 calendar; procedure 2.000001 takes 4 working
/// hours, so a dossier received at 09:00 is due at 14:30 the same day).
///
/// H40.22's dossiers, received by cb-001 unless said otherwise:
/// - Q1: a, b, c processed on time; d (6 March) processed late → 3 of 4 on time.
/// - Q2: e on time (2 April); f late (received 6 May, processed the next day) → 1 of 2.
/// - g, h: received by cb-002 in Q1 at 08:00 (due 13:30), h's input digitised, both
///   processed on time while cb-002 held them for "Xử lý": g for 2 working
///   hours (within the 3-hour budget), h for 3 h 25 min (over).
@Suite struct TargetTests {
    static func instant(_ local: String) -> Int64 { try! Timestamp(rfc3339: local + "+07:00").seconds }

    static func received(_ d: String, _ at: String, by officer: String = "cb-001", procedure: String = "2.000001", channel: String = "direct",
                         agency: String = "H40.22") -> String {
        Fixture.event("dossier.received", d, at, actor: officer, #"{"procedure":"\#(procedure)","agency":"\#(agency)","channel":"\#(channel)"}"#)
    }
    static func processed(_ d: String, _ at: String) -> String { Fixture.event("dossier.processed", d, at, #"{"outcome":"approved"}"#) }
    static func assigned(_ d: String, _ at: String, to officer: String) -> String {
        Fixture.event("dossier.assigned", d, at, #"{"to":"\#(officer)","step":"Xử lý"}"#)
    }
    static func target(_ holder: String, _ measure: String, _ value: Double, _ period: String, at: String = "2024-01-02T08:00:00") -> String {
        let field = holder.hasPrefix("cb-") ? "officer" : "agency"
        return #"{"type":"target.assigned","at":"\#(at)+07:00","data":{"\#(field)":"\#(holder)","measure":"\#(measure)","value":\#(value),"period":"\#(period)"}}"#
    }

    static let dossiers = [
        received("a", "2024-02-05T09:00:00"), processed("a", "2024-02-05T10:00:00"),
        received("b", "2024-02-06T09:00:00"), processed("b", "2024-02-06T10:00:00"),
        received("c", "2024-03-05T09:00:00"), processed("c", "2024-03-05T10:00:00"),
        received("d", "2024-03-06T09:00:00"), processed("d", "2024-03-06T16:00:00"),
        received("e", "2024-04-02T09:00:00"), processed("e", "2024-04-02T10:00:00"),
        received("f", "2024-05-06T09:00:00"), processed("f", "2024-05-07T09:00:00"),
        received("g", "2024-03-11T08:00:00", by: "cb-002"), assigned("g", "2024-03-11T09:00:00", to: "cb-002"),
        processed("g", "2024-03-11T11:00:00"),
        received("h", "2024-03-12T08:00:00", by: "cb-002"),
        Fixture.event("dossier.digitised", "h", "2024-03-12T08:02:00", #"{"part":"input"}"#),
        assigned("h", "2024-03-12T08:05:00", to: "cb-002"), processed("h", "2024-03-12T11:30:00"),
    ]

    func ledger(_ targets: [String], extra: [String] = []) throws -> TemporaryLedger {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference + targets)
        try t.append(Self.dossiers + extra)
        return t
    }

    /// The progress of every row a query asks for, measured over the live projections.
    func progress(_ t: TemporaryLedger, asOf: String, period: String? = nil, agency: String? = nil, officer: String? = nil) throws -> [TargetProgress] {
        try t.ledger.read { snapshot in
            let reference = try snapshot.reference()
            let at = Self.instant(asOf)
            let rows = TargetEvaluation.rows(reference: reference, asOf: at, period: period.flatMap(TargetPeriod.init), agency: agency, officer: officer)
            var evaluation = TargetEvaluation(rows: rows, reference: reference, asOf: at)
            try snapshot.forEachDossier { evaluation.add($0, reference: reference) }
            return evaluation.progress(reference: reference)
        }
    }

    func only(_ rows: [TargetProgress], _ holder: String, _ measure: String) -> TargetProgress? {
        let found = rows.filter { $0.assignment.holder.code == holder && $0.assignment.measure.description == measure }
        #expect(found.count == 1, "\(found.count) rows of \(holder) \(measure)")
        return found.first
    }

    @Test func aYearlyTargetIsCheckedInEachQuarter() throws {
        let t = try ledger([Self.target("H40.22", "onTimeRate", 0.75, "2024")])
        let asOf = "2024-07-01T00:00:00"
        let q1 = try #require(only(try progress(t, asOf: asOf, period: "2024-Q1"), "H40.22", "onTimeRate"))
        #expect(q1.inherited && q1.assignment.period.description == "2024" && q1.period.description == "2024-Q1")
        #expect((q1.numerator, q1.denominator) == (5, 6), "a, b, c, g, h on time of a, b, c, d, g, h")
        let q2 = try #require(only(try progress(t, asOf: asOf, period: "2024-Q2"), "H40.22", "onTimeRate"))
        #expect((q2.numerator, q2.denominator, q2.status) == (1, 2, .missed))
        #expect(q1.status == .met && q1.periodEnded)
        let q3 = try #require(only(try progress(t, asOf: asOf, period: "2024-Q3"), "H40.22", "onTimeRate"))
        #expect(q3.status == .noData && q3.actual == nil, "nothing processed in Q3 yet")
        let year = try #require(only(try progress(t, asOf: asOf), "H40.22", "onTimeRate"))
        #expect((year.numerator, year.denominator) == (6, 8))
        #expect(year.status == .onTrack && !year.periodEnded, "6 of 8 = 75 % reaches 75 %; nothing in the last 30 days changes the pace")
        #expect(year.projected == year.actual)
    }

    @Test func aRevisionReplacesTheTargetFromItsInstant() throws {
        let t = try ledger([Self.target("H40.22", "onTimeRate", 0.9, "2024"),
                            Self.target("H40.22", "onTimeRate", 0.7, "2024", at: "2024-05-01T08:00:00")])
        let before = try #require(only(try progress(t, asOf: "2024-04-15T00:00:00"), "H40.22", "onTimeRate"))
        #expect(before.target == 0.9 && before.assignment.effectiveFrom == Self.instant("2024-01-02T08:00:00"))
        let after = try #require(only(try progress(t, asOf: "2024-07-01T00:00:00"), "H40.22", "onTimeRate"))
        #expect(after.target == 0.7 && after.status == .onTrack, "6 of 8 = 75 %, no processing in June: reaches 70 %, not 90 %")
        #expect(after.assignment.effectiveFrom == Self.instant("2024-05-01T08:00:00"))
    }

    @Test func anOfficerIsMeasuredOnWhatTheyDid() throws {
        let t = try ledger([Self.target("cb-002", "inputDigitisationRate", 0.5, "2024-Q1"),
                            Self.target("cb-001", "inputDigitisationRate", 0.5, "2024-Q1"),
                            Self.target("cb-002", "stepOnTimeRate", 0.6, "2024-Q1"),
                            Self.target("cb-002", "onTimeRate", 1, "2024-Q1")])
        let rows = try progress(t, asOf: "2024-04-01T00:00:00", period: "2024-Q1")
        let digitised = try #require(only(rows.filter { $0.assignment.holder == .officer("cb-002") }, "cb-002", "inputDigitisationRate"))
        #expect((digitised.numerator, digitised.denominator, digitised.status) == (1, 2, .met), "g and h received by cb-002, h digitised")
        let other = try #require(only(rows.filter { $0.assignment.holder == .officer("cb-001") }, "cb-001", "inputDigitisationRate"))
        #expect((other.numerator, other.denominator, other.status) == (0, 4, .missed), "a, b, c, d received by cb-001 in Q1")
        let steps = try #require(only(rows, "cb-002", "stepOnTimeRate"))
        #expect((steps.numerator, steps.denominator, steps.status) == (1, 2, .missed), "g held 2 h of 3, h 3 h 25 min of 3")
        let processed = try #require(only(rows, "cb-002", "onTimeRate"))
        #expect((processed.numerator, processed.denominator) == (2, 2), "g and h processed while cb-002 held them")
        // With --officer, only that officer's targets.
        #expect(try progress(t, asOf: "2024-04-01T00:00:00", period: "2024-Q1", officer: "cb-001").count == 1)
    }

    @Test func missedOnlyOnceThePeriodHasEnded() throws {
        let t = try ledger([Self.target("H40.22", "onTimeRate", 0.9, "2024-03")])
        let during = try #require(only(try progress(t, asOf: "2024-03-20T00:00:00"), "H40.22", "onTimeRate"))
        #expect((during.numerator, during.denominator) == (3, 4), "c, g, h on time, d late")
        #expect(during.status == .atRisk && !during.periodEnded)
        let after = try #require(only(try progress(t, asOf: "2024-04-01T00:00:00", period: "2024-03"), "H40.22", "onTimeRate"))
        #expect(after.status == .missed && after.periodEnded)
    }

    /// The projection assumes the pace of the last 30 days: none of the
    /// dossiers before May came online, all of those in May did.
    @Test func theProjectionFollowsThePaceOfTheLastThirtyDays() throws {
        let online = (1...4).flatMap { i in
            [Self.received("o\(i)", "2024-05-\(10 + i)T09:00:00", procedure: "1.004227", channel: "online")]
        }
        let t = try ledger([Self.target("H40", "onlineShare", 0.8, "2024")], extra: online)
        let row = try #require(only(try progress(t, asOf: "2024-06-01T00:00:00"), "H40", "onlineShare"))
        // Received (procedures offered online) by 1 June: a–h (8) and o1–o4 online: 4 of 12.
        #expect((row.numerator, row.denominator) == (4, 12))
        // Last 30 days (2 May – 1 June): f, and o1–o4 online: 4 of 5; the 214 days left scaled from them.
        let left = Double(Self.instant("2025-01-01T00:00:00") - Self.instant("2024-06-01T00:00:00") - 1)
        let window = Double(Self.instant("2024-06-01T00:00:00") + 1 - Self.instant("2024-05-02T00:00:00"))
        let scale = left / window
        let expected = (4 + 4 * scale) / (12 + 5 * scale)
        #expect(abs((row.projected ?? 0) - expected) < 1e-9, "\(row.projected ?? -1) vs \(expected)")
        #expect(row.status == .atRisk, "projected \(expected) < 0.8")
        #expect((row.actual ?? 1) < row.projected!, "the pace of May lifts the projection above the value so far")
    }

    @Test func anAgencyCountsItsOfficersAndSubUnitsOnCourse() throws {
        let t = try ledger([Self.target("H40", "onTimeRate", 0.5, "2024"), Self.target("H40.22", "onTimeRate", 0.95, "2024"),
                            Self.target("cb-003", "onTimeRate", 0.5, "2024")])
        let rows = try progress(t, asOf: "2024-07-01T00:00:00")
        let province = try #require(only(rows, "H40", "onTimeRate"))
        #expect((province.numerator, province.denominator) == (6, 8), "the agency with the agencies under it")
        #expect((province.subUnitsOnCourse, province.subUnitsWithTargets) == (0, 1), "H40.22 at 75 % of 95 %")
        #expect(province.officersWithTargets == 0, "cb-003 has nothing counted: no status to count")
        #expect(try progress(t, asOf: "2024-07-01T00:00:00", agency: "H40.22").map(\.assignment.holder.code) == ["H40.22"])
    }

    @Test func assignmentsAreCheckedLikeOtherReferenceData() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        func refusal(_ data: String) -> String? {
            t.refusal(#"{"type":"target.assigned","at":"2024-01-02T08:00:00+07:00","data":\#(data)}"#)
        }
        #expect(refusal(#"{"agency":"H99","measure":"onTimeRate","value":0.9,"period":"2024"}"#)?.contains("not a registered agency") == true)
        #expect(refusal(#"{"agency":"H40","officer":"cb-001","measure":"onTimeRate","value":0.9,"period":"2024"}"#)?.contains("exactly one of") == true)
        #expect(refusal(#"{"agency":"H40","measure":"speed","value":0.9,"period":"2024"}"#)?.contains("not a known measure") == true)
        #expect(refusal(#"{"officer":"cb-001","measure":"O3","value":0.9,"period":"2024"}"#)?.contains("agencies only") == true)
        #expect(refusal(#"{"officer":"cb-001","measure":"onlinePaymentRate","value":0.9,"period":"2024"}"#)?.contains("agencies only") == true)
        #expect(refusal(#"{"agency":"H40","measure":"onTimeRate","value":1.5,"period":"2024"}"#)?.contains("fraction from 0 to 1") == true)
        #expect(refusal(#"{"agency":"H40","measure":"onTimeRate","value":0.9,"period":"2024-Q5"}"#)?.contains("2026-Q2") == true)
        #expect(refusal(#"{"agency":"H40","measure":"O3","value":0.5,"period":"2024-07"}"#) == nil)
        let reference = try t.ledger.read { try $0.reference() }
        #expect(reference.targets.count == 1 && reference.targets[0].period == TargetPeriod(year: 2024, month: 7))
    }
}
