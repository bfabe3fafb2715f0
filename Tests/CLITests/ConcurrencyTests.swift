import Foundation
import Testing

@Suite struct ConcurrencyTests {
    /// Three writer processes append at the same time while a follower and a
    /// reader run; LMDB's writer lock serialises the writers, seq stays
    /// gapless and the projections equal a rebuild.
    @Test func writerProcessesGetGaplessSeqsWhileReadersAndFollowersRun() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let reference = Array(Tool.fixtureLines()[0..<8])
        #expect(try Tool.run(["append", Tool.file(reference, beside: ledger)], ledger: ledger).status == 0)
        let batches = 25
        // A follower and a reader run while the writers append.
        let followed = (ledger as NSString).deletingLastPathComponent + "/followed.ndjson"
        _ = FileManager.default.createFile(atPath: followed, contents: nil)
        let follower = Process()
        follower.executableURL = Tool.executable
        follower.arguments = ["--ledger", ledger, "subscribe", "watch", "--follow"]
        follower.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: followed))
        try follower.run()
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "for i in $(seq 1 30); do '\(Tool.executable.path)' --ledger '\(ledger)' verify >/dev/null || exit 1; done"]
        try reader.run()
        var scripts: [String] = []
        for writer in ["A", "B", "C"] {
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
        reader.waitUntilExit()
        #expect(reader.terminationStatus == 0, "verify while writers appended")

        let events = Tool.objects(try Tool.run(["export"], ledger: ledger).stdout)
        #expect(events.count == 8 + 3 * batches * 3)
        #expect(events.map { $0["seq"] as? Int } == Array(1..<(events.count + 1)).map { Optional($0) })
        var versions: [String: [Int]] = [:]
        for e in events { if let d = e["dossier"] as? String { versions[d, default: []].append(e["version"] as! Int) } }
        #expect(versions.count == 3 * batches)
        #expect(versions.values.allSatisfy { $0 == [1, 2, 3] })
        let verify = try Tool.run(["verify"], ledger: ledger)
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("projections match a rebuild"))
        // The follower saw every event once, in order.
        let deadline = Date().addingTimeInterval(10)
        var seen: [Int] = []
        while Date() < deadline {
            seen = Tool.objects((try? String(contentsOfFile: followed, encoding: .utf8)) ?? "").compactMap { $0["seq"] as? Int }
            if seen.count >= events.count { break }
            usleep(10_000)
        }
        kill(follower.processIdentifier, SIGKILL)
        follower.waitUntilExit()
        #expect(seen == Array(1..<(events.count + 1)))
    }
}
