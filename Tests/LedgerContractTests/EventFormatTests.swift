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
        // A member named twice is refused where the repeat begins, before its value is read; a syntax error
        // anywhere in the line comes before any error of its fields.
        (#"{"type":"dossier.rejected","dossier":"D","type":"x","at":"2023-02-08T09:15:00+07:00"}"#, "malformed JSON at byte 42: member \"type\" appears twice"),
        (#"{"type":"dossier.rejected","seq":1,"dossier":"D","seq":}"#, "malformed JSON at byte 50: member \"seq\" appears twice"),
        (#"{"colour":1,"type":"dossier.rejected","colour":2}"#, "malformed JSON at byte 39: member \"colour\" appears twice"),
        (#"{"type":"dossier.flown","at":"x","dossier":"D",}"#, "malformed JSON at byte 48: expected a member name in quotes"),
        (#"{"type":7,"dossier":"D","at":"2023-02-08T09:15:00+07:00"} x"#, "malformed JSON at byte 59: unexpected text after the value"),
        (#"{"type":"dossier.rejected","dossier":"D\#u{01}","at":"2023-02-08T09:15:00+07:00"}"#, "malformed JSON at byte 40: control character"),
    ])
    func refusesWithTheRule(_ line: String, _ rule: String) {
        do {
            _ = try Event(jsonLine: line)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.rule.contains(rule), "\(error.rule)")
        }
    }

    /// The first unknown field is named, with the dossier even when it comes later in the line.
    @Test func anUnknownFieldIsNamedWithTheDossier() {
        do {
            _ = try Event(jsonLine: #"{"colour":"red","size":1,"type":"dossier.rejected","at":"2023-02-08T09:15:00+07:00","dossier":"D-7"}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.rule.hasPrefix("unknown field \"colour\""), "\(error.rule)")
            #expect(error.dossier == "D-7")
        }
    }

    /// The fields read straight from the line's bytes and those written
    /// with escapes or beyond ASCII read alike.
    @Test func escapedAndNonASCIIFieldsReadAsTheirText() throws {
        let plain = try Event(jsonLine: #"{"type":"dossier.rejected","dossier":"H40-1","at":"2023-02-08T09:15:00+07:00","actor":"cb-1","data":{"reason":"x"},"id":"i-1","recordedAt":"2023-02-08T09:16:00Z"}"#)
        let escaped = try Event(jsonLine: #"{"type":"dossier.rejected","dossier":"H40-1","at":"2023-02-08T09:15:00+07:00","actor":"cb-1","data":{"reason":"x"},"id":"i-1","recordedAt":"2023-02-08T09:16:00Z"}"#)
        #expect(plain == escaped)
        #expect(escaped.type == .dossierRejected && escaped.at.offsetMinutes == 7 * 60 && escaped.recordedAt?.isZulu == true)
        let vietnamese = try Event(jsonLine: #"{"type":"dossier.rejected","dossier":"Hà-Nội-1","at":"2023-02-08T09:15:00+07:00","actor":"cán-bộ","data":{"reason":"x"},"id":"mã-1"}"#)
        #expect(vietnamese.dossier == "Hà-Nội-1" && vietnamese.actor == "cán-bộ" && vietnamese.id == "mã-1")
        do {
            _ = try Event(jsonLine: #"{"type":"dossier.flown","dossier":"D","at":"2023-02-08T09:15:00+07:00"}"#)
            Issue.record("accepted an unknown type written with an escape")
        } catch {
            #expect(error.rule.hasPrefix("unknown type \"dossier.flown\""), "\(error.rule)")
        }
    }

    /// An exported line (with seq, version and hash) reads as its input event.
    @Test func anExportedLineReadsAsItsEvent() throws {
        let e = try Event(jsonLine: #"{"seq":12,"type":"dossier.rejected","dossier":"D","at":"2023-02-08T09:15:00+07:00","actor":"cb-1","data":{"reason":"x"},"id":"i-1","version":3,"recordedAt":"2023-02-08T09:16:00+07:00","hash":"00"}"#)
        #expect(e.type.name == "dossier.rejected" && e.dossier == "D" && e.actor == "cb-1" && e.id == "i-1")
        #expect(e.data["reason"] == .string("x"))
        #expect(e.recordedAt?.text == "2023-02-08T09:16:00+07:00")
    }
}

/// The two canonical forms are the public contract of the hash chain and of
/// identity without an `id` (README, "Hash chain"): anyone recomputes them
/// from an export. Written out here byte for byte.
struct CanonicalFormTests {
    static let line = #"{"type":"dossier.received","dossier":"H40.22-230208-0001","at":"2023-02-08T09:15:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","note":"Đã nhận \"bản gốc\"","z":{"b":1,"a":[true,null]}},"id":"e-1","expectedVersion":0}"#

    @Test func theHashFormSortsMembersAndAddsWhatTheAppendGives() throws {
        let event = try Event(jsonLine: Self.line)
        let recordedAt = try Timestamp(rfc3339: "2023-02-08T09:15:02+07:00")
        let form = CanonicalEncoding(event).hashForm(seq: 42, version: 1, recordedAt: recordedAt)
        let expected = #"{"actor":"cb-001","at":"2023-02-08T09:15:00+07:00","data":{"agency":"H40.22","note":"Đã nhận \"bản gốc\"","procedure":"1.004227","z":{"a":[true,null],"b":1}},"dossier":"H40.22-230208-0001","expectedVersion":0,"id":"e-1","recordedAt":"2023-02-08T09:15:02+07:00","seq":42,"type":"dossier.received","version":1}"#
        #expect(String(decoding: form, as: UTF8.self) == expected)
        let previous = SHA256.hash(Array("before".utf8))
        #expect(CanonicalEncoding(event).chainedHash(seq: 42, version: 1, recordedAt: recordedAt, previous: previous)
                == SHA256.hash(previous.bytes + Array(expected.utf8)))
    }

    @Test func theContentDigestCoversTypeDossierAtActorAndDataOnly() throws {
        let event = try Event(jsonLine: Self.line)
        let content = #"{"actor":"cb-001","at":"2023-02-08T09:15:00+07:00","data":{"agency":"H40.22","note":"Đã nhận \"bản gốc\"","procedure":"1.004227","z":{"a":[true,null],"b":1}},"dossier":"H40.22-230208-0001","type":"dossier.received"}"#
        #expect(CanonicalEncoding(event).contentDigest == SHA256.hash(Array(content.utf8)))
        let reference = try Event(jsonLine: #"{"type":"officer.registered","at":"2024-01-01T00:00:00+07:00","data":{"id":"cb-009","agency":"H40.22"}}"#)
        #expect(CanonicalEncoding(reference).contentDigest
                == SHA256.hash(Array(#"{"at":"2024-01-01T00:00:00+07:00","data":{"agency":"H40.22","id":"cb-009"},"type":"officer.registered"}"#.utf8)))
    }
}
