import Foundation
import Testing

/// Imports killed with SIGKILL at random moments: nothing committed is lost,
/// nothing partial is kept, and a re-run completes without duplicates.
@Suite struct CrashTests {
    @Test func importKilledAtRandomMomentsLosesNothingCommitted() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        let generated = try Tool.run(["generate", "--dossiers", "400", "--seed", "11"]).stdout
        let total = generated.split(separator: "\n").count
        let input = Tool.file(generated.split(separator: "\n").map(String.init), beside: ledger)
        var generator = SystemRandomNumberGenerator()
        var lastCommitted = 0
        for round in 0..<6 {
            let log = dir + "/import-\(round).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let p = Process()
            p.executableURL = Tool.executable
            p.arguments = ["--ledger", ledger, "import", input, "--batch", "150", "--verbose"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try p.run()
            usleep(UInt32.random(in: 20_000...250_000, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            // Every batch reported committed is there; the chain and the projections verify.
            let reported = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n")
                .compactMap { $0.split(separator: "–").last.flatMap { Int($0) } }.max() ?? 0
            let events = Tool.objects(try Tool.run(["export"], ledger: ledger).stdout).compactMap { $0["seq"] as? Int }
            #expect(events == Array(0..<events.count).map { $0 + 1 }, "round \(round): seq gapless")
            #expect(events.count >= reported, "round \(round): reported commits present")
            #expect(events.count >= lastCommitted, "round \(round): nothing lost")
            #expect(events.count % 150 == 0 || events.count == total, "round \(round): no partial batch")
            lastCommitted = events.count
            let v = try Tool.run(["verify"], ledger: ledger)
            #expect(v.status == 0, "round \(round): \(v.stderr)")
        }
        let finish = try Tool.run(["import", input, "--batch", "150"], ledger: ledger)
        #expect(finish.status == 0, "\(finish.stderr)")
        let ids = Tool.objects(try Tool.run(["export"], ledger: ledger).stdout).compactMap { $0["id"] as? String }
        #expect(ids.count == total)
        #expect(Set(ids).count == total)
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }
}
