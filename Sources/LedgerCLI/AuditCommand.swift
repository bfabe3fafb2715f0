import Audit
import Foundation
import LedgerContract
import Projections
import ReportSite
import WorkingTime

/// `audit dossier|officer|delays|handovers`: what inspection teams and auditors ask.
enum AuditCommand {

    static func run(_ context: CommandContext) throws {
        guard let sub = context.arguments.first else { throw CommandFailure(.usage, "audit needs what to audit (usage: \(Help.usage("audit")))") }
        let rest = Array(context.arguments.dropFirst())
        switch sub {
        case "dossier": try dossier(context, rest)
        case "officer": try officer(context, rest)
        case "delays": try delays(context, rest)
        case "handovers": try handovers(context, rest)
        default: throw CommandFailure(.usage, "unknown audit \"\(sub)\" (usage: \(Help.usage("audit")))")
        }
    }

    private static func dossier(_ context: CommandContext, _ arguments: [String]) throws {
        let args = try Arguments(arguments, valued: PastInstantArgument.options.union(["format", "backdated-hours"]), flags: [])
        let code = try args.dossierCode(command: "audit dossier")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .json, .html], default: .table)
        var rules = ViolationRules()
        if let h: Int64 = try args.integer("backdated-hours", in: 1...100_000) { rules.backdatedAfterSeconds = h * 3600 }
        let ledger = try context.openLedger()
        let calendar = try ledger.read { try $0.reference().calendar }
        let past = try PastInstantArgument.parse(args, calendar: calendar)
        let asOf = try PastInstantArgument.evaluationInstant(past, calendar: calendar)
        guard let audit = try DossierAudit.build(code, in: ledger, as: past, asOf: asOf, rules: rules) else {
            throw CommandFailure.noDossier(code, in: ledger, path: context.ledgerPath)
        }
        if format == .html {
            let head = try ledger.read { try $0.head() }
            try context.out.write(audit.html(head: head, ledgerPath: context.ledgerPath))
        } else if format == .json {
            var w = JSONWriter()
            w.object(audit.json)
            try context.out.line(String(decoding: w.bytes, as: UTF8.self))
        } else {
            try context.out.write(audit.text)
        }
    }

    /// The period options shared by the accountability reports.
    private struct Period {
        let from: Int64
        let to: Int64
        let asOf: Int64
        let source: DossierSource
    }

    private static func withPeriod<R>(_ context: CommandContext, _ args: Arguments, _ body: (Period) throws -> R) throws -> R {
        let ledger = try context.openLedger()
        return try ledger.read { snapshot in
            let live = try snapshot.dossierSource()
            let calendar = live.reference.calendar
            let from = try TimeArgument.date(args.value("from"), option: "from", end: false).map { calendar.instant(of: $0, secondsFromMidnight: 0) } ?? .min
            let to = try TimeArgument.date(args.value("to"), option: "to", end: true)
                .map { calendar.instant(of: LocalDate(daysSinceEpoch: $0.daysSinceEpoch + 1), secondsFromMidnight: 0) } ?? .max
            let past = try PastInstantArgument.parse(args, calendar: calendar)
            let asOf = try min(to, PastInstantArgument.evaluationInstant(past, calendar: calendar))
            let source = try past.map { try snapshot.dossierSource(as: $0) } ?? live
            return try body(Period(from: from, to: to, asOf: asOf, source: source))
        }
    }

    private static func hours(_ s: Int64) -> JSONValue { .double((Double(s) / 36).rounded() / 100) }

    private static func officer(_ context: CommandContext, _ arguments: [String]) throws {
        let args = try Arguments(arguments, valued: PastInstantArgument.options.union(["from", "to", "format"]), flags: [])
        let positionals = try args.positionals(max: 1, command: "audit")
        guard let id = positionals.first else { throw CommandFailure(.usage, "audit officer needs an officer id") }
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .json], default: .table)
        let report = try withPeriod(context, args) { p -> OfficerAccountability in
            guard p.source.reference.officers[id] != nil else { throw CommandFailure(.noInput, "officer \(id) is not registered in \(context.ledgerPath)") }
            return try OfficerAccountability.build(id, source: p.source, asOf: p.asOf, from: p.from, to: p.to)
        }
        let o: JSONObject = [
            "officer": .string(report.officer), "name": report.name.map(JSONValue.string) ?? .null,
            "agency": report.agency.map(JSONValue.string) ?? .null,
            "dossiersHandled": .int(Int64(report.dossiersHandled)), "stepsHeld": .int(Int64(report.stepsHeld)),
            "heldHours": hours(report.totalHeldSeconds), "medianHeldHours": hours(report.medianHeldSeconds),
            "stepsOverBudget": .int(Int64(report.stepsOverBudget)), "hoursOverBudget": hours(report.overBudgetSeconds),
            "supplementRequests": .int(Int64(report.supplementRequests)),
            "repeatedSupplementRequests": .int(Int64(report.repeatedSupplementRequests)),
            "wentLateWhileHeld": .array(report.wentLateWhileHeld.map(JSONValue.string)),
        ]
        try RowOutput.writeRecord(o, json: format == .json, to: context.out)
    }

    private static func delays(_ context: CommandContext, _ arguments: [String]) throws {
        let args = try Arguments(arguments, valued: PastInstantArgument.options.union(["agency", "from", "to", "by", "format", "limit"]), flags: [])
        _ = try args.positionals(max: 0, command: "audit")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        let byText = args.value("by") ?? "step"
        guard let by = DelayGroup.Dimension(rawValue: byText) else {
            throw CommandFailure(.usage, "--by \(byText): expected step, officer, procedure or agency")
        }
        let limit = try args.integer("limit", in: 1...1_000_000) ?? (format == .table ? 30 : 1_000_000)
        let groups = try withPeriod(context, args) { p in
            var ranking = DelayGroup.Ranking(by: by)
            try p.source.forEachHold(asOf: p.asOf, from: p.from, to: p.to, agency: args.value("agency")) { ranking.add($0) }
            return ranking.ranked()
        }
        let rows: [JSONObject] = groups.prefix(limit).map { g in
            [by.rawValue: .string(g.key), "count": .int(Int64(g.count)), "medianHours": hours(g.medianSeconds),
             "p90Hours": hours(g.p90Seconds), "totalHours": hours(g.totalSeconds),
             "shareOverBudget": g.shareOverBudget.map { .double(($0 * 1000).rounded() / 1000) } ?? .null]
        }
        try RowOutput.write(rows, columns: [by.rawValue, "count", "medianHours", "p90Hours", "totalHours", "shareOverBudget"],
                            format: format, to: context.out)
    }

    private static func handovers(_ context: CommandContext, _ arguments: [String]) throws {
        let args = try Arguments(arguments, valued: PastInstantArgument.options.union(["agency", "from", "to", "format", "limit"]), flags: [])
        _ = try args.positionals(max: 0, command: "audit")
        let format = try OutputFormat.parse(args.value("format"), allowed: [.table, .ndjson, .csv], default: .table)
        let limit = try args.integer("limit", in: 1...1_000_000) ?? (format == .table ? 30 : 1_000_000)
        let network = try withPeriod(context, args) { p in
            var network = Handover.Network()
            try p.source.forEachHold(asOf: p.asOf, from: p.from, to: p.to, agency: args.value("agency")) { network.add($0) }
            return network.ranked()
        }
        let rows: [JSONObject] = network.prefix(limit).map { h in
            ["from": .string(h.from), "to": .string(h.to), "count": .int(Int64(h.count)), "medianHeldHours": hours(h.medianHeldSeconds)]
        }
        try RowOutput.write(rows, columns: ["from", "to", "count", "medianHeldHours"], format: format, to: context.out)
    }
}
