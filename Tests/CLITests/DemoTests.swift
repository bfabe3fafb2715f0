import Foundation
import Testing

/// The main job and the generator, at a small scale.
@Suite struct DemoTests {
    @Test func demoImportsAProvinceAndShowsWhatAnOfficeLooksAtFirst() throws {
        let dir = (Tool.temporaryLedger() as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = dir + "/demo"
        let r = try Tool.run(["demo", "--dossiers", "400", "--seed", "7"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        for heading in ["KPIs by year", "Most common violations:", "Officers with the most working hours over step budgets:",
                        "finished latest after its due instant", "Try next"] {
            #expect(r.stdout.contains(heading), "missing \(heading)")
        }
        #expect(r.stdout.contains("H40 "))
        // It writes the province's site beside the ledger and says where to open it.
        let site = try #require(DOM.matches(r.stdout, #"(file://\S+/index\.html)"#).first)
        let index = try #require(URL(string: site)).path
        #expect(index == ledger + "-site/index.html")
        #expect(FileManager.default.fileExists(atPath: index))
        #expect(FileManager.default.fileExists(atPath: ledger + "-site/agency/H40.html"))
        // The demo's ledger is a real one: it verifies, and a second run replaces it.
        let v = try Tool.run(["verify"], ledger: ledger)
        #expect(v.status == 0, "\(v.stderr)")
        #expect(try Tool.run(["demo", "--dossiers", "50"], ledger: ledger).status == 0)
        // It refuses to replace a directory it did not make.
        let other = dir + "/mine"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let refused = try Tool.run(["demo", "--dossiers", "10"], ledger: other)
        #expect(refused.status == 73)
    }

    @Test func generateIsDeterministicAndImportsCleanly() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let a = try Tool.run(["generate", "--dossiers", "150", "--seed", "3", "--from", "2024", "--years", "2"])
        let b = try Tool.run(["generate", "--dossiers", "150", "--seed", "3", "--from", "2024", "--years", "2"])
        #expect(a.status == 0)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != (try Tool.run(["generate", "--dossiers", "150", "--seed", "4", "--from", "2024", "--years", "2"])).stdout)
        let file = Tool.file(a.stdout.split(separator: "\n").map(String.init), beside: ledger)
        let imported = try Tool.run(["import", file], ledger: ledger)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }
}
