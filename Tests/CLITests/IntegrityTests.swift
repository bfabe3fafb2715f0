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

    /// A copy of `ledger` whose data.mdb keeps only its first `pages` pages of 4096 bytes.
    static func truncatedCopy(of ledger: String, pages: Int) throws -> String {
        let copy = (ledger as NSString).deletingLastPathComponent + "/cut-short"
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: copy + "/data.mdb"))
        defer { try? file.close() }
        try file.truncate(atOffset: UInt64(pages * 4096))
        return copy
    }

    @Test func aDataFileCutShortIsReportedAsDamageNotACrash() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        // The two meta pages stay, so LMDB opens the file; the B-tree pages they point to are gone.
        let copy = try Self.truncatedCopy(of: ledger, pages: 2)
        for command in [["verify"], ["export"], ["show", "H40.22-240304-0001"], ["append", Tool.fixture("small-province.ndjson")]] {
            let r = try Tool.run(command, ledger: copy)
            #expect(r.status == 65, "\(command): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains("dossier-ledger: the ledger \(copy) is damaged"), "\(command): \(r.stderr)")
            #expect(!r.stderr.contains("Crash") && !r.stderr.contains("Fatal"), "\(command): \(r.stderr)")
        }
        // The ledger it was copied from is untouched.
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }

    @Test func aPageOfTheWrongKindIsReportedAsDamage() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let copy = (ledger as NSString).deletingLastPathComponent + "/wrong-kind"
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        // The flags of the events' page holding seq 24's complaint (bytes 10–11 of its header) no longer say "leaf".
        let file = copy + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array("Trả kết quả chậm hơn hẹn".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) })
        let page = at / 4096 * 4096
        bytes[page + 10] = 0
        bytes[page + 11] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        for command in [["verify"], ["show", "H40.22-240304-0001"]] {
            let r = try Tool.run(command, ledger: copy)
            #expect(r.status == 65, "\(command): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains("the ledger's pages are damaged") && r.stderr.contains("MDB_CORRUPTED"), "\(command): \(r.stderr)")
        }
    }
}
