import Testing
@testable import DossierRules
import LedgerStore
import LedgerContract
@testable import Projections

/// Rules the append path checks on every event, which have fast paths of their own.
@Suite struct ReferenceRulesTests {
    @Test func personalDataNamesAreRecognisedInAnyCase() {
        for name in ["cccd", "CMND", "Phone", "eMail", "address", "applicantName", "APPLICANTNAME"] {
            #expect(DossierEventRules.isPersonalDataName(name), "\(name)")
        }
        for name in ["channel", "part", "phones", "e-mail", "addresses", "to", "", "Phöne", "EMAİL", "applicant"] {
            #expect(!DossierEventRules.isPersonalDataName(name), "\(name)")
        }
    }

    /// A procedure's processing time is at least one working second and at
    /// most a million hours; each step budget is from 0 to a million hours.
    @Test func processingTimesAndBudgetsAreBounded() throws {
        func define(_ time: String, budget: String = "2") throws -> String? {
            let line = #"{"type":"procedure.defined","at":"2024-01-01T00:00:00+07:00","data":{"code":"P","name":"x",\#(time),"online":"full","steps":[{"name":"A","budgetHours":\#(budget)}]}}"#
            var reference = ReferenceData()
            let event = try Event(jsonLine: line)
            do throws(RuleViolation) {
                try reference.apply(event, seq: 1)
                return nil
            } catch {
                return error.rule
            }
        }
        #expect(try define(#""processingDays":1.5"#) == nil)
        #expect(try define(#""processingHours":1000000"#, budget: "1000000") == nil)
        #expect(try define(#""processingDays":3"#, budget: "0") == nil)
        let time = "the processing time must be a positive number of working days or hours, at most 1000000 hours"
        #expect(try define(#""processingDays":2.5e-10"#) == time)
        #expect(try define(#""processingHours":1000001"#) == time)
        #expect(try define(#""processingDays":1e300"#) == time)
        #expect(try define(#""processingDays":-3"#) == "data.processingDays must be a number ≥ 0, not -3.0")
        let budget = #"data.steps[0] must be {"name": text, "budgetHours": number from 0 to 1000000}"#
        for huge in ["1e16", "1000000.5", "1e300", "-1"] { #expect(try define(#""processingDays":3"#, budget: huge) == budget, "\(huge)") }
    }

    /// An officer serves their own agency and the agencies below it, never those above or beside it.
    @Test func officersServeTheirAgencyAndTheAgenciesBelowIt() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.reference + [
            #"{"type":"agency.registered","at":"2024-01-01T00:00:00+07:00","data":{"code":"H40.22.01","name":"Xã A","level":"commune","parent":"H40.22"}}"#,
            #"{"type":"agency.registered","at":"2024-01-01T00:00:00+07:00","data":{"code":"H40.23","name":"Huyện B","level":"district","parent":"H40"}}"#,
            #"{"type":"officer.registered","at":"2024-01-01T00:00:00+07:00","data":{"id":"xa-1","name":"Cán bộ xã","agency":"H40.22.01"}}"#,
        ])
        let reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        let province = try #require(reference.officers.first { $0.value.agency == "H40" }?.key)
        let district = try #require(reference.officers.first { $0.value.agency == "H40.22" }?.key)
        #expect(reference.officer(province, servesAgency: "H40.22.01"))
        #expect(reference.officer(district, servesAgency: "H40.22.01"))
        #expect(reference.officer(district, servesAgency: "H40.22"))
        #expect(reference.officer("xa-1", servesAgency: "H40.22.01"))
        #expect(!reference.officer("xa-1", servesAgency: "H40.22"))
        #expect(!reference.officer(district, servesAgency: "H40"))
        #expect(!reference.officer(district, servesAgency: "H40.23"))
        #expect(!reference.officer(district, servesAgency: "H99"))
        #expect(!reference.officer("nobody", servesAgency: "H40.22"))
        // The same answers as the agency's lineage gives.
        for officer in reference.officers.keys {
            for agency in reference.agencies.keys {
                #expect(reference.officer(officer, servesAgency: agency) == reference.lineage(of: agency).contains(reference.officers[officer]!.agency))
            }
        }
    }

    /// Registering an agency again under another parent (a district
    /// abolished, its communes moved up) changes the lineage of it and of
    /// every agency below it, and so which officers serve them.
    @Test func anAgencyRegisteredAgainMovesTheAgenciesBelowIt() throws {
        let t = try TemporaryLedger()
        func agency(_ code: String, _ level: String, parent: String) -> String {
            #"{"type":"agency.registered","at":"2024-01-01T00:00:00+07:00","data":{"code":"\#(code)","name":"\#(code)","level":"\#(level)","parent":"\#(parent)"}}"#
        }
        try t.append(Fixture.reference + [
            agency("H40.22.01", "commune", parent: "H40.22"),
            agency("H40.23", "district", parent: "H40"),
            agency("H40.23.01", "commune", parent: "H40.23"),
            #"{"type":"officer.registered","at":"2024-01-01T00:00:00+07:00","data":{"id":"huyen-b","name":"Cán bộ huyện B","agency":"H40.23"}}"#,
        ])
        var reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        func serves(_ officer: String, _ agency: String) -> Bool { reference.officer(officer, servesAgency: agency) }
        func lineage(_ agency: String) -> [String] { reference.lineage(of: agency) }
        let district = try #require(reference.officers.first { $0.value.agency == "H40.22" }?.key)
        #expect(lineage("H40.23.01") == ["H40.23.01", "H40.23", "H40"])
        #expect(!serves(district, "H40.23.01"))
        #expect(serves("huyen-b", "H40.23.01"))

        // District B moves under district A: its commune follows it.
        try t.append([agency("H40.23", "district", parent: "H40.22")])
        reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        #expect(lineage("H40.23") == ["H40.23", "H40.22", "H40"])
        #expect(lineage("H40.23.01") == ["H40.23.01", "H40.23", "H40.22", "H40"])
        #expect(serves(district, "H40.23.01"))

        // Commune A moves up to the province: district A's officer no longer serves it.
        try t.append([agency("H40.22.01", "commune", parent: "H40")])
        reference = try t.ledger.store.read { txn in try t.ledger.reference(in: txn) }
        #expect(lineage("H40.22.01") == ["H40.22.01", "H40"])
        #expect(!serves(district, "H40.22.01"))
        #expect(serves(district, "H40.23.01"))
        #expect(lineage("H99").isEmpty)
    }
}
