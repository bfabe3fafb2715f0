import Foundation
import Testing
import DossierRules
import LedgerStore
import LedgerContract
import WorkingTime
@testable import Projections

/// Form 06a, the scorecard and the deadline warnings against hand-worked
/// cases of REPORTS.md (times local, UTC+7; the fixture's 2024 calendar).
///
/// The dossiers of H40.22 (and one of its commune H40.22.01), with the
/// fixture's procedures 1.004227 (3 working days, offered online in full)
/// and 2.000001 (4 working hours, partly online) and a commune procedure
/// 3.000001 (1 day, not online):
/// - A: 2.000001, received Fri 29 Mar 09:00 (due 14:30), processed Mon 1 Apr: received in Q1, late in Q2.
/// - B: 1.004227 online, two supplement requests, processed early: early in 06a, late for the portal.
/// - C: 2.000001, received Thu 28 Mar (due 14:30), supplement asked Fri after the due instant: paused and overdue at Q1's end.
/// - D: 1.004227, supplement asked an hour after reception, still waiting at Q1's end (paused, not due), withdrawn in Q2.
/// - E: withdrawn the day it was received.
/// - F: online, fee paid online, on time, result digitised, rated 2.
/// - G: fee paid at the counter, on time, a complaint a week later.
/// - H: input digitised, on time, rated 5: the one satisfied dossier.
/// - J: 1.004227 received Fri 29 Mar 16:00 (due Wed 3 Apr 16:00): in progress, not due at Q1's end; early in Q2.
/// - K: submitted online and rejected before reception: counted nowhere.
/// - L: the commune's, 3.000001, processed early.
@Suite struct ReportTests {
    static func instant(_ local: String) -> Int64 { try! Timestamp(rfc3339: local + "+07:00").seconds }

    static let extraReference = [
        #"{"type":"agency.registered","at":"2024-01-01T00:00:00+07:00","data":{"code":"H40.22.01","name":"UBND xã Cam Hải Tây","level":"commune","parent":"H40.22"}}"#,
        #"{"type":"officer.registered","at":"2024-01-01T00:00:00+07:00","data":{"id":"cb-004","name":"Phạm Thu Hà","agency":"H40.22.01"}}"#,
        #"{"type":"procedure.defined","at":"2024-01-01T00:00:00+07:00","data":{"code":"3.000001","name":"Chứng thực bản sao","processingDays":1,"online":"none","steps":[{"name":"Tiếp nhận","budgetHours":2},{"name":"Xử lý","budgetHours":6}]}}"#,
    ]

