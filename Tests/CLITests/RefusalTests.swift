import Foundation
import Testing

/// Every refusal of the rules: exit 65, the line, the dossier and the rule named, nothing written.
@Suite struct RefusalTests {
    static let reference = Array(Tool.fixtureLines()[0..<8])
    static let received = #"{"type":"dossier.received","dossier":"D-1","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"}}"#

    static let cases: [(String, [String], String)] = [
        ("transition not allowed", [#"{"type":"dossier.processed","dossier":"D-1","at":"2024-03-04T10:00:00+07:00","data":{"outcome":"approved"}}"#],
         "dossier.processed is not allowed in a dossier with no events"),
        ("final state", [received, #"{"type":"dossier.rejected","dossier":"D-1","at":"2024-03-04T09:10:00+07:00","data":{"reason":"x"}}"#,
                         #"{"type":"dossier.assigned","dossier":"D-1","at":"2024-03-04T09:20:00+07:00","data":{"to":"cb-002","step":"Thẩm định"}}"#],
         "dossier.assigned is not allowed in state rejected"),
        ("unknown procedure", [received.replacingOccurrences(of: "1.004227", with: "9.999999")], "data.procedure \"9.999999\" is not a defined procedure"),
        ("unknown agency", [received.replacingOccurrences(of: #""agency":"H40.22""#, with: #""agency":"Z99""#)], "data.agency \"Z99\" is not a registered agency"),
        ("unknown officer", [received.replacingOccurrences(of: "cb-001", with: "cb-404")], "actor \"cb-404\" is not a registered officer"),
        ("unknown step", [received, #"{"type":"dossier.assigned","dossier":"D-1","at":"2024-03-04T09:20:00+07:00","data":{"to":"cb-002","step":"Bay"}}"#],
         "data.step \"Bay\" is not a step of procedure 1.004227"),
        ("missing field", [received.replacingOccurrences(of: #","channel":"direct""#, with: "")], "missing data.channel"),
        ("bad channel", [received.replacingOccurrences(of: #""channel":"direct""#, with: #""channel":"fax""#)], "data.channel \"fax\" must be one of direct, online, postal"),
        ("time without offset", [received.replacingOccurrences(of: "09:00:00+07:00", with: "09:00:00")], "without an offset"),
        ("impossible date", [received.replacingOccurrences(of: "2024-03-04", with: "2024-02-30")], "impossible time"),
        ("unknown type", [#"{"type":"dossier.teleported","dossier":"D-1","at":"2024-03-04T09:00:00+07:00"}"#], "unknown type \"dossier.teleported\""),
        ("malformed JSON", [#"{"type":"dossier.received","#], "malformed JSON"),
        ("score out of range", [received, #"{"type":"dossier.processed","dossier":"D-1","at":"2024-03-04T10:00:00+07:00","data":{"outcome":"approved"}}"#,
                                #"{"type":"dossier.rated","dossier":"D-1","at":"2024-03-04T11:00:00+07:00","data":{"score":9}}"#], "data.score must be a whole number from 1 to 5"),
        ("void of another dossier", [received, #"{"type":"event.voided","dossier":"D-1","at":"2024-03-04T11:00:00+07:00","data":{"seq":1,"reason":"x"}}"#],
         "data.seq 1 is an event of reference data, not of dossier D-1"),
        ("officer of another agency", [received.replacingOccurrences(of: #""agency":"H40.22""#, with: #""agency":"H40""#)],
         "actor \"cb-001\" is an officer of H40.22, not of the dossier's agency H40"),
    ]

    @Test(arguments: 0..<cases.count)
    func refusedWithLineDossierAndRule(_ index: Int) throws {
        let (name, dossierLines, rule) = Self.cases[index]
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.file(Self.reference, beside: ledger)], ledger: ledger).status == 0)
        let before = try Tool.run(["stats"], ledger: ledger).stdout
        let r = try Tool.run(["append", Tool.file(dossierLines, beside: ledger)], ledger: ledger)
        #expect(r.status == 65, "\(name): \(r.stderr)")
        #expect(r.stderr.contains("line \(dossierLines.count)"), "\(name): \(r.stderr)")
        #expect(r.stderr.contains(rule), "\(name): \(r.stderr)")
        if !rule.contains("JSON") && !rule.contains("unknown type") {
            #expect(r.stderr.contains("D-1"), "\(name): \(r.stderr)")
        }
        #expect(try Tool.run(["stats"], ledger: ledger).stdout == before, "\(name): nothing written")
    }
}
