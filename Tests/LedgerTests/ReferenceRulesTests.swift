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
}
