import Foundation
import Testing

/// XES logs of any size, imported as a process-mining user would: streamed,
/// plain or gzip, checked whole before anything is written.
@Suite struct XESImportTests {
    static let activities = ["Đăng ký", "Kiểm tra hồ sơ", "Thẩm định", "Phê duyệt", "Trả kết quả"]

    /// Writes a generated XES log of `traces` cases (3–8 events each, by 40
    /// resources) to `path`, and returns its NDJSON twin: the contract
    /// events the same history is made of (the agency, each resource's
    /// registration before its first activity, the activities).
    static func generate(traces: Int, to path: String, offsets: Bool = true, seed: UInt64 = 7) throws -> (events: Int, twin: [String]) {
        var random = seed
        func next(_ n: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(n))
        }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + #"<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">"# + "\n"
        text += #"  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>"# + "\n"
        text += #"  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>"# + "\n"
        var twin = [#"{"type":"agency.registered","at":"1970-01-01T07:00:00+07:00","data":{"code":"OLD","name":"Imported from XES","level":"province"},"id":"xes-agency:OLD","recordedAt":"1970-01-01T07:00:00+07:00"}"#]
        var registered = Set<String>()
        var events = 0
        var clock = 1_600_000_000
        for t in 0..<traces {
            let name = "case-\(t)"
            text += "  <trace>\n    <string key=\"concept:name\" value=\"\(name)\"/>\n    <int key=\"size\" value=\"\(t % 97)\"/>\n"
            let count = 3 + next(6)
            for i in 0..<count {
                clock += 60 + next(7200)
                let resource = "res-\(next(40))"
                let activity = activities[i % activities.count]
                let date = Date(timeIntervalSince1970: TimeInterval(clock))
                let formatter = ISO8601DateFormatter()
                formatter.timeZone = TimeZone(secondsFromGMT: 3600)
                var stamp = formatter.string(from: date)   // 2020-09-13T13:26:40+01:00
                if !offsets { stamp = String(stamp.dropLast(6)) }
                text += "    <event>\n      <string key=\"concept:name\" value=\"\(activity)\"/>\n      <string key=\"org:resource\" value=\"\(resource)\"/>\n"
                text += "      <date key=\"time:timestamp\" value=\"\(stamp)\"/>\n      <string key=\"lifecycle:transition\" value=\"complete\"/>\n    </event>\n"
                if registered.insert(resource).inserted {
                    twin.append(#"{"type":"officer.registered","at":"1970-01-01T07:00:00+07:00","data":{"id":"\#(resource)","name":"\#(resource)","agency":"OLD"},"id":"xes-officer:\#(resource)","recordedAt":"1970-01-01T07:00:00+07:00"}"#)
                }
                let full = offsets ? stamp : stamp + "+01:00"
                twin.append(#"{"type":"activity.recorded","dossier":"\#(name)","at":"\#(full)","data":{"activity":"\#(activity)","resource":"\#(resource)"},"id":"xes:\#(name)#\#(t + 1):\#(i + 1)","recordedAt":"\#(full)"}"#)
                events += 1
            }
            text += "  </trace>\n"
            if text.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        text += "</log>\n"
        try handle.write(contentsOf: Data(text.utf8))
        return (events, twin)
    }

    static func gzip(_ path: String, to target: String, members: Int = 1) throws {
        // Members of a multi-member file: the text cut in `members` parts, each compressed on its own.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var out = Data()
        let part = data.count / members + 1
        for m in 0..<members {
            let slice = data.subdata(in: min(m * part, data.count)..<min((m + 1) * part, data.count))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-c", "-6"]
            let input = Pipe(), output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            try p.run()
            let writer = Thread { try? input.fileHandleForWriting.write(contentsOf: slice); try? input.fileHandleForWriting.close() }
            writer.start()
            out.append(output.fileHandleForReading.readDataToEndOfFile())
            p.waitUntilExit()
        }
        try out.write(to: URL(fileURLWithPath: target))
    }

    func counts(_ ledger: String) throws -> (dossiers: String, events: String, handovers: [String]) {
        let stats = try Tool.run(["stats"], ledger: ledger).stdout.split(separator: "\n")
        let handovers = try Tool.run(["audit", "handovers", "--format", "ndjson"], ledger: ledger).stdout.split(separator: "\n").map(String.init).sorted()
        return (String(stats.first { $0.hasPrefix("dossiers") } ?? ""), String(stats.first { $0.hasPrefix("events") } ?? ""), handovers)
    }

    /// A 30 MB log, plain and as a two-member gzip: the same cases, events
    /// and handovers as its NDJSON twin.
    @Test func aLargeLogImportsLikeItsNDJSONTwin() throws {
        let twinLedger = try Tool.initialisedLedger()
        defer { Tool.remove(twinLedger) }
        let dir = (twinLedger as NSString).deletingLastPathComponent
        let xes = dir + "/big.xes"
        let (events, twin) = try Self.generate(traces: 20_000, to: xes)
        let size = try FileManager.default.attributesOfItem(atPath: xes)[.size] as! Int
        #expect(size > 30_000_000, "\(size) bytes")
        #expect(try Tool.run(["import", Tool.file(twin, beside: twinLedger)], ledger: twinLedger).status == 0)
        let expected = try counts(twinLedger)
        #expect(expected.handovers.count > 100)

        let plain = try Tool.initialisedLedger()
        defer { Tool.remove(plain) }
        let r = try Tool.run(["import", "--format", "xes", xes, "--agency", "OLD", "--batch", "20000"], ledger: plain)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("20000 traces, \(events) events: imported \(twin.count) events"), "\(r.stdout)")
        let got = try counts(plain)
        #expect(got.dossiers == expected.dossiers && got.events == expected.events)
        #expect(got.handovers == expected.handovers)

        try Self.gzip(xes, to: xes + ".gz", members: 2)
        let gz = try Tool.initialisedLedger()
        defer { Tool.remove(gz) }
        let g = try Tool.run(["import", "--format", "xes", xes + ".gz", "--agency", "OLD", "--batch", "20000"], ledger: gz)
        #expect(g.status == 0, "\(g.stderr)")
        let gotGz = try counts(gz)
        #expect(gotGz.events == expected.events && gotGz.handovers == expected.handovers)
        // Again: nothing new.
        #expect(try Tool.run(["import", "--format", "xes", xes + ".gz", "--agency", "OLD"], ledger: gz).stdout.contains("imported 0 events"))

        // Cut at a random byte: refused with its position, nothing written.
        let compressed = try Data(contentsOf: URL(fileURLWithPath: xes + ".gz"))
        let cut = Int.random(in: (compressed.count / 2)..<(compressed.count - 1))
        try compressed.prefix(cut).write(to: URL(fileURLWithPath: xes + ".cut.gz"))
        let empty = try Tool.initialisedLedger()
        defer { Tool.remove(empty) }
        let refused = try Tool.run(["import", "--format", "xes", xes + ".cut.gz", "--agency", "OLD", "--batch", "1000"], ledger: empty)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("refused, nothing written") && refused.stderr.contains("line "), "\(refused.stderr)")
        #expect(try Tool.run(["stats"], ledger: empty).stdout.contains("events           0"))
    }

    /// A gzip log piped on stdin is read twice like a file (checked, then
    /// appended); a damaged one on stdin is refused with nothing written.
    @Test func aLogOnStdinImportsLikeAFile() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        let xes = dir + "/stdin.xes"
        let (events, twin) = try Self.generate(traces: 300, to: xes)
        try Self.gzip(xes, to: xes + ".gz")
        let gz = try Data(contentsOf: URL(fileURLWithPath: xes + ".gz"))
        let damaged = try Tool.run(["import", "--format", "xes", "-", "--agency", "OLD", "--batch", "100"],
                                   ledger: ledger, stdin: gz.prefix(gz.count - 9))
        #expect(damaged.status == 65 && damaged.stderr.contains("stdin: not a readable XES log"), "\(damaged.stderr)")
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
        let r = try Tool.run(["import", "--format", "xes", "-", "--agency", "OLD", "--batch", "100"], ledger: ledger, stdin: gz)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("300 traces, \(events) events: imported \(twin.count) events"), "\(r.stdout)")
    }

    @Test func timestampsWithoutAnOffsetNeedTheTimezone() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let xes = (ledger as NSString).deletingLastPathComponent + "/local.xes"
        let (events, _) = try Self.generate(traces: 20, to: xes, offsets: false)
        let refused = try Tool.run(["import", "--format", "xes", xes], ledger: ledger)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("has no UTC offset") && refused.stderr.contains("--timezone"), "\(refused.stderr)")
        #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
        let r = try Tool.run(["import", "--format", "xes", xes, "--timezone", "+01:00"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let first = Tool.objects(try Tool.run(["export", "--dossier", "case-0", "--format", "ndjson"], ledger: ledger).stdout)[0]
        #expect((first["at"] as? String)?.hasSuffix("+01:00") == true)
        #expect(r.stdout.contains("20 traces, \(events) events"))
        #expect(try Tool.run(["import", "--format", "xes", xes, "--timezone", "noon"], ledger: ledger).status == 64)
    }

    static let everyType = #"""
    <?xml version="1.0" encoding="UTF-8"?>
    <!-- attributes of every XES type -->
    <log xes.version="1849-2016" xes.features="nested-attributes">
      <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
      <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
      <classifier name="Activity" keys="concept:name"/>
      <string key="concept:name" value="the log itself"/>
      <trace>
        <string key="concept:name" value="case-1"/>
        <string key="variant" value="A &amp; B"/>
        <date key="opened" value="2021-03-01T08:00:00.000+01:00"/>
        <event>
          <string key="concept:name" value="Register"/>
          <string key="org:resource" value="Anna"/>
          <date key="time:timestamp" value="2021-03-01T09:00:00.000+01:00"/>
          <string key="lifecycle:transition" value="start"/>
          <int key="amount" value="1200"/>
          <float key="rate" value="0.25"/>
          <boolean key="urgent" value="true"/>
          <id key="uuid" value="a1b2-c3"/>
          <date key="deadline" value="2021-03-05T17:00:00+01:00"/>
          <list key="tags"><values><string key="tag" value="x"/><int key="tag" value="2"/></values></list>
          <container key="office"><string key="city" value="Hà Nội"/><int key="zip" value="100000"/></container>
          <string key="note" value="nested"><int key="priority" value="2"/></string>
        </event>
        <event>
          <string key="concept:name" value="Approve"/>
          <string key="org:resource" value="Bình"/>
          <date key="time:timestamp" value="2021-03-02T10:30:00.000+01:00"/>
        </event>
      </trace>
    </log>
    """#

    /// Import → export → import gives back the same events, attribute for attribute.
    @Test func everyAttributeTypeRoundTrips() throws {
        let first = try Tool.initialisedLedger()
        defer { Tool.remove(first) }
        let dir = (first as NSString).deletingLastPathComponent
        try Self.everyType.write(toFile: dir + "/types.xes", atomically: false, encoding: .utf8)
        let r = try Tool.run(["import", "--format", "xes", dir + "/types.xes"], ledger: first)
        #expect(r.status == 0, "\(r.stderr)")
        let exported = try Tool.run(["export", "--format", "xes"], ledger: first)
        #expect(exported.status == 0)
        try exported.stdout.write(toFile: dir + "/back.xes", atomically: false, encoding: .utf8)
        let second = try Tool.initialisedLedger()
        defer { Tool.remove(second) }
        let again = try Tool.run(["import", "--format", "xes", dir + "/back.xes"], ledger: second)
        #expect(again.status == 0, "\(again.stderr)")
        func activities(_ ledger: String) throws -> [[String: Any]] {
            Tool.objects(try Tool.run(["export", "--format", "ndjson"], ledger: ledger).stdout).filter { $0["type"] as? String == "activity.recorded" }
        }
        let a = try activities(first), b = try activities(second)
        #expect(a.count == 2 && b.count == 2)
        for (x, y) in zip(a, b) {
            #expect(NSDictionary(dictionary: x["data"] as! [String: Any]).isEqual(to: y["data"] as! [String: Any]), "\(x["data"]!) vs \(y["data"]!)")
            #expect(x["dossier"] as? String == y["dossier"] as? String)
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            func instant(_ s: Any?) -> Date? { (s as? String).flatMap { format.date(from: $0) ?? plain.date(from: $0) } }
            #expect(instant(x["at"]) == instant(y["at"]) && instant(x["at"]) != nil)
        }
        let data = a[0]["data"] as! [String: Any]
        let attributes = data["attributes"] as! [String: Any]
        #expect(attributes["amount"] as? Int == 1200 && attributes["rate"] as? Double == 0.25 && attributes["urgent"] as? Bool == true)
        #expect((attributes["uuid"] as? [String: Any])?["xes"] as? String == "id")
        #expect((attributes["deadline"] as? [String: Any])?["value"] as? String == "2021-03-05T17:00:00+01:00")
        #expect(((attributes["tags"] as? [String: Any])?["values"] as? [Any])?.count == 2)
        #expect((((attributes["office"] as? [String: Any])?["attributes"] as? [String: Any])?["city"]) as? String == "Hà Nội")
        #expect(attributes["lifecycle:transition"] as? String == "start")
        #expect((data["traceAttributes"] as? [String: Any])?["variant"] as? String == "A & B")
        #expect(!attributes.keys.contains { $0.hasPrefix("ledger:") })
    }

    /// A one-trace log whose single event holds `body` among its attributes.
    static func log(eventAttributes body: String, resource: String = "Anna") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <log xes.version="1849-2016">
          <trace>
            <string key="concept:name" value="case-1"/>
            <event>
              <string key="concept:name" value="Register"/>
              <string key="org:resource" value="\(resource)"/>
              <date key="time:timestamp" value="2021-03-01T09:00:00+01:00"/>
              \(body)
            </event>
          </trace>
        </log>
        """
    }

    /// Attributes nested deeper than the ledger stores, a resource too long
    /// for an officer id, and characters XML 1.0 forbids are refused with
    /// their line, nothing written;
    /// the deepest nesting allowed imports and exports.
    @Test func tooDeepOrTooLongAttributesAreRefusedWithTheirLine() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let dir = (ledger as NSString).deletingLastPathComponent
        func nested(_ levels: Int) -> String {
            String(repeating: #"<container key="c">"#, count: levels) + #"<int key="n" value="1"/>"# + String(repeating: "</container>", count: levels)
        }
        for (name, text, rule) in [
            ("deep.xes", Self.log(eventAttributes: nested(17)), "line 9, column "),
            ("deep-list.xes", Self.log(eventAttributes: String(repeating: #"<list key="l"><values>"#, count: 40)), "line 9, column "),
            ("long.xes", Self.log(eventAttributes: "", resource: String(repeating: "r", count: 600)), "line 5: org:resource is longer than 64 bytes"),
            ("reference.xes", Self.log(eventAttributes: "", resource: "P&#0;ete"), "the character reference &#0; names no character XML 1.0 allows"),
            ("raw.xes", Self.log(eventAttributes: "", resource: "P\u{1}ete"), "control character U+0001 inside an attribute value"),
        ] {
            try text.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
            let r = try Tool.run(["import", "--format", "xes", dir + "/" + name], ledger: ledger)
            #expect(r.status == 65, "\(name): \(r.stderr)")
            #expect(r.stderr.contains("refused, nothing written") && r.stderr.contains(rule), "\(name): \(r.stderr)")
            #expect(!name.hasPrefix("deep") || r.stderr.contains("attributes nested deeper than 16 levels"), "\(r.stderr)")
            #expect(try Tool.run(["stats"], ledger: ledger).stdout.contains("events           0"))
        }
        try Self.log(eventAttributes: nested(15)).write(toFile: dir + "/deepest.xes", atomically: false, encoding: .utf8)
        let r = try Tool.run(["import", "--format", "xes", dir + "/deepest.xes"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let exported = try Tool.run(["export", "--format", "xes"], ledger: ledger)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.components(separatedBy: #"<container key="c">"#).count == 16)
    }
}
