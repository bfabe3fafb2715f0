import Testing
@testable import LedgerContract

struct TimestampTests {
    @Test func parsesOffsetsToTheSameInstant() throws {
        let a = try Timestamp(rfc3339: "2023-02-08T09:15:00+07:00")
        let b = try Timestamp(rfc3339: "2023-02-08T02:15:00Z")
        #expect(a == b)
        #expect(a.seconds == 1_675_822_500)
    }

    @Test(arguments: ["2023-02-08T09:15:00+07:00", "2023-02-08T02:15:00Z", "2024-02-29T23:59:59.123-05:30",
                      "1969-12-31T23:59:59+00:00", "2026-11-22T07:30:00.000000001+07:00"])
    func textRoundTrips(_ text: String) throws {
        #expect(try Timestamp(rfc3339: text).text == text)
    }

    @Test(arguments: ["2023-02-08T09:15:00", "2023-02-08 09:15:00+07:00", "2023-02-30T09:15:00+07:00",
                      "2023-13-01T00:00:00Z", "2023-02-08T24:00:00Z", "2023-02-08T09:60:00Z", "2023-02-29T09:00:00Z",
                      "08/02/2023", "2023-02-08T09:15:00+0700", "2023-02-08T09:15:00.Z"])
    func refusesTimesThatAreNotRFC3339WithOffset(_ text: String) {
        #expect(throws: Timestamp.ParseError.self) { try Timestamp(rfc3339: text) }
    }

    @Test func missingOffsetIsNamed() {
        #expect(throws: Timestamp.ParseError.missingOffset) { try Timestamp(rfc3339: "2023-02-08T09:15:00") }
    }
}
