import SystemIO
import Projections
import WorkingTime

enum InitCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["map-size", "working-hours", "province"], flags: ["group-readable", "allow-personal-data"])
        _ = try args.positionals(max: 0, command: "init")
        let province = args.value("province")
        if let province, !LedgerIdentity.isValidProvinceCode(province) {
            throw CommandFailure(.usage, "--province \(province): expected the province's code, e.g. H40 (letters, digits, '.', '-', '_')")
        }
        // An existing ledger gets its identity, once; the options of creation no longer apply to it.
        if let province, FileSystem.exists(context.ledgerPath + "/data.mdb") {
            let fixed = ["map-size", "working-hours"].filter { args.value($0) != nil } + ["group-readable", "allow-personal-data"].filter { args.flag($0) }
            guard fixed.isEmpty else {
                throw CommandFailure(.usage, "\(context.ledgerPath) exists: --\(fixed[0]) applies only when a ledger is created")
            }
            let (identity, now) = try context.openLedger().recordIdentity(province: province)
            try context.out.line(now ? "ledger \(context.ledgerPath) is now the ledger of province \(identity.province) (ledger id \(identity.ledgerID))"
                                     : "ledger \(context.ledgerPath) already is the ledger of province \(identity.province) (ledger id \(identity.ledgerID))")
            return
        }
        var hours = WorkingHours.standard
        if let text = args.value("working-hours") {
            guard let parsed = WorkingHours(text: text) else {
                throw CommandFailure(.usage, "--working-hours \(text): expected sorted, non-overlapping periods like 07:30-11:30,13:00-17:00")
            }
            hours = parsed
        }
        var options = Ledger.Options()
        if let size: Int = try args.integer("map-size", in: (1 << 20)...(1 << 44)) { options.mapSize = size }
        // Owner-only unless the ledger is meant to be read by a group (auditors).
        options.groupReadable = args.flag("group-readable")
        let ledger = try Ledger.create(at: context.ledgerPath, options: options, workingHours: hours,
                                       allowPersonalData: args.flag("allow-personal-data"))
        let identity = try province.map { try ledger.recordIdentity(province: $0).identity }
        try context.out.line("created ledger at \(context.ledgerPath) (working hours \(hours.text))"
                             + (identity.map { ", province \($0.province), ledger id \($0.ledgerID)" } ?? ""))
    }
}
