import LMDB
import Projections

enum InitCommand {
    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: ["map-size"], flags: [])
        _ = try args.positionals(max: 0, usage: "dossier-ledger init [--map-size BYTES]")
        var options = Environment.Options()
        if let size: Int = try args.integer("map-size", in: (1 << 20)...(1 << 44)) { options.mapSize = size }
        _ = try Ledger.create(at: context.ledgerPath, options: options)
        try context.out.line("created ledger at \(context.ledgerPath)")
    }
}