    static func received(_ d: String, _ at: String, _ procedure: String, _ channel: String, agency: String = "H40.22") -> String {
        Fixture.event("dossier.received", d, at, #"{"procedure":"\#(procedure)","agency":"\#(agency)","channel":"\#(channel)"}"#)
    }
    static func processed(_ d: String, _ at: String) -> String { Fixture.event("dossier.processed", d, at, #"{"outcome":"approved"}"#) }
    static func supplement(_ d: String, _ at: String) -> String {
        Fixture.event("dossier.supplement_requested", d, at, #"{"items":["Bản vẽ"],"reason":"thiếu"}"#)
    }
    static func supplied(_ d: String, _ at: String) -> String { Fixture.event("dossier.supplement_received", d, at, actor: nil) }
    static func withdrawn(_ d: String, _ at: String) -> String { Fixture.event("dossier.withdrawn", d, at, actor: nil, #"{"reason":"rút"}"#) }
    static func digitised(_ d: String, _ at: String, _ part: String) -> String { Fixture.event("dossier.digitised", d, at, #"{"part":"\#(part)"}"#) }
    static func fee(_ d: String, _ at: String, online: Bool) -> String {
        Fixture.event("dossier.fee_paid", d, at, actor: nil, #"{"amount":50000,"online":\#(online)}"#)
    }
    static func rated(_ d: String, _ at: String, _ score: Int) -> String { Fixture.event("dossier.rated", d, at, actor: nil, #"{"score":\#(score)}"#) }

    static let dossiers: [String] = [
        received("A", "2024-03-29T09:00:00", "2.000001", "direct"), processed("A", "2024-04-01T09:00:00"),
        received("B", "2024-03-04T09:00:00", "1.004227", "online"),
        supplement("B", "2024-03-04T10:00:00"), supplied("B", "2024-03-04T11:00:00"),
        supplement("B", "2024-03-04T13:30:00"), supplied("B", "2024-03-04T14:00:00"),
        processed("B", "2024-03-05T10:00:00"),
        received("C", "2024-03-28T09:00:00", "2.000001", "direct"), supplement("C", "2024-03-29T09:00:00"),
        supplied("C", "2024-04-02T09:00:00"), processed("C", "2024-04-02T10:00:00"),
        received("D", "2024-03-28T09:00:00", "1.004227", "direct"), supplement("D", "2024-03-28T10:00:00"),
        withdrawn("D", "2024-04-10T09:00:00"),
        received("E", "2024-03-11T09:00:00", "2.000001", "direct"), withdrawn("E", "2024-03-11T10:00:00"),
        received("F", "2024-03-12T09:00:00", "2.000001", "online"), fee("F", "2024-03-12T09:30:00", online: true),
        processed("F", "2024-03-12T10:00:00"), digitised("F", "2024-03-12T10:30:00", "result"), rated("F", "2024-03-13T09:00:00", 2),
        received("G", "2024-03-13T09:00:00", "2.000001", "direct"), fee("G", "2024-03-13T09:30:00", online: false),
        processed("G", "2024-03-13T10:00:00"),
        Fixture.event("dossier.complaint_filed", "G", "2024-03-20T09:00:00", actor: nil, #"{"text":"Chậm trả lời"}"#),
        received("H", "2024-03-14T09:00:00", "2.000001", "direct"), digitised("H", "2024-03-14T09:05:00", "input"),
        processed("H", "2024-03-14T10:00:00"), rated("H", "2024-03-14T11:00:00", 5),
        received("J", "2024-03-29T16:00:00", "1.004227", "direct"), processed("J", "2024-04-02T09:00:00"),
        digitised("J", "2024-04-02T09:30:00", "result"),
        Fixture.event("dossier.submitted", "K", "2024-03-15T09:00:00", actor: nil, #"{"procedure":"2.000001","agency":"H40.22","channel":"online"}"#),
        Fixture.event("dossier.rejected", "K", "2024-03-15T10:00:00", #"{"reason":"sai thẩm quyền"}"#),
        received("L", "2024-03-18T09:00:00", "3.000001", "direct", agency: "H40.22.01"), processed("L", "2024-03-18T15:00:00"),
    ]

    /// Another scorecard from 1 April 2024: only progress and result digitisation, other bands.
    static let midYearScorecard = #"{"type":"scorecard.defined","at":"2024-04-01T00:00:00+07:00","data":{"name":"Khánh Hòa 2024","indicators":[{"code":"P1","measure":"on_time_share","group":"progress","points":10,"target":1},{"code":"D1","measure":"result_digitised","group":"digitisation","points":10,"target":0.5}],"bands":{"green":80,"yellow":60,"orange":40}}}"#

    func ledger(scorecard: Bool = false) throws -> TemporaryLedger {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference + Self.extraReference + (scorecard ? [Self.midYearScorecard] : []))
        try t.append(Self.dossiers)
        return t
    }

    func tally(_ t: TemporaryLedger, _ kind: KPIPeriod = .quarter, asOf: String = "2024-07-01T00:00:00") throws -> (ReportTally, ReferenceData) {
        try t.ledger.store.read { txn in
            let reference = try t.ledger.reference(in: txn)
            var tally = ReportTally(periods: ReportPeriods(kind: kind, calendar: reference.calendar, asOf: Self.instant(asOf)))
            try t.ledger.forEachDossier(in: txn) { tally.add($0, reference: reference) }
            return (tally, reference)
        }
    }

    func columns(_ row: Form06aRow?) -> [String: Int64] {
        guard let row else { return [:] }
        var out: [String: Int64] = [:]
        for c in ReportCount.form06a where row[c] != 0 { out[c.name] = row[c] }
        return out
    }

    @Test func everyColumnOfForm06a() throws {
        let t = try ledger()
        let (tally, reference) = try tally(t)
        let rows = tally.form06aRows(reference: reference)
        let q1 = rows.first { $0.agency == "H40.22" && $0.period == "2024-Q1" }
        #expect(columns(q1) == ["receivedOnline": 2, "receivedDirect": 7, "processedEarly": 1, "processedOnTime": 3,
                                "endedOtherwise": 1, "inProgressNotDue": 1, "inProgressOverdue": 1, "pausedNotDue": 1, "pausedOverdue": 1])
        let q2 = rows.first { $0.agency == "H40.22" && $0.period == "2024-Q2" }
        #expect(columns(q2) == ["carriedOver": 4, "processedEarly": 1, "processedLate": 2, "endedOtherwise": 1])
        #expect(columns(rows.first { $0.agency == "H40.22.01" && $0.period == "2024-Q1" }) == ["receivedDirect": 1, "processedEarly": 1])
        #expect(rows.count == 3, "nothing after Q2, no row for the rejected submission's agency alone")
        #expect(rows.allSatisfy { $0.balances })

        // Months: A and C are received in March, carried into April.
        let months = try self.tally(t, .month).0.form06aRows(reference: reference, agency: "H40.22")
        #expect(columns(months.first { $0.period == "2024-04" }) == ["carriedOver": 4, "processedEarly": 1, "processedLate": 2, "endedOtherwise": 1])
        #expect(months.map(\.period) == ["2024-03", "2024-04"])
    }

    @Test func rollupAddsTheAgenciesUnderneath() throws {
        let t = try ledger()
        let (tally, reference) = try tally(t)
        let own = tally.form06aRows(reference: reference)
        let rolled = tally.form06aRows(reference: reference, rollup: true)
        for period in ["2024-Q1", "2024-Q2"] {
            let sum = own.filter { $0.period == period }.reduce([Int64](repeating: 0, count: 12)) { acc, row in zip(acc, row.columns).map(+) }
            #expect(rolled.first { $0.agency == "H40" && $0.period == period }?.columns == sum)
            #expect(rolled.first { $0.agency == "H40.22" && $0.period == period }?.columns == sum)
        }
        #expect(rolled.first { $0.agency == "H40.22.01" && $0.period == "2024-Q1" }?[.receivedDirect] == 1)
        let byProcedure = tally.form06aRows(reference: reference, agency: "H40.22", byProcedure: true)
        #expect(byProcedure.first { $0.procedure == "1.004227" && $0.period == "2024-Q1" }.map(columns) ==
                ["receivedOnline": 1, "receivedDirect": 2, "processedEarly": 1, "inProgressNotDue": 1, "pausedNotDue": 1])
    }

    @Test func everyIndicatorOfTheScorecard() throws {
        let t = try ledger()
        let (tally, reference) = try tally(t)
        let rows = tally.scorecardRows(reference: reference)
        let q1 = try #require(rows.first { $0.agency == "H40.22" && $0.period == "2024-Q1" })
        func indicator(_ code: String) -> IndicatorScore? { q1.indicators.first { $0.indicator.code == code } }
        // P1: F, G, H on time for the portal (B is not: two supplement requests) + J and D open and not due
        //     ÷ B, F, G, H processed + A, C, D, J open at the end.
        #expect(indicator("P1").map { [$0.numerator, $0.denominator] } == [5, 8])
        #expect(indicator("P1")?.points == 12.5)
        // O1, O2: both procedures received are offered online, and both had an online dossier.
        #expect(indicator("O1").map { [$0.numerator, $0.denominator] } == [2, 2])
        #expect(indicator("O2").map { [$0.numerator, $0.denominator] } == [2, 2])
        // O3: B and F online of the nine received; target 50 %.
        #expect(indicator("O3").map { [$0.numerator, $0.denominator] } == [2, 9])
        #expect(abs((indicator("O3")?.points ?? 0) - 6 * (2.0 / 9) / 0.5) < 1e-9)
        // T1, T2: one procedure with fees, one of them paid online; one of two fees online.
        #expect(indicator("T1").map { [$0.numerator, $0.denominator] } == [1, 1])
        #expect(indicator("T2").map { [$0.numerator, $0.denominator] } == [1, 2])
        // D1: F's result of four processed; D2: H's input of nine received.
        #expect(indicator("D1").map { [$0.numerator, $0.denominator] } == [1, 4])
        #expect(indicator("D2").map { [$0.numerator, $0.denominator] } == [1, 9])
        // S1: of B, F, G, H only H (B late for the portal, F rated 2, G complained about).
        #expect(indicator("S1").map { [$0.numerator, $0.denominator] } == [1, 4])
        let expected = 12.5 + 2 + 4 + 6 * (2.0 / 9) / 0.5 + 2 + 3 + 1.5 + 4 * (1.0 / 9) / 0.8 + 6 * 0.25 / 0.9
        #expect(abs(q1.score - expected) < 1e-9)
        #expect(q1.measuredMax == 56)
        #expect(q1.band == "orange")
        // The commune: only its own dossier; its procedure is not online, so O2 and O3 are not measured.
        let commune = try #require(rows.first { $0.agency == "H40.22.01" && $0.period == "2024-Q1" })
        #expect(commune.indicators.first { $0.indicator.code == "O1" }.map { [$0.numerator, $0.denominator] } == [0, 1])
        #expect(commune.indicators.first { $0.indicator.code == "O3" }?.ratio == nil)
        #expect(commune.measuredMax == 56 - 4 - 6 - 2 - 6, "O2, O3, T1, T2 not measured; D2 measured (0 of 1)")
        // Ranked within the period by percentage.
        let ranked = rows.filter { $0.period == "2024-Q1" }
        #expect(ranked.map(\.rank) == Array(1..<(ranked.count + 1)))
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.scorePercent >= $1.scorePercent })

        // Roll-up sums counts (pairs of the agencies underneath are pairs too), never averages.
        let rolled = try #require(tally.scorecardRows(reference: reference, agency: "H40", rollup: true).first { $0.period == "2024-Q1" })
        func counts(_ code: String) -> [Int64]? { rolled.indicators.first { $0.indicator.code == code }.map { [$0.numerator, $0.denominator] } }
        #expect(counts("P1") == [6, 9])
        #expect(counts("O1") == [2, 3])
        #expect(counts("D2") == [1, 10])
        #expect(counts("S1") == [2, 5])
    }

    @Test func aScorecardDefinedMidYearScoresThePeriodsEndingAfterIt() throws {
        let t = try ledger(scorecard: true)
        let (tally, reference) = try tally(t)
        let rows = tally.scorecardRows(reference: reference, agency: "H40.22")
        let q1 = try #require(rows.first { $0.period == "2024-Q1" })
        #expect(q1.rules.name == ScorecardRules.national.name, "the new rules start at Q1's end, not before it")
        let q2 = try #require(rows.first { $0.period == "2024-Q2" })
        #expect(q2.rules.name == "Khánh Hòa 2024")
        #expect(q2.indicators.map(\.indicator.code) == ["P1", "D1"])
        // P1: J on time of A, C, J processed (none open at the end); D1: J's result of three, target 50 %.
        #expect(q2.indicators.map { [$0.numerator, $0.denominator] } == [[1, 3], [1, 3]])
        #expect(abs(q2.score - (10.0 / 3 + 10 * (1.0 / 3) / 0.5)) < 1e-9)
        #expect(q2.measuredMax == 20)
        #expect(abs(q2.scorePercent - 50) < 1e-9)
        #expect(q2.band == "orange", "the new bands: orange from 40 %")
    }

    @Test func badScorecardDefinitionsAreRefusedNamingTheRule() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        func refusal(_ data: String) -> String? {
            t.refusal(#"{"type":"scorecard.defined","at":"2024-04-01T00:00:00+07:00","data":\#(data)}"#)
        }
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"speed","group":"g","points":1}]}"#)?.contains("not a known measure") == true)
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":-1}]}"#)?.contains("points must be a number ≥ 0") == true)
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":1,"target":1.5}]}"#)?.contains("target must be a fraction in (0, 1]") == true)
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":1,"target":0}]}"#)?.contains("target must be a fraction in (0, 1]") == true)
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":1}],"bands":{"green":50,"yellow":75,"orange":40}}"#)?.contains("bands must be ordered") == true)
        #expect(refusal(#"{"name":"x","indicators":[]}"#)?.contains("data.indicators") == true)
        #expect(refusal(#"{"name":"x","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":1},{"code":"P1","measure":"satisfaction","group":"g","points":1}]}"#)?.contains("twice") == true)
        #expect(try t.ledger.store.read { txn in try t.ledger.reference(in: txn).scorecards }.isEmpty)
        #expect(refusal(#"{"name":"ok","indicators":[{"code":"P1","measure":"on_time_share","group":"g","points":1}]}"#) == nil)
    }

    @Test func explainListsExactlyTheDossiersBehindEachFigure() throws {
        let t = try ledger()
        let (tally, reference) = try tally(t)
        func explained(_ parts: [(String, ReportPart)], agency: String? = "H40.22", rollup: Bool = false) throws -> [ExplainedCount] {
            try t.ledger.store.read { txn in
                var e = ReportExplainer(periods: tally.periods, agency: agency, rollup: rollup, parts: { _ in parts })
                try t.ledger.forEachDossier(in: txn) { e.add($0, reference: reference) }
                return e.explained()
            }
        }
        let p1 = try explained([("numerator", ScorecardMeasure.onTimeShare.numerator), ("denominator", ScorecardMeasure.onTimeShare.denominator)])
        let q1 = p1.filter { $0.period == "2024-Q1" }
        #expect(Set(q1.filter { $0.part == "numerator" }.map(\.dossier)) == ["F", "G", "H", "J", "D"])
        #expect(Set(q1.filter { $0.part == "denominator" }.map(\.dossier)) == ["B", "F", "G", "H", "A", "C", "D", "J"])
        #expect(q1.filter { $0.part == "denominator" }.count == 8)
        let paused = try #require(q1.first { $0.dossier == "C" && $0.part == "denominator" })
        #expect(paused.count == .pausedOverdue)
        #expect(paused.at == Self.instant("2024-03-29T09:00:00"), "the supplement request that paused it")
        #expect(paused.dueAt == Self.instant("2024-03-28T14:30:00"))
        // A pair indicator lists each pair once, by its first dossier.
        let o1 = try explained([("denominator", ScorecardMeasure.proceduresOnline.denominator)]).filter { $0.period == "2024-Q1" }
        #expect(o1.map(\.dossier).sorted() == ["B", "E"])
        let late = try explained([("processedLate", .dossiers([.processedLate]))]).filter { $0.period == "2024-Q2" }
        #expect(late.map(\.dossier).sorted() == ["A", "C"])
        #expect(late.first { $0.dossier == "A" }?.seq != nil)

        // On every figure of every row: as many lines as the figure says.
        let rows = tally.scorecardRows(reference: reference, rollup: true)
        for measure in ScorecardMeasure.allCases {
            let lines = try explained([("numerator", measure.numerator), ("denominator", measure.denominator)], agency: nil, rollup: true)
            for row in rows {
                guard let s = row.indicators.first(where: { $0.indicator.measure == measure }) else { continue }
                let mine = lines.filter { $0.agency == row.agency && $0.periodIndex == row.periodIndex }
                #expect(Int64(mine.filter { $0.part == "numerator" }.count) == s.numerator, "\(measure) \(row.agency) \(row.period)")
                #expect(Int64(mine.filter { $0.part == "denominator" }.count) == s.denominator, "\(measure) \(row.agency) \(row.period)")
            }
        }
    }

    @Test func deadlineBucketsAtAnInstant() throws {
        let t = try ledger()
        let reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        func warnings(at local: String) throws -> [String: DeadlineWarning] {
            var out: [String: DeadlineWarning] = [:]
            _ = try t.ledger.store.read { txn in
                try KeyOrderFold.forEachDossier(t.ledger, in: txn, include: { at, _ in at.seconds <= Self.instant(local) }) { state, _ in
                    if let w = state.deadlineWarning(at: Self.instant(local), reference: reference) { out[state.code] = w }
                }
            }
            return out
        }
        // Thu 28 Mar 14:00: C is due at 14:30 (due soon, half an hour left); D waits for a supplement asked
        // an hour into its 24 working hours (not due, the clock stopped with 23 hours left).
        let thursday = try warnings(at: "2024-03-28T14:00:00")
        #expect(thursday.keys.sorted() == ["C", "D"])
        #expect(thursday["C"].map { [$0.bucket.rawValue, "\($0.secondsLeft)"] } == ["due_soon", "1800"])
        #expect(thursday["D"].map { ($0.bucket, $0.secondsLeft, $0.dueAt, $0.paused) } ?? (.overdue, 0, 0, false) == (.notDue, 23 * 3600, nil, true))
        // Fri 29 Mar 10:00: C is overdue (its pause began after the due instant): 2.5 h Thursday + 2.5 h Friday.
        // A, received at 09:00 and due at 14:30, has 3 working hours left.
        let friday = try warnings(at: "2024-03-29T10:00:00")
        #expect(friday["C"]?.bucket == .overdue)
        #expect(friday["C"]?.secondsLeft == -5 * 3600)
        #expect(friday["A"].map { ($0.bucket, $0.secondsLeft) } ?? (.overdue, 0) == (.dueSoon, 3 * 3600))
        #expect(try warnings(at: "2024-03-29T10:00:00").values.sorted(by: DeadlineWarning.moreUrgent).map(\.dossier) == ["C", "A", "D"])
        #expect(friday["A"]?.holder == nil)
    }

    @Test func theWarningFeedReportsCrossingsByEventsAndByTime() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference, recordedAt: "2024-01-01T00:00:00+07:00")   // an event acts at its recordedAt
        // 2.000001 (4 working hours) received Thu 28 Mar 09:00, due 14:30; the window is 2 working hours.
        try t.append([Self.received("C", "2024-03-28T09:00:00", "2.000001", "direct")])
        var watch = try DeadlineWatch(ledger: t.ledger, through: 0, clock: 0, window: 2 * 3600)
        var crossings: [DeadlineWatch.Crossing] = []
        func catchUp() throws {
            try t.ledger.store.read { txn in
                try t.ledger.store.forEachRecord(from: watch.position + 1, in: txn) { seq, raw in
                    crossings += try watch.apply(try RecordView(raw, seq: seq), ledger: t.ledger, in: txn)
                    return true
                }
            }
        }
        try catchUp()
        #expect(crossings.isEmpty)
        // Time alone: due soon at 11:00 (2 working hours left: 11:00–11:30 and 13:00–14:30), overdue just after 14:30.
        crossings += try watch.advance(to: Self.instant("2024-03-29T08:00:00"))
        #expect(crossings.map { "\($0.from?.rawValue ?? "-")→\($0.to?.rawValue ?? "ended") \($0.cause)" } == ["not_due→due_soon time", "due_soon→overdue time"])
        #expect(crossings.map(\.at) == [Self.instant("2024-03-28T11:00:00"), Self.instant("2024-03-28T14:30:01")])
        // An event: processed, it leaves the overdue bucket.
        try t.append([Self.processed("C", "2024-03-29T09:00:00")])
        crossings = []
        try catchUp()
        #expect(crossings.map { "\($0.from?.rawValue ?? "-")→\($0.to?.rawValue ?? "ended") \($0.cause)" } == ["overdue→ended event"])
        #expect(crossings.first?.seq == 10)
        #expect(crossings.first?.id == "C:ended:seq10")
    }

    @Test func lateReceptionIsAfterTheDeadlineInstant() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        func submittedAndReceived(_ d: String, _ submitted: String, _ received: String) -> [String] {
            [Fixture.event("dossier.submitted", d, submitted, actor: nil, #"{"procedure":"2.000001","agency":"H40.22","channel":"online"}"#),
             Self.received(d, received, "2.000001", "online")]
        }
        // Submitted Mon 4 Mar 18:05: the deadline is Tue 17:00 (8 working hours).
        try t.append(submittedAndReceived("WED", "2024-03-04T18:05:00", "2024-03-06T00:05:00")   // no working time after the deadline, still late
                     + submittedAndReceived("EVE", "2024-03-04T18:05:00", "2024-03-05T17:30:00")   // outside hours, after the deadline
                     + submittedAndReceived("OK", "2024-03-04T18:05:00", "2024-03-05T17:00:00"))   // at the deadline
        let reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        for (code, late) in [("WED", true), ("EVE", true), ("OK", false)] {
            let state = try t.ledger.store.read { txn in try t.ledger.dossier(code, in: txn)! }
            let codes = state.violations(reference: reference, asOf: Self.instant("2024-03-10T00:00:00")).map(\.code)
            #expect(codes.contains(.lateReception) == late, "\(code)")
        }
    }

    /// The books balance on every row of a generated province, and a roll-up
    /// row is its agency's own row plus the roll-up rows of the agencies directly under it.
    @Test func theBooksBalanceOnAGeneratedProvince() throws {
        let t = try TemporaryLedger.generatedProvince(dossiers: 3000, seed: 11)
        let (tally, reference) = try tally(t, .month, asOf: "2025-11-15T12:00:00")
        let own = tally.form06aRows(reference: reference)
        let rolled = tally.form06aRows(reference: reference, rollup: true)
        #expect(own.count > 50)
        #expect(own.allSatisfy { $0.balances })
        #expect(rolled.allSatisfy { $0.balances })
        let zero = [Int64](repeating: 0, count: 12)
        func row(_ rows: [Form06aRow], _ agency: String, _ period: Int) -> [Int64] {
            rows.first { $0.agency == agency && $0.periodIndex == period }?.columns ?? zero
        }
        for r in rolled {
            let children = reference.agencies.values.filter { $0.parent == r.agency }.map(\.code)
            let expected = children.reduce(row(own, r.agency, r.periodIndex)) { acc, child in zip(acc, row(rolled, child, r.periodIndex)).map(+) }
            #expect(r.columns == expected, "\(r.agency) \(r.period)")
        }
        // The scorecard has something measured for the province every month, complaints included.
        let scores = tally.scorecardRows(reference: reference, rollup: true)
        let top = reference.agencies.values.first { $0.parent == nil }!.code
        #expect(scores.filter { $0.agency == top }.count >= 10)
    }
}
