import Foundation
import Testing

/// `rebuild` and `verify` fold the dossiers a chunk at a time
/// (`DOSSIER_LEDGER_FOLD_CHUNK`): whatever the chunk size, the projections
/// they make and check give the replays the same answers, and a rebuild
/// killed half-way leaves a ledger that verifies and answers as before.
@Suite struct FoldChunkTests {
    static let instant = "2025-06-30T17:00:00+07:00"

    /// What a user asks of a replay, as the files and lines they get back.
    static func answers(_ ledger: String, chunk: String) throws -> [String: String] {
        let env = ["DOSSIER_LEDGER_FOLD_CHUNK": chunk]
        var out: [String: String] = [:]
        for command in [["dossiers", "--as-of", instant, "--format", "ndjson"],
                        ["violations", "--as-of", instant, "--format", "ndjson"],
                        ["deadlines", "--as-of", instant, "--format", "ndjson"],
                        ["kpi", "--as-of", instant, "--period", "month", "--format", "ndjson"],
                        ["audit", "delays", "--as-of", instant, "--by", "officer", "--format", "ndjson"]] {
            let r = try Tool.run(command, ledger: ledger, environment: env)
            #expect(r.status == 0, "\(command) with chunks of \(chunk): \(r.stderr)")
            out[command.prefix(2).joined(separator: " ")] = r.stdout
        }
        let dir = (ledger as NSString).deletingLastPathComponent + "/replay-\(chunk)-\(UUID().uuidString)"
        let r = try Tool.run(["replay", "--as-of", instant, "--out", dir], ledger: ledger, environment: env)
        #expect(r.status == 0, "replay with chunks of \(chunk): \(r.stderr)")
        for file in ["dossiers.ndjson", "violations.ndjson", "kpi-days.ndjson"] {
            out["replay " + file] = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try? FileManager.default.removeItem(atPath: dir)
        return out
    }

    @Test func rebuildVerifyAndReplaysAgreeAtEveryChunkSize() throws {
        let ledger = try Tool.generatedProvince(dossiers: 300, seed: 23)
        defer { Tool.remove(ledger) }
        let live = try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout
        var first: [String: String]?
        for chunk in ["1", "7", "1000000"] {
            let env = ["DOSSIER_LEDGER_FOLD_CHUNK": chunk]
            let rebuilt = try Tool.run(["rebuild"], ledger: ledger, environment: env)
            #expect(rebuilt.status == 0, "rebuild with chunks of \(chunk): \(rebuilt.stderr)")
            #expect(rebuilt.stdout.contains("(300 dossiers)"), "\(rebuilt.stdout)")
            let verified = try Tool.run(["verify"], ledger: ledger, environment: env)
            #expect(verified.status == 0, "verify with chunks of \(chunk): \(verified.stderr)")
            // A replay of everything is the live projections.
            let everything = try Tool.run(["dossiers", "--as-of", "2100-01-01T00:00:00+07:00", "--format", "ndjson"], ledger: ledger, environment: env)
            #expect(everything.stdout == live, "chunks of \(chunk)")
            let answers = try Self.answers(ledger, chunk: chunk)
            #expect(answers["dossiers --as-of"]?.split(separator: "\n").count ?? 0 > 50, "the instant falls inside the province's history")
            #expect(answers["violations --as-of"]?.isEmpty == false)
            if let first {
                for (question, answer) in answers { #expect(answer == first[question], "\(question) with chunks of \(chunk)") }
            } else {
                first = answers
            }
        }
        #expect(try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout == live, "rebuilds left the live projections as they were")
    }

    @Test func aRebuildKilledAtRandomMomentsLeavesAUsableLedger() throws {
        let ledger = try Tool.generatedProvince(dossiers: 1500, seed: 29)
        defer { Tool.remove(ledger) }
        let before = try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout
        let kpiBefore = try Tool.run(["kpi", "--period", "month", "--format", "ndjson"], ledger: ledger).stdout
        var generator = SystemRandomNumberGenerator()
        for round in 0..<5 {
            let p = Process()
            p.executableURL = Tool.executable
            p.arguments = ["--ledger", ledger, "rebuild"]
            p.environment = ProcessInfo.processInfo.environment.merging(["DOSSIER_LEDGER_FOLD_CHUNK": "50"]) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 5_000...180_000, using: &generator))   // a whole rebuild takes about 0.2 s here
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let v = try Tool.run(["verify"], ledger: ledger)
            #expect(v.status == 0, "round \(round): \(v.stderr)")
            #expect(try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout == before, "round \(round)")
            #expect(try Tool.run(["kpi", "--period", "month", "--format", "ndjson"], ledger: ledger).stdout == kpiBefore, "round \(round)")
        }
        let finished = try Tool.run(["rebuild"], ledger: ledger)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
        #expect(try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout == before)
    }

    @Test func aChunkSizeThatIsNotANumberIsRefused() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let r = try Tool.run(["rebuild"], ledger: ledger, environment: ["DOSSIER_LEDGER_FOLD_CHUNK": "0"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("DOSSIER_LEDGER_FOLD_CHUNK=0"))
    }
}
