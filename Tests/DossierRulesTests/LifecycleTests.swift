import Testing
import DossierRules
import LedgerContract
import WorkingTime

/// The domain on its own: the lifecycle, the dossier fold and the scorecard
/// rules, built and tested without any storage.
@Suite struct LifecycleTests {
    @Test func aRequestRemembersWhereItsAnswerReturns() {
        var stage = DossierStage.new, resume = DossierStage.new
        for type: EventType in [.dossierSubmitted, .dossierReceived, .dossierAssigned, .dossierSupplementRequested] {
            #expect(Lifecycle.allows(type, in: stage), "\(type.name) in \(stage.name)")
            Lifecycle.advance(type, stage: &stage, resume: &resume)
        }
        #expect(stage == .awaitingSupplement)
        #expect(!Lifecycle.allows(.dossierProcessed, in: stage))
        Lifecycle.advance(.dossierSupplementReceived, stage: &stage, resume: &resume)
        #expect(stage == .inProgress, "back to the stage the request was made in")
        Lifecycle.advance(.dossierProcessed, stage: &stage, resume: &resume)
        #expect(!stage.isFinal && stage.hasResult)
        #expect(Lifecycle.allowedStages(for: .dossierResultReturned) == [.processed])
        #expect(Lifecycle.allowedStages(for: .scorecardDefined).isEmpty, "reference data is in no dossier's stream")
    }

    @Test func theFoldKeepsWaitsComplaintsAndTheirInstants() {
        var reference = ReferenceData()
        let definition = JSONObject(members: [
            JSONMember(key: "code", value: .string("P")), JSONMember(key: "name", value: .string("Thủ tục")),
            JSONMember(key: "processingHours", value: .int(4)), JSONMember(key: "online", value: .string("none")),
            JSONMember(key: "steps", value: .array([.object(JSONObject(members: [
                JSONMember(key: "name", value: .string("Xử lý")), JSONMember(key: "budgetHours", value: .int(4))]))])),
        ])
        #expect(throws: Never.self) { try reference.apply(Event(type: .procedureDefined, at: Timestamp(seconds: 0, offsetMinutes: 420), data: definition), seq: 1) }
        var state = DossierState(code: "D")
        var seq: UInt64 = 1
        func event(_ type: EventType, at: Int64, _ set: (inout DossierEvent) -> Void = { _ in }) {
            seq += 1
            var e = DossierEvent(type: type, seq: seq, version: UInt32(seq - 1), at: at, recordedAt: at, actor: "o1")
            set(&e)
            state.apply(e, reference: reference)
        }
        event(.dossierReceived, at: 1_000) { $0.procedure = "P"; $0.agency = "X"; $0.channel = "direct" }
        event(.dossierObligationRequested, at: 2_000)
        event(.dossierObligationFulfilled, at: 3_000)
        event(.dossierComplaintFiled, at: 4_000)
        #expect(state.stage == .received)
        #expect(state.pauses.isEmpty, "the procedure's obligations do not stop the clock")
        #expect(state.obligationWaits.map { [$0.start, $0.end] } == [[2_000, 3_000]])
        #expect(state.wait(before: 2_500)?.reason == .obligation)
        #expect(state.wait(before: 3_500) == nil)
        #expect(state.complaints.map { [$0.at, Int64($0.seq)] } == [[4_000, 5]])
        #expect(state.processingSeconds == 4 * 3600)
    }

    @Test func scorecardRulesAreCheckedBeforeTheyApply() throws {
        func rules(_ indicators: [JSONValue], bands: JSONValue? = nil) throws(RuleViolation) -> ScorecardRules {
            var members = [JSONMember(key: "name", value: .string("T")), JSONMember(key: "indicators", value: .array(indicators))]
            if let bands { members.append(JSONMember(key: "bands", value: bands)) }
            return try ScorecardRules(defining: JSONObject(members: members), at: 0, seq: 1)
        }
        func indicator(_ measure: String, points: Double = 5, target: Double? = nil) -> JSONValue {
            var m = [JSONMember(key: "code", value: .string("C-\(measure)")), JSONMember(key: "measure", value: .string(measure)),
                     JSONMember(key: "group", value: .string("g")), JSONMember(key: "points", value: .double(points))]
            if let target { m.append(JSONMember(key: "target", value: .double(target))) }
            return .object(JSONObject(members: m))
        }
        let ok = try rules([indicator("satisfaction", target: 0.9)])
        #expect(ok.indicators.first?.points(at: 0.45) == 2.5)
        #expect(ok.indicators.first?.points(at: nil) == nil)
        #expect(ok.band(scorePercent: 89.9) == "yellow")
        #expect(throws: RuleViolation.self) { try rules([indicator("speed")]) }
        #expect(throws: RuleViolation.self) { try rules([indicator("satisfaction", points: -1)]) }
        #expect(throws: RuleViolation.self) { try rules([indicator("satisfaction", target: 1.01)]) }
        let unordered = JSONValue.object(JSONObject(members: [JSONMember(key: "green", value: .int(70)), JSONMember(key: "yellow", value: .int(80))]))
        #expect(throws: RuleViolation.self) { try rules([indicator("satisfaction")], bands: unordered) }
        var reference = ReferenceData()
        #expect(reference.scorecard(forPeriodEndingAt: 10).name == ScorecardRules.national.name)
        #expect(ScorecardRules.national.indicators.reduce(0) { $0 + $1.points } == 56)
        try reference.apply(Event(type: .scorecardDefined, at: Timestamp(seconds: 100, offsetMinutes: 420),
                                  data: JSONObject(members: [JSONMember(key: "name", value: .string("T")),
                                                             JSONMember(key: "indicators", value: .array([indicator("satisfaction")]))])), seq: 2)
        #expect(reference.scorecard(forPeriodEndingAt: 100).name == ScorecardRules.national.name, "in force from its at, not before")
        #expect(reference.scorecard(forPeriodEndingAt: 101).name == "T")
    }
}
