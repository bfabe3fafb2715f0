import Foundation
import Testing

@Suite struct LedgerCommandTests {
    @Test func openingAMissingOrNonLedgerDirectoryIsAClearError() throws {
        let missing = Tool.temporaryLedger()
        defer { Tool.remove(missing) }
        let r = try Tool.run(["stats"], ledger: missing)
        #expect(r.status == 66)
        #expect(r.stderr.contains("no ledger at \(missing)"))
        let plain = (missing as NSString).deletingLastPathComponent
        let n = try Tool.run(["export"], ledger: plain)
        #expect(n.status == 66)
        #expect(n.stderr.contains("is not a ledger"))
        #expect(!FileManager.default.fileExists(atPath: plain + "/data.mdb"), "opening must not create files")
    }

    @Test func initTwiceIsRefused() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["init"], ledger: ledger)
        #expect(r.status == 73)
        #expect(r.stderr.contains("already holds a ledger"))
    }

    @Test func theLedgerPathComesFromTheEnvironmentToo() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["stats"], environment: ["DOSSIER_LEDGER": ledger])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(ledger))
    }

    @Test func historyPrintsOneDossierAsATableOrNDJSON() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let table = try Tool.run(["history", "H40.22-240304-0001"], ledger: ledger)
        #expect(table.status == 0)
        #expect(table.stdout.contains("dossier H40.22-240304-0001: 16 events"))
        #expect(table.stdout.contains("dossier.supplement_requested"))
        #expect(table.stdout.contains("Thẩm định"))
        let ndjson = Tool.objects(try Tool.run(["history", "H40.22-240304-0001", "--format", "ndjson"], ledger: ledger).stdout)
        #expect(ndjson.map { $0["version"] as? Int } == Array(1...16))
        let unknown = try Tool.run(["history", "nope"], ledger: ledger)
        #expect(unknown.status == 66)
        // A code no event can carry is a usage error, for every command that names a dossier.
        for command in [["history"], ["show"], ["audit", "dossier"]] {
            for code in ["", String(repeating: "x", count: 65)] {
                let r = try Tool.run(command + [code], ledger: ledger)
                #expect(r.status == 64, "\(command) \(code.count) bytes: \(r.stderr)")
                #expect(r.stderr.contains("a dossier code is non-empty text of at most 64 bytes"), "\(r.stderr)")
            }
        }
    }

    /// Arguments that can name nothing in a ledger, or a directory where a
    /// file is expected, get an error naming the argument, never an LMDB or
    /// Foundation error.
    @Test func argumentsThatNameNothingAreRefusedByName() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let dir = (ledger as NSString).deletingLastPathComponent
        let cases: [([String], Int32, String)] = [
            (["export", "--dossier", ""], 64, "--dossier : expected a code of 1 to 64 bytes"),
            (["export", "--dossier", String(repeating: "x", count: 65)], 64, "expected a code of 1 to 64 bytes"),
            (["import", "--format", "xes", "--agency", "", Tool.fixture("small-province.ndjson")], 64, "--agency : expected a code"),
            (["verify", "--from", "9223372036854775808"], 64, "expected a whole number from 1 to 9223372036854775807"),
            (["import", dir], 66, "\(dir) is a directory, not a file of events"),
            (["append", dir], 66, "\(dir) is a directory, not a file of events"),
            (["import", "--format", "xes", dir], 65, "\(dir) is a directory, not an XES log"),
            (["replay", "--as-of", "2024-05-01", "--out", dir + "/" + String(repeating: "x", count: 300)], 73, "cannot create directory"),
        ]
        for (args, status, message) in cases {
            let r = try Tool.run(args, ledger: ledger)
            #expect(r.status == status, "\(args.prefix(4)): \(r.stderr)")
            #expect(r.stderr.contains(message) && r.stderr.count < 1000, "\(args.prefix(4)): \(r.stderr)")
        }
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           35"))
    }

    @Test func statsShowsCountsSizeAndHead() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        try Tool.run(["append", Tool.fixture("small-province.ndjson")], ledger: ledger)
        let s = try Tool.run(["stats"], ledger: ledger).stdout
        #expect(s.contains("events           35 (8 reference, 27 dossier)"))
        #expect(s.contains("dossiers         5"))
        #expect(s.contains("head seq         35"))
        let last = Tool.objects(try Tool.run(["export", "--from", "35"], ledger: ledger).stdout)[0]
        #expect(s.contains("head hash        \(last["hash"] as! String)"))
    }

    @Test func helpIsThereForTheToolAndEachCommand() throws {
        let tool = try Tool.run(["--help"])
        #expect(tool.status == 0)
        for command in ["init", "append", "import", "export", "history", "verify", "stats"] {
            #expect(tool.stdout.contains(command))
            let r = try Tool.run([command, "--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("usage: dossier-ledger [--ledger DIR] \(command)"))
        }
        let bad = try Tool.run(["frobnicate"])
        #expect(bad.status == 64)
        let badOption = try Tool.run(["export", "--colour"], ledger: "/tmp/x")
        #expect(badOption.status == 64)
        #expect(badOption.stderr.contains("unknown option --colour"))
    }
}
