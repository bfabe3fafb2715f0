import Foundation
import Testing

@Suite struct ConcurrencyTests {
    /// Two writer processes append at the same time; LMDB's writer lock
    /// serialises them and seq stays gapless.
    @Test func twoWriterProcessesGetGaplessSeqs() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let reference = Array(Tool.fixtureLines()[0..<8])
        #expect(try Tool.run(["append", Tool.file(reference, beside: ledger)], ledger: ledger).status == 0)
        let batches = 25
        var scripts: [String] = []
        for writer in ["A", "B"] {
            var commands: [String] = []
            for i in 0..<batches {
                let code = "W\(writer)-\(i)"
                let lines = [
                    #"{"type":"dossier.received","dossier":"\#(code)","at":"2024-03-04T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"}}"#,
                    #"{"type":"dossier.assigned","dossier":"\#(code)","at":"2024-03-04T09:10:00+07:00","actor":"cb-001","data":{"to":"cb-002","step":"Thẩm định"}}"#,
                    #"{"type":"dossier.processed","dossier":"\#(code)","at":"2024-03-04T15:00:00+07:00","actor":"cb-002","data":{"outcome":"approved"}}"#,
                ]
                let file = Tool.file(lines, beside: ledger)
                commands.append("'\(Tool.executable.path)' --ledger '\(ledger)' append '\(file)' >/dev/null || exit 1")
            }
            scripts.append(commands.joined(separator: "\n"))
        }
        let writers = scripts.map { script -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            return p
        }
        for w in writers { try w.run() }
        for w in writers { w.waitUntilExit() }
        #expect(writers.allSatisfy { $0.terminationStatus == 0 })

        let events = Tool.objects(try Tool.run(["export"], ledger: ledger).stdout)
        #expect(events.count == 8 + 2 * batches * 3)
        #expect(events.map { $0["seq"] as? Int } == Array(1...events.count).map { Optional($0) })
        var versions: [String: [Int]] = [:]
        for e in events { if let d = e["dossier"] as? String { versions[d, default: []].append(e["version"] as! Int) } }
        #expect(versions.count == 2 * batches)
        #expect(versions.values.allSatisfy { $0 == [1, 2, 3] })
        #expect(try Tool.run(["verify"], ledger: ledger).status == 0)
    }
}
