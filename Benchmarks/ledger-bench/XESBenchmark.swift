import Foundation
import LedgerContract
import Projections
import ProvinceGenerator

/// `import --format xes` of a generated XES log of about `events` events,
/// as a user runs it (the `dossier-ledger` executable in a child process,
/// spawn to exit, with its peak RSS), against the same history imported as
/// contract NDJSON (its twin: the same agency, resources and activities,
/// with the same ids), in the same run.
enum XESBenchmark {
    static let rateGoal = 100_000.0
    static let memoryGoal = 200.0 * 1_048_576

    /// Writes the log and its twin; returns the number of activity events.
    static func generate(events target: Int, xes: String, ndjson: String) throws -> Int {
        _ = FileManager.default.createFile(atPath: xes, contents: nil)
        _ = FileManager.default.createFile(atPath: ndjson, contents: nil)
        let x = try FileHandle(forWritingTo: URL(fileURLWithPath: xes)), n = try FileHandle(forWritingTo: URL(fileURLWithPath: ndjson))
        defer { try? x.close(); try? n.close() }
        let activities = ["Đăng ký", "Kiểm tra hồ sơ", "Thẩm định", "Phê duyệt", "Trả kết quả"]
        var random = SplitMix64(seed: 11)
        var xesText = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1849-2016\">\n"
        var twin = #"{"type":"agency.registered","at":"1970-01-01T07:00:00+07:00","data":{"code":"XES","name":"Imported from XES","level":"province"},"id":"xes-agency:XES","recordedAt":"1970-01-01T07:00:00+07:00"}"# + "\n"
        var registered = Set<Int>()
        var written = 0, trace = 0
        var clock: Int64 = 1_600_000_000
        while written < target {
            let name = "case-\(trace)"
            trace += 1
            xesText += "  <trace>\n    <string key=\"concept:name\" value=\"\(name)\"/>\n"
            for i in 0..<(3 + random.below(12)) {
                clock += Int64(60 + random.below(7200))
                let resource = random.below(300)
                let activity = activities[i % activities.count]
                let cost = random.below(100_000)
                let stamp = Timestamp(seconds: clock, offsetMinutes: 60).text
                xesText += "    <event>\n      <string key=\"concept:name\" value=\"\(activity)\"/>\n      <string key=\"org:resource\" value=\"r\(resource)\"/>\n"
                xesText += "      <date key=\"time:timestamp\" value=\"\(stamp)\"/>\n      <string key=\"lifecycle:transition\" value=\"complete\"/>\n"
                xesText += "      <int key=\"cost\" value=\"\(cost)\"/>\n    </event>\n"
                if registered.insert(resource).inserted {
                    twin += #"{"type":"officer.registered","at":"1970-01-01T07:00:00+07:00","data":{"id":"r\#(resource)","name":"r\#(resource)","agency":"XES"},"id":"xes-officer:r\#(resource)","recordedAt":"1970-01-01T07:00:00+07:00"}"# + "\n"
                }
                twin += #"{"type":"activity.recorded","dossier":"\#(name)","at":"\#(stamp)","data":{"activity":"\#(activity)","resource":"r\#(resource)","attributes":{"lifecycle:transition":"complete","cost":\#(cost)}},"id":"xes:\#(name)#\#(trace):\#(i + 1)","recordedAt":"\#(stamp)"}"# + "\n"
                written += 1
            }
            xesText += "  </trace>\n"
            if xesText.utf8.count > 1 << 20 {
                try x.write(contentsOf: Data(xesText.utf8)); xesText = ""
                try n.write(contentsOf: Data(twin.utf8)); twin = ""
            }
        }
        xesText += "</log>\n"
        try x.write(contentsOf: Data(xesText.utf8))
        try n.write(contentsOf: Data(twin.utf8))
        return written
    }

    static func figure(events: Int, directory: String) throws -> Figure? {
        guard FileManager.default.isExecutableFile(atPath: SubscriptionBenchmark.tool.path) else { return nil }
        func child(_ name: String) -> String { directory + "/" + name }
        let xes = child("log.xes"), twin = child("twin.ndjson")
        let activities = try generate(events: events, xes: xes, ndjson: twin)
        let bytes = (try FileManager.default.attributesOfItem(atPath: xes)[.size] as? Int) ?? 0
        sync()   // the generated files reach the disk before the timed imports, whose commits are durable
        for ledger in ["xes-ledger", "twin-ledger"] {
            _ = try ReportBenchmark.run(["--ledger", child(ledger), "init"])
        }
        let x = try ReportBenchmark.run(["--ledger", child("xes-ledger"), "import", "--format", "xes", xes, "--batch", "5000"])
        let n = try ReportBenchmark.run(["--ledger", child("twin-ledger"), "import", twin, "--batch", "5000"])
        let rate = Double(activities) / x.seconds, twinRate = Double(activities) / n.seconds
        return Figure(
            name: "xesImport",
            subject: Side(label: "import --format xes of a generated log (\(grouped(Double(activities))) events, \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB), read twice (checked whole, then appended)",
                          values: [Value("seconds", x.seconds, .seconds, label: "in"), Value("eventsPerSecond", rate, .eventsPerSecond),
                                   Value("peakRSSBytes", x.peakRSSBytes, .bytes, label: "peak RSS")]),
            baseline: Side(label: "the same history as contract NDJSON, import, same batches",
                           values: [Value("seconds", n.seconds, .seconds, label: "in"), Value("eventsPerSecond", twinRate, .eventsPerSecond),
                                    Value("peakRSSBytes", n.peakRSSBytes, .bytes, label: "peak RSS")]),
            comparison: Value("ratio", rate / twinRate, .ratio),
            comparisonLabel: "xes / ndjson",
            goal: "≥ 100,000 events/s, peak RSS ≤ 200 MB",
            met: rate >= rateGoal && x.peakRSSBytes <= memoryGoal,
            notes: ["child processes timed from spawn to exit (process start included)"])
    }
}
