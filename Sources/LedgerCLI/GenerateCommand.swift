import SystemIO
import ProvinceGenerator

/// `generate [--dossiers N] [--seed S] [--from Y] [--years K]`: contract NDJSON of a plausible province on stdout.
enum GenerateCommand {
    static let valued: Set<String> = ["dossiers", "seed", "from", "years"]

    static func options(_ args: Arguments) throws -> ProvinceGenerator.Options {
        var options = ProvinceGenerator.Options()
        if let n: Int = try args.integer("dossiers", in: 1...5_000_000) { options.dossiers = n }
        if let s: UInt64 = try args.integer("seed", in: 0...UInt64.max) { options.seed = s }
        if let y: Int = try args.integer("from", in: 2000...2100) { options.fromYear = y }
        if let k: Int = try args.integer("years", in: 1...20) { options.years = k }
        return options
    }

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: valued, flags: [])
        _ = try args.positionals(max: 0, command: "generate")
        try context.out.flush()
        let summary = try ProvinceGenerator(options: try options(args)).write(toFileDescriptor: 1)
        printError("generated \(summary.events) events: \(summary.dossiers) dossiers, \(summary.agencies) agencies, \(summary.officers) officers, \(summary.procedures) procedures")
    }
}
