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
        guard let dir = args.value("out") else { throw CommandFailure(.usage, "replay needs --out DIR (a new directory)") }
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        guard let past = try PastInstantArgument.parse(args, calendar: calendar) else {
            throw CommandFailure(.usage, "replay needs --as-of T or --known-at T")
        }
        guard !FileManager.default.fileExists(atPath: dir) else { throw CommandFailure(.cannotCreate, "\(dir) already exists; give a new directory") }
        let head = try ledger.read { try $0.head() }
        let fold = try Replay.fold(ledger, as: past)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        func write(_ name: String, _ rows: [JSONObject]) throws {
            var w = JSONWriter(capacity: 1 << 16)
            for row in rows { w.object(row); w.bytes.append(0x0A) }
            let path = dir + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(w.bytes), attributes: [.posixPermissions: 0o444]) else {
                throw CommandFailure(.ioError, "cannot write \(path)")
            }
        }
        var dossiers: [JSONObject] = [], violations: [JSONObject] = []
        fold.forEachDossier(inCodeOrder: true) { state, _ in
            dossiers.append(state.json(reference: fold.reference))
            violations += state.violations(reference: fold.reference, asOf: past.instant).map(\.json)
        }
        try write("dossiers.ndjson", dossiers)
        try write("violations.ndjson", violations)
        try write("kpi-days.ndjson", try fold.kpiRows(KPIAggregation(period: .day, asOf: past.instant)).map { $0.json(bands: [:]) })
        let (kind, instant): (String, Int64) = switch past {
        case .happenedBy(let t): ("asOf", t)
        case .knownAt(let t): ("knownAt", t)
        }
        let manifest: JSONObject = [
            kind: .string(calendar.localTimestamp(instant).text),
            "ledger": .string(context.ledgerPath), "ledgerHeadSeq": .int(Int64(head.seq)), "ledgerHeadHash": .string(head.hash.hex),
            "eventsFolded": .int(Int64(fold.lastSeq)), "dossiers": .int(Int64(fold.dossierCount)),
            "files": .array(["dossiers.ndjson", "violations.ndjson", "kpi-days.ndjson"].map(JSONValue.string)),
        ]
        try write("manifest.json", [manifest])
        try FileSystem.setPermissions(dir, 0o555)   // read-only: a replay is evidence, not a working copy
        try context.out.line("wrote the projections as of \(args.value("as-of") ?? args.value("known-at") ?? "") (\(kind)) to \(dir): \(fold.dossierCount) dossiers")
    }
}
