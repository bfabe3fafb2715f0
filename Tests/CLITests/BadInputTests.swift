import Foundation
import Testing

/// The corpus of bad inputs under Tests/Fixtures/bad: each refused with the
/// line and the rule, exit 65, and the ledger unchanged (event count and head hash).
@Suite struct BadInputTests {
    struct Expectation: Decodable { let file: String; let line: Int; let rule: String }

    static let corpus: [Expectation] = {
        let data = try! Data(contentsOf: Tool.fixtures.appendingPathComponent("bad/expectations.json"))
        return try! JSONDecoder().decode([Expectation].self, from: data)
    }()

    func head(_ ledger: String) throws -> [Substring] {
        try Tool.run(["stats"], ledger: ledger).stdout.split(separator: "\n").filter { $0.hasPrefix("events") || $0.hasPrefix("head") }
    }

    @Test(arguments: 0..<corpus.count)
    func refusedWithTheLineAndTheRule(_ index: Int) throws {
        let expectation = Self.corpus[index]
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["append", Tool.file(Array(Tool.fixtureLines()[0..<8]), beside: ledger)], ledger: ledger).status == 0)
        let before = try head(ledger)
        for command in ["append", "import"] {
            let r = try Tool.run([command, Tool.fixtures.appendingPathComponent("bad/" + expectation.file).path], ledger: ledger)
            #expect(r.status == 65, "\(expectation.file) via \(command): \(r.stderr)")
            #expect(r.stderr.contains("line \(expectation.line)"), "\(expectation.file) via \(command): \(r.stderr)")
            #expect(r.stderr.contains(expectation.rule), "\(expectation.file) via \(command): \(r.stderr)")
            #expect(try head(ledger) == before, "\(expectation.file) via \(command): ledger changed")
        }
    }

    @Test func aHundredMegabyteLineIsRefusedInBoundedMemory() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let path = (ledger as NSString).deletingLastPathComponent + "/huge.ndjson"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data((Tool.fixtureLines()[0] + "\n").utf8))
        try handle.write(contentsOf: Data(#"{"type":"dossier.rejected","dossier":"X","at":"2024-03-04T09:05:00+07:00","data":{"reason":""#.utf8))
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\"}}\n".utf8))
        try handle.close()
        let before = try head(ledger)
        let r = try Tool.run(["append", path], ledger: ledger)
        #expect(r.status == 65)
        #expect(r.stderr.contains("line 2"))
        #expect(r.stderr.contains("line longer than 1048576 bytes"))
        #expect(try head(ledger) == before)
    }
}
