import Testing
@testable import LedgerContract

struct EventFormatTests {
    @Test(arguments: [
        (#"{"dossier":"D","at":"2023-02-08T09:15:00+07:00"}"#, "missing field \"type\""),
        (#"{"type":"dossier.flown","dossier":"D","at":"2023-02-08T09:15:00+07:00"}"#, "unknown type \"dossier.flown\""),
        (#"{"type":"dossier.rejected","at":"2023-02-08T09:15:00+07:00","data":{"reason":"x"}}"#, "missing field \"dossier\""),
        (#"{"type":"dossier.rejected","dossier":"D","at":"2023-02-08T09:15:00","data":{"reason":"x"}}"#, "without an offset"),
        (#"{"type":"dossier.rejected","dossier":"D","at":"2023-02-30T09:15:00+07:00"}"#, "impossible time"),
        (#"{"type":"dossier.rejected","dossier":"D","at":1675822500}"#, "\"at\" must be an RFC 3339 string"),
        (#"{"type":"dossier.rejected","dossier":"D","at":"2023-02-08T09:15:00+07:00","data":[1]}"#, "\"data\" must be an object"),
        (#"{"type":"dossier.rejected","dossier":"D","at":"2023-02-08T09:15:00+07:00","colour":"red"}"#, "unknown field \"colour\""),
        (#"{"type":"agency.registered","dossier":"D","at":"2023-02-08T09:15:00+07:00"}"#, "takes no \"dossier\""),
        (#"{"type":"dossier.rejected","dossier":"","at":"2023-02-08T09:15:00+07:00"}"#, "non-empty code"),
        (#"{"type":"dossier.rejected","dossier":"D","at":"2023-02-08T09:15:00+07:00","expectedVersion":-1}"#, "expectedVersion"),
        (#"[1,2]"#, "must be a JSON object"),
        (#"{"type":"dossier.rejected""#, "malformed JSON"),
    ])
    func refusesWithTheRule(_ line: String, _ rule: String) {
        do {
            _ = try Event(jsonLine: line)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.rule.contains(rule), "\(error.rule)")
        }
    }
}
