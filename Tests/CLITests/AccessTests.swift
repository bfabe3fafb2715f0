import Foundation
import Testing

/// Permissions, personal data and the auditor's written-down head.
@Suite struct AccessTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    @Test func ledgerFilesAreOwnerOnlyUnlessGroupReadable() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try mode(ledger) == 0o700)
        #expect(try mode(ledger + "/data.mdb") == 0o600)
        let shared = Tool.temporaryLedger()
        defer { Tool.remove(shared) }
        #expect(try Tool.run(["init", "--group-readable"], ledger: shared).status == 0)
        #expect(try mode(shared) == 0o750)
        #expect(try mode(shared + "/data.mdb") == 0o640)
    }

    @Test func aWorldWritableLedgerIsRefused() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        chmod(ledger + "/data.mdb", 0o666)
        let r = try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        #expect(r.status == 77)
        #expect(r.stderr.contains("world-writable"))
        chmod(ledger + "/data.mdb", 0o600)
        #expect(try Tool.run(["stats"], ledger: ledger).status == 0)
    }

    @Test func personalDataIsRefusedUnlessTheLedgerAllowsIt() throws {
        let reference = Array(Tool.fixtureLines()[0..<8])
        let line = #"{"type":"dossier.received","dossier":"P-1","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"2.000001","agency":"H40.22","channel":"direct","applicant":{"Phone":"0912345678"}}}"#
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["append", Tool.file(reference + [line], beside: ledger)], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 9 (dossier P-1): data.applicant.Phone looks like personal data"))
        let lenient = Tool.temporaryLedger()
        defer { Tool.remove(lenient) }
        #expect(try Tool.run(["init", "--allow-personal-data"], ledger: lenient).status == 0)
        #expect(try Tool.run(["append", Tool.file(reference + [line], beside: lenient)], ledger: lenient).status == 0)
    }

    @Test func verifyHeadProvesTheLogWasOnlyAppendedTo() throws {
        let lines = Tool.fixtureLines()
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.file(Array(lines[0..<30]), beside: ledger)], ledger: ledger).status == 0)
        let stats = try Tool.run(["stats"], ledger: ledger).stdout
        let hash = stats.split(separator: "\n").first { $0.hasPrefix("head hash") }!.split(separator: " ").last!
        let head = "30:\(hash)"
        #expect(try Tool.run(["append", Tool.file(Array(lines[30...]), beside: ledger)], ledger: ledger).status == 0)
        let ok = try Tool.run(["verify", "--head", head], ledger: ledger)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("only appended to"))

        // A ledger rebuilt with one event changed before that head fails.
        let forged = try Tool.initialisedLedger()
        defer { Tool.remove(forged) }
        var altered = lines
        altered[25] = altered[25].replacingOccurrences(of: "Không thuộc thẩm quyền", with: "Hồ sơ hợp lệ")
        #expect(altered[25] != lines[25])
        #expect(try Tool.run(["append", Tool.file(altered, beside: forged)], ledger: forged).status == 0)
        let r = try Tool.run(["verify", "--head", head], ledger: forged)
        #expect(r.status == 65)
        #expect(r.stderr.contains("seq 30 now has hash"))
        let short = try Tool.initialisedLedger()
        defer { Tool.remove(short) }
        #expect(try Tool.run(["append", Tool.file(Array(lines[0..<20]), beside: short)], ledger: short).status == 0)
        #expect(try Tool.run(["verify", "--head", head], ledger: short).stderr.contains("events were removed"))
    }
}
