import SystemIO
import Audit
import Foundation
import LedgerContract
import Projections
import WorkingTime

/// `replay --as-of T|--known-at T --out DIR`: the projections as of a past
/// instant, written as read-only NDJSON files for further questions.
enum ReplayCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["out"]), flags: [])
        _ = try args.positionals(max: 0, command: "replay")
        guard let dir = args.value("out"), !dir.isEmpty else { throw CommandFailure(.usage, "replay needs --out DIR (a new directory)") }
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        guard let past = try PastInstantArgument.parse(args, calendar: calendar) else {
            throw CommandFailure(.usage, "replay needs --as-of T or --known-at T")
        }
        guard !FileManager.default.fileExists(atPath: dir) else { throw CommandFailure(.cannotCreate, "\(dir) already exists; give a new directory") }
        let head = try ledger.read { try $0.head() }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw CommandFailure(.cannotCreate, "cannot create directory \(dir.count > 200 ? dir.prefix(200) + "…" : dir): \(reason)")
        }

        /// An NDJSON file of the replay, written as its rows come (read-only once closed).
        final class RowFile {
            let path: String
            let fd: Int32
            let out: Output
            var writer = JSONWriter(capacity: 1 << 12)
            init(_ path: String) throws {
                self.path = path
                fd = try FileSystem.createForWriting(path)
                out = Output(fd: fd)
            }
            func row(_ object: JSONObject) throws {
                writer.bytes.removeAll(keepingCapacity: true)
                writer.object(object)
                writer.bytes.append(0x0A)
                try out.write(writer.bytes)
            }
            func close() throws {
                defer { FileSystem.close(fd) }
                try out.flush()
                try FileSystem.setPermissions(path, 0o444)
            }
        }
        let dossiers = try RowFile(dir + "/dossiers.ndjson"), violations = try RowFile(dir + "/violations.ndjson")
        let extent = try Replay.forEachDossier(ledger, as: past) { state, reference in
            try dossiers.row(state.json(reference: reference))
            for v in state.violations(reference: reference, asOf: past.instant) { try violations.row(v.json) }
        }
        try dossiers.close()
        try violations.close()
        func write(_ name: String, _ rows: some Sequence<JSONObject>) throws {
            let file = try RowFile(dir + "/" + name)
            for row in rows { try file.row(row) }
            try file.close()
        }
        // Each agency-day's line is made as it is written: the rows of years of days are not held twice.
        try write("kpi-days.ndjson", try Replay.kpiRows(ledger, as: past, KPIAggregation(period: .day, asOf: past.instant)).lazy.map { $0.json(bands: [:]) })
        let (kind, instant): (String, Int64) = switch past {
        case .happenedBy(let t): ("asOf", t)
        case .knownAt(let t): ("knownAt", t)
        }
        let manifest: JSONObject = [
            kind: .string(calendar.localTimestamp(instant).text),
            "ledger": .string(context.ledgerPath), "ledgerHeadSeq": .int(Int64(head.seq)), "ledgerHeadHash": .string(head.hash.hex),
            "eventsFolded": .int(Int64(extent.lastSeq)), "dossiers": .int(Int64(extent.dossiers)),
            "files": .array(["dossiers.ndjson", "violations.ndjson", "kpi-days.ndjson"].map(JSONValue.string)),
        ]
        try write("manifest.json", [manifest])
        try FileSystem.setPermissions(dir, 0o555)   // read-only: a replay is evidence, not a working copy
        try context.out.line("wrote the projections as of \(args.value("as-of") ?? args.value("known-at") ?? "") (\(kind)) to \(dir): \(extent.dossiers) dossiers")
    }
}
