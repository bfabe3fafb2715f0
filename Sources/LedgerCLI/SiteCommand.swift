import Audit
import Foundation
import LedgerContract
import Projections
import ReportSite
import Subscriptions

/// `site --out DIR [--as-of T|--known-at T] [--period month|quarter|year] [--list N] [--follow]`:
/// writes the static HTML report site of the ledger (index, agencies, officers and dossiers listed).
enum SiteCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: PastInstantArgument.options.union(["out", "period", "list"]), flags: ["follow"])
        _ = try args.positionals(max: 0, command: "site")
        guard let out = args.value("out"), !out.isEmpty else { throw CommandFailure(.usage, "site needs --out DIR, the directory to write the site to") }
        let periodText = args.value("period") ?? KPIPeriod.quarter.rawValue
        guard let period = KPIPeriod(rawValue: periodText), period != .day else {
            throw CommandFailure(.usage, "--period \(periodText): expected month, quarter or year")
        }
        let limit = try args.integer("list", in: 1...1000) ?? 10
        let follow = args.flag("follow")
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        if follow && past != nil {
            throw CommandFailure(.usage, "--follow keeps the site current as the ledger moves; it cannot be combined with --as-of or --known-at")
        }
        var writer = try SiteWriter(ledger: ledger, directory: out)
        func options() throws -> SiteOptions {
            SiteOptions(period: period, past: past, asOf: try PastInstantArgument.evaluationInstant(past, calendar: calendar), listLimit: limit)
        }
        // The commit counter is read before the first rendering: a commit made while it renders is rendered again.
        let follower = LogFollower(ledger: ledger)
        var counter = try follower.commitCounter()
        let start = Date()
        let update = try writer.write(try options())
        try context.out.line(String(format: "wrote %d page%@ (%d agencies, %d officers, %d dossiers) to %@ in %.1f s, as of head seq %llu",
                                    update.pages, update.pages == 1 ? "" : "s", update.agencyPages, update.officerPages, update.dossierPages, out,
                                    Date().timeIntervalSince(start), update.head.seq))
        try context.out.line("open \(URL(fileURLWithPath: out).appendingPathComponent("index.html").path)")
        try context.out.flush()
        guard follow else { return }
        while true {
            guard let next = try follower.waitForCommit(after: counter, timeout: 60) else { continue }
            counter = next
            let again = try writer.write(try options())
            try context.out.line("head seq \(again.head.seq): \(again.written) pages written, \(again.removed) removed")
            try context.out.flush()
        }
    }
}
