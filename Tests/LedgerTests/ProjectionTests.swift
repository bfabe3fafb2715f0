import Testing
import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import WorkingTime
@testable import Projections

/// The projections against hand-worked cases of DOMAIN.md (times local, UTC+7).
@Suite struct ProjectionTests {
    static func instant(_ local: String) -> Int64 { try! Timestamp(rfc3339: local + "+07:00").seconds }

    func state(_ t: TemporaryLedger, _ code: String) throws -> (DossierState, ReferenceData) {
        try t.ledger.store.read { txn in (try t.ledger.dossier(code, in: txn)!, try t.ledger.reference(in: txn)) }
    }

    @Test func theFixtureDossierIsLateWithItsPausesAndApology() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let (a, reference) = try state(t, "H40.22-240304-0001")
        let calendar = reference.calendar
        // Received Mon 4 Mar 09:15, 3 days = 24 working hours. Supplement pause Mon 14:00 → Tue 10:00;
        // obligation pause (the procedure says so) Tue 15:00 → 16:00:05.
        // Used: Mon 3:15, Tue 1:30 + 2:00 + 0:59:55, Wed 8, Thu 8 = 23:44:55; Fri 07:30 + 0:15:05.
        #expect(a.dueInstant(calendar: calendar) == Self.instant("2024-03-08T07:45:05"))
        #expect(a.outcome(calendar: calendar) == .late)
        #expect(a.stage == .returned)
        #expect(a.supplementRequests == 1)
        let violations = a.violations(reference: reference, asOf: Self.instant("2024-03-20T00:00:00"))
        #expect(violations.map(\.code).filter { $0 != .backdatedEntry } == [.late, .stepOverdue])
        // The apology (Thu 7 Mar) came before the due instant: late, but not late without apology.
        let step = violations.first { $0.code == .stepOverdue }!
        // cb-003 held "Phê duyệt" Wed 6 Mar 09:00 → Mon 11 Mar 10:30: 6.5 + 8 + 8 + 3 = 25.5 h against 4 h.
        #expect(step.officer == "cb-003")
        #expect(step.step == "Phê duyệt")
        #expect(step.heldHours == 25.5)
        #expect(step.evidence == [18, 20])
        #expect(violations.first { $0.code == .late }?.evidence == [10, 20])
    }

    /// An agency code spelled with a combining accent and the same code with
    /// the precomposed letter are two keys of the day counters, live and
    /// rebuilt alike (a table's keys are bytes), while the rules find the
    /// agency registered under either spelling.
    @Test func anAgencySpelledTwoWaysCountsUnderEachSpelling() throws {
        let t = try TemporaryLedger()
        let composed = "H40.\u{DA}", combining = "H40.U\u{301}"
        try t.append(Fixture.reference + [
            #"{"type":"agency.registered","at":"2024-01-01T00:00:00+07:00","data":{"code":"\#(composed)","name":"UBND xã Ú","level":"commune","parent":"H40.22"}}"#,
            #"{"type":"officer.registered","at":"2024-01-01T00:00:00+07:00","data":{"id":"cb-u","name":"Lê Văn Út","agency":"\#(composed)"}}"#,
        ])
        func received(_ code: String, _ agency: String) -> String {
            Fixture.event("dossier.received", code, "2024-03-05T09:00:00", actor: "cb-u", #"{"procedure":"1.004227","agency":"\#(agency)","channel":"direct"}"#)
        }
        try t.append([received("D-1", composed), received("D-2", combining)])
        func agencies() throws -> [[UInt8]] {
            try t.ledger.read { snapshot in
                var keys: [[UInt8]] = []
                try snapshot.forEachKPIDay { key, _ in if Array(key.agency.utf8) != Array("H40.22".utf8) { keys.append(Array(key.agency.utf8)) } }
                return keys
            }
        }
        let live = try agencies()
        #expect(Set(live) == [Array(composed.utf8), Array(combining.utf8)])
        #expect(try t.ledger.projectionDifferences().isEmpty)
        try t.ledger.rebuildProjections()
        #expect(try agencies() == live)
    }

    /// The projection check of `verify` names a day's KPI counters that
    /// differ from the fold of the log, and a day missing from them.
    @Test func theProjectionCheckNamesKPICountersThatDifferFromTheFold() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        #expect(try t.ledger.projectionDifferences().isEmpty)
        let (changed, removed) = try t.ledger.store.environment.write { txn -> (KPIKey, KPIKey) in
            let live = try t.ledger.projections(in: txn)
            var days: [(key: KPIKey, counters: KPICounters)] = []
            try txn.withCursor(live.kpiDays) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    days.append((try #require(KPIKey(e.key)), try KPICounters(decoding: e.value)))
                    entry = try cursor.next()
                }
            }
            try #require(days.count >= 2)
            var more = days[0].counters
            more.values[0] += 1
            try txn.put(live.kpiDays, key: days[0].key.bytes, value: more.encoded())
            _ = try txn.delete(live.kpiDays, key: days[1].key.bytes)
            return (days[0].key, days[1].key)
        }
        let differences = try t.ledger.projectionDifferences()
        #expect(differences.contains { $0.hasPrefix("KPI \(changed.agency) day \(changed.day): live") }, "\(differences)")
        #expect(differences.contains("KPI \(removed.agency) day \(removed.day): missing from the live counters"), "\(differences)")
        #expect(differences.count == 2, "\(differences)")
    }

    @Test func voidingAnEventRefoldsTheDossierWithoutIt() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let (e, _) = try state(t, "H40.22-240306-0001")
        #expect(e.version == 5)
        #expect(e.voided == [33])
        #expect(e.holdings.map(\.officer) == ["cb-002"])
        #expect(e.currentHolding?.step == "Thẩm định")
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }

    @Test func earlyOnTimeAndLateOutcomes() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        // 2.000001 takes 4 working hours.
        try t.append([
            // Tue 09:00 → due 14:30; processed 14:00: on time.
            Fixture.received("ON", "2024-03-05T09:00:00", procedure: "2.000001"),
            Fixture.event("dossier.processed", "ON", "2024-03-05T14:00:00", #"{"outcome":"approved"}"#),
            // Mon 16:00 → due Tue 10:30; processed Mon 16:30, before Tuesday's working day: early.
            Fixture.received("EARLY", "2024-03-04T16:00:00", procedure: "2.000001"),
            Fixture.event("dossier.processed", "EARLY", "2024-03-04T16:30:00", #"{"outcome":"denied"}"#),
            // Fri 16:00 → due Mon 10:30; processed Mon 10:30:01: late.
            Fixture.received("LATE", "2024-03-08T16:00:00", procedure: "2.000001"),
            Fixture.event("dossier.processed", "LATE", "2024-03-11T10:30:01", #"{"outcome":"approved"}"#),
        ])
        let (on, reference) = try state(t, "ON")
        #expect(on.dueInstant(calendar: reference.calendar) == Self.instant("2024-03-05T14:30:00"))
        #expect(on.outcome(calendar: reference.calendar) == .onTime)
        #expect(try state(t, "EARLY").0.outcome(calendar: reference.calendar) == .early)
        let late = try state(t, "LATE").0
        #expect(late.dueInstant(calendar: reference.calendar) == Self.instant("2024-03-11T10:30:00"))
        #expect(late.outcome(calendar: reference.calendar) == .late)
        let codes = late.violations(reference: reference, asOf: Self.instant("2024-04-01T00:00:00")).map(\.code)
        #expect(codes == [.late, .lateWithoutApology])

        let march = try t.ledger.kpiRows(period: .month, asOf: Self.instant("2024-04-01T00:00:00"))
        #expect(march.count == 1)
        let c = march[0].counters
        #expect(march[0].period == "2024-03")
        #expect((c[.processed], c[.early], c[.onTime], c[.late]) == (3, 1, 1, 1))
        #expect(c.onTimeRate == 2.0 / 3.0)
        #expect(BandThresholds().band(c.onTimeRate) == .orange)   // 66.7 %: orange (≥ 50 %, < 75 %)
    }

    @Test func lateReceptionRepeatedSupplementAndBackdatedEntries() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        try t.append([
            Fixture.event("dossier.submitted", "S", "2024-03-04T08:00:00", actor: nil,
                          #"{"procedure":"1.004227","agency":"H40.22","channel":"online"}"#),
            // Received Wed 10:00: Mon 08:00–17:00 = 7.5 h, Tue 8 h → 15.5 working hours > 8.
            Fixture.event("dossier.received", "S", "2024-03-06T10:00:00", #"{"procedure":"1.004227","agency":"H40.22","channel":"online"}"#),
            Fixture.event("dossier.assigned", "S", "2024-03-06T10:05:00", #"{"to":"cb-002","step":"Thẩm định"}"#),
            Fixture.event("dossier.supplement_requested", "S", "2024-03-06T11:00:00", actor: "cb-002", #"{"items":["a"],"reason":"r"}"#),
            Fixture.event("dossier.supplement_received", "S", "2024-03-07T09:00:00", actor: nil),
            Fixture.event("dossier.supplement_requested", "S", "2024-03-07T10:00:00", actor: "cb-002", #"{"items":["b"],"reason":"r"}"#,
                          recordedAt: "2024-03-11T10:00:00"),
        ])
        let (s, reference) = try state(t, "S")
        let found = s.violations(reference: reference, asOf: Self.instant("2024-03-07T12:00:00"))
        let byCode = Dictionary(grouping: found, by: \.code)
        #expect(byCode[.lateReception]?.first?.evidence == [9, 10])
        #expect(byCode[.repeatedSupplement]?.first?.officer == "cb-002")
        #expect(byCode[.repeatedSupplement]?.first?.evidence == [12, 14])
        #expect(byCode[.backdatedEntry]?.first?.evidence == [14])
        #expect(s.isPaused)
        #expect(s.dueInstant(calendar: reference.calendar) == nil)
        // Inside the 24-hour threshold there is no backdated entry.
        var lenient = ViolationRules()
        lenient.backdatedAfterSeconds = 5 * 24 * 3600
        #expect(!s.violations(reference: reference, asOf: Self.instant("2024-03-07T12:00:00"), rules: lenient).contains { $0.code == .backdatedEntry })
        let kpi = try t.ledger.kpiRows(period: .day, asOf: Self.instant("2024-03-31T00:00:00"))
        #expect(kpi.first { $0.period == "2024-03-06" }?.counters[.repeatedSupplement] == 1)
    }

    @Test func overdueInProgressDependsOnTheInstantAsked() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference)
        // 4 hours from Tue 09:00 → due 14:30.
        try t.append([Fixture.received("O", "2024-03-05T09:00:00", procedure: "2.000001")])
        let (o, reference) = try state(t, "O")
        #expect(!o.violations(reference: reference, asOf: Self.instant("2024-03-05T14:30:00")).contains { $0.code == .overdueInProgress })
        #expect(o.violations(reference: reference, asOf: Self.instant("2024-03-05T14:30:01")).contains { $0.code == .overdueInProgress })
        let rows = try t.ledger.kpiRows(period: .day, from: LocalDate(iso: "2024-03-05"), asOf: Self.instant("2024-03-07T12:00:00"))
        #expect(rows.first { $0.period == "2024-03-05" }?.counters.overdueInProgress == 1)
    }

    @Test func kpiRollsUpToParentsAndSumsPeriods() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let asOf = Self.instant("2024-12-31T00:00:00")
        let own = try t.ledger.kpiRows(rollup: false, period: .quarter, asOf: asOf)
        #expect(own.map { "\($0.agency) \($0.period)" } == ["H40.22 2024-Q1"])
        let rolled = try t.ledger.kpiRows(rollup: true, period: .year, asOf: asOf)
        #expect(rolled.map { "\($0.agency) \($0.period)" } == ["H40 2024", "H40.22 2024"])
        #expect(rolled[0].counters.values == rolled[1].counters.values)
        let c = rolled[0].counters
        #expect(c[.received] == 5)
        #expect(c[.receivedOnlineEligible] == 5)
        #expect(c[.receivedOnline] == 1)
        #expect((c[.feesPaid], c[.feesPaidOnline]) == (1, 1))
        #expect((c[.inputDigitised], c[.resultDigitised]) == (1, 1))
        #expect(c.satisfaction == 5)
        let json = rolled[0].json(bands: [:])
        #expect(json["band"]?.objectValue?["onlinePaymentRate"] == .string("green"))
        #expect(json["band"]?.objectValue?["onTimeRate"] == .string("red"))
    }

    /// Whatever the commits' and the merged batches' sizes (the defaults,
    /// or tiny so that their boundaries fall between any two rows), a
    /// rebuild gives the live projections.
    @Test(arguments: [(1, 1), (2, 3), (3, 2), (Ledger.rowsPerRebuildCommit, RebuiltRows.size)])
    func rebuildEqualsTheLiveProjections(rowsPerCommit: Int, rowsPerBatch: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Array(Fixture.lines()[0..<20]))
        try t.append(Array(Fixture.lines()[20...]))
        #expect(try t.ledger.projectionDifferences().isEmpty)
        let before = try t.ledger.kpiRows(period: .day, asOf: 0).map { $0.counters.values }
        let result = try t.ledger.rebuildProjections(chunkSize: nil, rowsPerCommit: rowsPerCommit, rowsPerBatch: rowsPerBatch) { _ in }
        #expect(result == (35, 5))
        #expect(try t.ledger.kpiRows(period: .day, asOf: 0).map { $0.counters.values } == before)
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }

    /// A rebuild writes the projection set that is not live and switches to
    /// it in its last commit; events appended while it folded its snapshot
    /// are folded into the new set before it goes live.
    @Test(arguments: [1, 2, KeyOrderFold.defaultChunkSize])
    func eventsAppendedDuringARebuildAreInTheNewProjections(chunkSize: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Array(Fixture.lines()[0..<20]))
        let live = try t.ledger.store.read { try t.ledger.liveProjectionSet(in: $0) }
        var appended = false
        let result = try t.ledger.rebuildProjections(chunkSize: chunkSize) { _ in
            guard !appended else { return }
            appended = true
            // Another writer, while the rebuild reads its snapshot: the rest of the fixture and a new dossier.
            _ = try? t.append(Array(Fixture.lines()[20...]) + [Fixture.received("H40.22-240301-0009", "2024-03-20T09:00:00")])
        }
        #expect(appended)
        let head = try t.ledger.store.read { try t.ledger.store.head(in: $0).seq }
        #expect(result.events == head)
        #expect(result.dossiers == 6)
        #expect(try t.ledger.store.read { try t.ledger.liveProjectionSet(in: $0) } == 1 - live)
        #expect(try t.ledger.projectionDifferences().isEmpty)
        #expect(try t.ledger.store.read { txn in try t.ledger.dossier("H40.22-240301-0009", in: txn) }?.stage == .received)
        // The old set was emptied when the new one went live.
        let stale = try t.ledger.store.read { txn in try txn.statistics(t.ledger.tables.sets[live].dossierStates).entries }
        #expect(stale == 0)
    }

    /// The fold `rebuild`, `verify` and the replays use visits the dossiers
    /// in the codes' key order, a chunk at a time; whatever the chunk size it
    /// gives the states of the fold in log order.
    @Test(arguments: [1, 2, 3, 5, KeyOrderFold.defaultChunkSize])
    func theKeyOrderFoldGivesTheLogOrderStatesAtEveryChunkSize(chunkSize: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        // A dossier first seen last whose code sorts first.
        try t.append([Fixture.received("H40.22-240301-0009", "2024-03-20T09:00:00")])
        try t.ledger.store.read { txn in
            // The live states, which the appends folded event by event in log order.
            var byLog: [String: DossierState] = [:]
            var logOrder: [String] = []
            for seq in 1...(try t.ledger.store.head(in: txn).seq) {
                guard let e = try t.ledger.store.event(seq: seq, in: txn), let code = e.event.dossier, byLog[code] == nil else { continue }
                byLog[code] = try t.ledger.dossier(code, in: txn)
                logOrder.append(code)
            }
            var keyOrder: [String] = []
            let summary = try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: chunkSize) { state, _ in
                #expect(state == byLog[state.code])
                keyOrder.append(state.code)
            }
            #expect(keyOrder == logOrder.sorted { Key.precedes($0, $1) })
            #expect(logOrder.last == "H40.22-240301-0009" && keyOrder.first == "H40.22-240301-0009")
            let head = try t.ledger.store.head(in: txn).seq
            #expect(summary.dossiers == logOrder.count && summary.lastSeq == head)
        }
    }

    /// A replay as of an instant takes the live state of every dossier the
    /// instant leaves as it is, skips those it has not begun and folds the
    /// others from their streams; it gives what the fold of the log keeping
    /// only the instant's events gives, by either time, with dossiers in
    /// flight, voids, backdated entries and a procedure redefined ahead of
    /// the day it comes into force. With runs of 7 rows, both walkers read
    /// (some of their runs keep no dossier); with runs of 1,024, one does.
    @Test(arguments: [7, KeyOrderFold.pastDossiersPerBatch])
    func aReplayGivesTheFoldOfTheKeptEventsWhileReadingTheLiveStates(dossiersPerBatch: Int) throws {
        let fixture = try TemporaryLedger()
        try fixture.append(Fixture.lines())
        try fixture.append([
            // Recorded on 15 March, in force from 1 April: before it, a replay by `at` leaves it out.
            #"{"type":"procedure.defined","at":"2024-04-01T00:00:00+07:00","data":{"code":"2.000001","name":"Đăng ký khai sinh","processingHours":8,"online":"partial","steps":[{"name":"Tiếp nhận","budgetHours":2},{"name":"Xử lý","budgetHours":6}]},"recordedAt":"2024-03-15T08:00:00+07:00"}"#,
            Fixture.received("LATE-1", "2024-03-20T09:00:00", procedure: "2.000001"),
            Fixture.event("dossier.assigned", "LATE-1", "2024-03-20T10:00:00", #"{"to":"cb-002","step":"Xử lý"}"#),
            Fixture.event("dossier.processed", "LATE-1", "2024-03-21T09:00:00", actor: "cb-002", #"{"outcome":"approved"}"#,
                          recordedAt: "2024-04-05T09:00:00"),
        ])
        let generated = try TemporaryLedger.generatedProvince(dossiers: 400, seed: 5)

        var seen = KeyOrderFold.Summary()
        for (t, instants) in [(fixture, ["2024-03-04T12:00:00", "2024-03-06T13:00:00", "2024-03-20T12:00:00", "2024-03-31T12:00:00",
                                         "2024-04-10T00:00:00", "2030-01-01T00:00:00"]),
                              (generated, ["2025-01-01T00:00:00", "2025-03-31T17:00:00", "2025-12-31T23:59:59", "2026-06-30T00:00:00"])] {
            for local in instants {
                let instant = Self.instant(local)
                let byAt: @Sendable (Timestamp, Timestamp) -> Bool = { at, _ in at.seconds <= instant }
                let byRecordedAt: @Sendable (Timestamp, Timestamp) -> Bool = { _, recordedAt in recordedAt.seconds <= instant }
                for include in [byAt, byRecordedAt] {
                    try t.ledger.store.read { txn in
                        var folded: [(state: DossierState, reference: UInt64)] = []
                        let full = try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: 7, include: include) { state, reference in
                            folded.append((state, reference.lastSeq))
                        }
                        var replayed: [(state: DossierState, reference: UInt64)] = []
                        let past = try KeyOrderFold.forEachPastDossier(t.ledger, in: txn, include: include,
                                                                       dossiersPerBatch: dossiersPerBatch) { state, reference in
                            replayed.append((state, reference.lastSeq))
                        }
                        #expect(replayed.map(\.state.code) == folded.map(\.state.code), "\(local)")
                        for (r, f) in zip(replayed, folded) {
                            #expect(r.state == f.state, "\(r.state.code) at \(local)")
                            #expect(r.reference == f.reference, "\(r.state.code) at \(local)")
                        }
                        #expect(past.dossiers == full.dossiers && past.lastSeq == full.lastSeq, "\(local)")
                        seen.dossiers += past.dossiers
                        seen.foldedFromStreams += past.foldedFromStreams
                        seen.streams += past.streams - past.dossiers
                    }
                }
            }
        }
        // Each way was taken: states read live, dossiers folded from their streams, dossiers not yet begun.
        #expect(seen.dossiers > seen.foldedFromStreams && seen.foldedFromStreams > 20 && seen.streams > 100)
    }

    /// A fold shares each chunk with a second thread, which must read the
    /// caller's snapshot: when a commit came after the caller's transaction
    /// began, the fold still gives the states of that snapshot.
    @Test(arguments: [1, KeyOrderFold.defaultChunkSize])
    func aFoldStaysOnItsSnapshotWhenACommitComesAfter(chunkSize: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Array(Fixture.lines()[0..<20]))
        var before: [DossierState] = []
        _ = try t.ledger.store.read { txn in
            try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: chunkSize) { state, _ in before.append(state) }
        }
        try t.ledger.store.read { txn in
            try t.append(Array(Fixture.lines()[20...]) + [Fixture.received("H40.22-240301-0009", "2024-03-20T09:00:00")])
            var seen: [DossierState] = []
            try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: chunkSize) { state, _ in seen.append(state) }
            #expect(seen == before)
        }
        var after: [DossierState] = []
        _ = try t.ledger.store.read { txn in
            try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: chunkSize) { state, _ in after.append(state) }
        }
        #expect(after.contains { $0.code == "H40.22-240301-0009" } && !before.contains { $0.code == "H40.22-240301-0009" })
    }

    /// A replay reads the states on a second thread in batches, which must
    /// read the caller's snapshot: when a commit came after the caller's
    /// transaction began, or the caller's transaction is a write, the
    /// replay still gives the states of the caller's snapshot, in code
    /// order, whatever the batch size; and a `body` that throws stops it.
    @Test(arguments: [1, 3, KeyOrderFold.pastDossiersPerBatch])
    func aReplayStaysOnItsSnapshotWhateverItsBatches(dossiersPerBatch: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        func replay(in txn: Transaction) throws -> [DossierState] {
            var states: [DossierState] = []
            try KeyOrderFold.forEachPastDossier(t.ledger, in: txn, dossiersPerBatch: dossiersPerBatch) { state, _ in states.append(state) }
            return states
        }
        var folded: [DossierState] = []
        _ = try t.ledger.store.read { txn in
            try KeyOrderFold.forEachDossier(t.ledger, in: txn, chunkSize: 2) { state, _ in folded.append(state) }
        }
        try #require(folded.count > 3)
        let first = try t.ledger.store.read { txn in try replay(in: txn) }
        #expect(first == folded)
        try t.ledger.store.read { txn in
            try t.append([Fixture.received("H40.22-240301-0009", "2024-03-20T09:00:00")])
            let replayed = try replay(in: txn)
            #expect(replayed == folded)
        }
        let later = try t.ledger.store.environment.write { txn in try replay(in: txn) }
        #expect(later.contains { $0.code == "H40.22-240301-0009" } && !folded.contains { $0.code == "H40.22-240301-0009" })
        struct Enough: Error {}
        var visited = 0
        _ = try t.ledger.store.read { txn in
            #expect(throws: Enough.self) {
                try KeyOrderFold.forEachPastDossier(t.ledger, in: txn, dossiersPerBatch: dossiersPerBatch) { _, _ in
                    visited += 1
                    if visited == 2 { throw Enough() }
                }
            }
        }
        #expect(visited == 2)

        // A damaged state row: the replay reports it, after giving the dossiers before it, as a walk on one thread does.
        let damaged = folded[folded.count / 2].code
        _ = try t.ledger.store.environment.write { txn in
            try txn.put(try t.ledger.projections(in: txn).dossierStates, key: Array(damaged.utf8), value: [DossierRow.format, 200, 1])
        }
        func visitedBeforeDamage(in txn: Transaction) -> (codes: [String], error: String) {
            var codes: [String] = []
            do {
                try KeyOrderFold.forEachPastDossier(t.ledger, in: txn, dossiersPerBatch: dossiersPerBatch) { state, _ in codes.append(state.code) }
            } catch {
                return (codes, "\(error)")
            }
            return (codes, "no error")
        }
        let onTwoThreads = try t.ledger.store.read { txn in visitedBeforeDamage(in: txn) }
        let onOne = try t.ledger.store.environment.write { txn in visitedBeforeDamage(in: txn) }   // a write transaction: one thread
        #expect(onTwoThreads.error.contains(damaged) && onTwoThreads.error.contains("does not decode"), "\(onTwoThreads.error)")
        #expect(onTwoThreads.codes == onOne.codes && onTwoThreads.error == onOne.error)
        #expect(onTwoThreads.codes == later.prefix { $0.code < damaged }.map(\.code))
    }

    /// A live walk reads the stored states on the replay's walkers: it gives
    /// every dossier's state as a lookup of its code gives it, in code
    /// order, whatever the batch size, on two threads as on one (a write
    /// transaction); a damaged row is reported after the dossiers before it.
    @Test(arguments: [1, 3, KeyOrderFold.pastDossiersPerBatch])
    func aLiveWalkGivesEveryStoredStateInCodeOrder(dossiersPerBatch: Int) throws {
        let t = try TemporaryLedger.generatedProvince(dossiers: 60, seed: 11)
        func walk(in txn: Transaction) -> (states: [DossierState], error: String?) {
            var states: [DossierState] = []
            do {
                try KeyOrderFold.forEachLiveDossier(t.ledger, in: txn, dossiersPerBatch: dossiersPerBatch) { states.append($0) }
            } catch {
                return (states, "\(error)")
            }
            return (states, nil)
        }
        let (walked, noError) = try t.ledger.store.read { txn in walk(in: txn) }
        #expect(noError == nil)
        let looked = try t.ledger.store.read { txn in try walked.map { try t.ledger.dossier($0.code, in: txn) } }
        #expect(walked.count >= 60 && looked == walked.map { Optional($0) })
        #expect(walked.map(\.code) == walked.map(\.code).sorted { Key.precedes($0, $1) })
        let alone = try t.ledger.store.environment.write { txn in walk(in: txn) }   // a write transaction: one thread
        #expect(alone.states == walked && alone.error == nil)

        let damaged = walked[walked.count / 2].code
        _ = try t.ledger.store.environment.write { txn in
            try txn.put(try t.ledger.projections(in: txn).dossierStates, key: Array(damaged.utf8), value: [DossierRow.format, 200, 1])
        }
        let onTwoThreads = try t.ledger.store.read { txn in walk(in: txn) }
        let onOne = try t.ledger.store.environment.write { txn in walk(in: txn) }
        #expect(onTwoThreads.error?.contains(damaged) == true && onTwoThreads.error?.contains("does not decode") == true, "\(onTwoThreads.error ?? "")")
        #expect(onTwoThreads.states.map(\.code) == walked.prefix { $0.code != damaged }.map(\.code))
        #expect(onTwoThreads.states.map(\.code) == onOne.states.map(\.code) && onTwoThreads.error == onOne.error)
    }

    /// The folds keep one version of the reference data per run of
    /// reference events with no dossier event between them (seqs one
    /// after another), not one per reference event: a long history's
    /// targets and registrations do not each keep a copy of their table.
    @Test func referenceEventsInARunShareOneVersion() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines() + [Fixture.received("H40.22-240301-0009", "2024-03-20T09:00:00")])
        try t.ledger.store.read { txn in
            let seqs = try t.ledger.store.referenceSeqs(in: txn)
            let runs = zip(seqs, seqs.dropFirst()).filter { $1 != $0 + 1 }.count + (seqs.isEmpty ? 0 : 1)
            try #require(seqs.count > runs, "the fixture has reference events one after another")
            var summary = KeyOrderFold.Summary()
            var firstLeftOut = UInt64.max
            let versions = try KeyOrderFold.referenceVersions(t.ledger, in: txn, include: { _, _ in true }, summary: &summary, firstLeftOut: &firstLeftOut)
            #expect(versions.count == 1 + runs)
            #expect(versions.last?.seq == seqs.last)
        }
    }

    @Test func verifyNamesAnEditedProjectionRow() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        try t.ledger.store.environment.write { txn in
            var s = try t.ledger.dossier("H40.22-240304-0002", in: txn)!
            s.stage = .received
            // The row keeps its contributions; only the state inside it is edited.
            let row = try #require(try txn.get((try t.ledger.projections(in: txn)).dossierStates, key: Array("H40.22-240304-0002".utf8)))
            let prefix = Array(row[0..<(row.count - (try DossierRow.split(row)).state.count)])
            try txn.put((try t.ledger.projections(in: txn)).dossierStates, key: Array("H40.22-240304-0002".utf8), value: prefix + s.encoded())
        }
        let differences = try t.ledger.projectionDifferences()
        #expect(differences.count == 1)
        #expect(differences[0].contains("dossier H40.22-240304-0002: live state differs from a rebuild"))
    }

    /// The live rows are looked up by the codes of the rebuilt ones, a
    /// chunk at a time: a live row removed is named, and a live row that no
    /// dossier of the log rebuilds is caught by the count.
    @Test(arguments: [1, KeyOrderFold.defaultChunkSize])
    func verifyNamesLiveRowsRemovedOrAdded(chunkSize: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let code = "H40.22-240304-0002"
        let (count, row) = try t.ledger.store.environment.write { txn in
            let table = try t.ledger.projections(in: txn).dossierStates
            let row = try #require(try txn.get(table, key: Array(code.utf8)))
            #expect(try txn.delete(table, key: Array(code.utf8)))
            return (try txn.statistics(table).entries + 1, Array(row))
        }
        #expect(try t.ledger.projectionDifferences(chunkSize: chunkSize) == [
            "dossier \(code): missing from the live dossier states",
            "dossier states: \(count - 1) live, \(count) rebuilt",
        ])
        try t.ledger.store.environment.write { txn in
            let table = try t.ledger.projections(in: txn).dossierStates
            try txn.put(table, key: Array(code.utf8), value: row)
            try txn.put(table, key: Array("H40.22-999999-0001".utf8), value: row)
        }
        #expect(try t.ledger.projectionDifferences(chunkSize: chunkSize) == ["dossier states: \(count + 1) live, \(count) rebuilt"])
    }

    @Test func verifyNamesEditedKPIContributions() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let code = "H40.22-240304-0002"
        try t.ledger.store.environment.write { txn in
            let table = try t.ledger.projections(in: txn).dossierStates
            let row = try #require(try txn.get(table, key: Array(code.utf8)))
            let (state, contributions) = try DossierRow.split(row)
            var counts = try DossierRow.contributions(contributions).map { KPICount(day: $0.day, counter: $0.counter, delta: $0.delta) }
            try #require(!counts.isEmpty)
            counts[0].delta += 1
            // The state is kept; only the counts it contributes are edited.
            var edited = ByteWriter(capacity: 512)
            DossierRow.encode(counts, of: try #require(t.ledger.dossier(code, in: txn)?.agency), into: &edited)
            var newRow = ByteWriter(capacity: 1024)
            newRow.u8(DossierRow.format)
            edited.withUnsafeBytes { newRow.raw($0, withLength: true) }
            newRow.raw(state)
            try txn.put(table, key: Array(code.utf8), value: newRow.bytes)
        }
        let differences = try t.ledger.projectionDifferences()
        #expect(differences == ["dossier \(code): live KPI contributions differ from a rebuild"])
    }

    /// The index of open dossiers is checked both ways, with chunks of one
    /// dossier and of all: an entry for a closed dossier, an entry for a
    /// dossier that does not exist, and an open dossier left out are each named.
    @Test(arguments: [1, KeyOrderFold.defaultChunkSize])
    func verifyNamesEditsOfTheIndexOfOpenDossiers(chunkSize: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let (closed, open) = try t.ledger.store.environment.write { txn in
            let tables = try t.ledger.projections(in: txn)
            var closed: String?, open: String?
            try txn.withCursor(tables.dossierStates) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    let code = String(decoding: e.key, as: UTF8.self)
                    if try t.ledger.dossier(code, in: txn)!.stage.isOpen { open = open ?? code } else { closed = closed ?? code }
                    entry = try cursor.next()
                }
            }
            let (c, o) = (try #require(closed), try #require(open))
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            _ = try Array(c.utf8).withUnsafeBytes { try txn.put(tables.openDossiers, key: $0, value: empty) }
            _ = try Array("H40.22-999999-0001".utf8).withUnsafeBytes { try txn.put(tables.openDossiers, key: $0, value: empty) }
            #expect(try txn.delete(tables.openDossiers, key: Array(o.utf8)))
            return (c, o)
        }
        let differences = try t.ledger.projectionDifferences(chunkSize: chunkSize)
        #expect(Set(differences) == [
            "dossier \(closed): in the index of open dossiers but not open",
            "dossier H40.22-999999-0001: in the index of open dossiers but not open",
            "dossier \(open): open but missing from the index of open dossiers",
        ])
        #expect(differences.count == 3)
    }
}
