import Projections
import WorkingTime

enum InitCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["map-size", "working-hours"], flags: ["group-readable", "allow-personal-data"])
        _ = try args.positionals(max: 0, command: "init")
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
        _ = try Ledger.create(at: context.ledgerPath, options: options, workingHours: hours,
                              allowPersonalData: args.flag("allow-personal-data"))
        try context.out.line("created ledger at \(context.ledgerPath) (working hours \(hours.text))")
    }
}
