import Foundation
import Testing

@Suite struct IntegrityTests {
    /// Flips one byte of `marker` inside a copy's data.mdb.
    static func corruptCopy(of ledger: String, marker: String) throws -> String {
        let copy = (ledger as NSString).deletingLastPathComponent + "/corrupted"
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        let file = copy + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array(marker.utf8)
        guard let at = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }) else {
            Issue.record("marker not found in data.mdb")
            return copy
        }
        bytes[at + 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return copy
    }

    @Test func verifyCatchesAByteFlippedInTheDataFile() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
        // The complaint text is stored inline in event seq 24.
        let copy = try Self.corruptCopy(of: ledger, marker: "Trả kết quả chậm hơn hẹn")
        let r = try Tool.run(["verify"], ledger: copy)
        #expect(r.status == 65)
        #expect(r.stderr.contains("verification FAILED at seq 24"), "\(r.stderr)")
        #expect(r.stderr.contains("23 events before it verified"))
    }

    @Test func verifyFromASeqChecksTheRest() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let r = try Tool.run(["verify", "--from", "30"], ledger: ledger)
        #expect(r.status == 0)
        #expect(r.stdout.contains("6 events verified from seq 30"))
    }
}
