import SystemIO
import Foundation
import LedgerContract
import Projections

/// The `dossier-ledger` command line: global options, dispatch to commands,
/// and the mapping of every failure to a message on stderr and an exit code.
public enum DossierLedgerCLI {
    /// A fault on a ledger's file (a damaged page LMDB follows) ends the
    /// tool with a line naming the ledger and exit 65, not a crash. Call
    /// first thing in `main`, before `run`.
    public static func reportFileFaultsAsDamage() {
        Ledger.reportFileFaultsAsDamage(program: "dossier-ledger")
    }

    /// Runs the tool with `arguments` (without the program name) and returns its exit code.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        var args = arguments
        var ledgerPath = environment["DOSSIER_LEDGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "./ledger"
        var ledgerGiven = environment["DOSSIER_LEDGER"].map { !$0.isEmpty } ?? false
        // Global options come before the command.
        while let first = args.first, first.hasPrefix("--") {
            if first == "--help" || first == "-h" { print(Help.tool); return ExitCode.ok.rawValue }
            if first == "--ledger" {
                guard args.count >= 2 else { printError("dossier-ledger: option --ledger needs a directory"); return ExitCode.usage.rawValue }
                ledgerPath = args[1]
                ledgerGiven = true
                args.removeFirst(2)
            } else if first.hasPrefix("--ledger=") {
                ledgerPath = String(first.dropFirst("--ledger=".count))
                ledgerGiven = true
                args.removeFirst()
            } else {
                break
            }
        }
        guard let name = args.first else {
            printError(Help.tool)
            return ExitCode.usage.rawValue
        }
        var rest = Array(args.dropFirst())
        // `--ledger` is accepted after the command too.
        if let i = rest.firstIndex(of: "--ledger"), i + 1 < rest.count {
            ledgerPath = rest[i + 1]
            ledgerGiven = true
            rest.removeSubrange(i...(i + 1))
        } else if let i = rest.firstIndex(where: { $0.hasPrefix("--ledger=") }) {
            ledgerPath = String(rest[i].dropFirst("--ledger=".count))
            ledgerGiven = true
            rest.remove(at: i)
        }
        if name == "help" {
            if let topic = rest.first, let text = Help.commands[topic] { print(text) } else { print(Help.tool) }
            return ExitCode.ok.rawValue
        }
        guard let command = Self.commands[name] else {
            printError("dossier-ledger: unknown command \"\(name)\"\n\n" + Help.tool)
            return ExitCode.usage.rawValue
        }
        if rest.contains("--help") || rest.contains("-h") {
            print(Help.commands[name] ?? Help.tool)
            return ExitCode.ok.rawValue
        }
        let context = CommandContext(ledgerPath: ledgerPath, ledgerGiven: ledgerGiven, arguments: rest, environment: environment)
        do {
            try command(context)
            try context.out.flush()
            return ExitCode.ok.rawValue
        } catch {
            try? context.out.flush()
            let (code, message) = describe(error)
            printError("dossier-ledger \(name): \(message)")
            return code.rawValue
        }
    }

    static let commands: [String: @Sendable (CommandContext) throws -> Void] = [
        "init": InitCommand.run,
        "append": AppendCommand.run,
        "import": ImportCommand.run,
        "export": ExportCommand.run,
        "history": HistoryCommand.run,
        "verify": VerifyCommand.run,
        "stats": StatsCommand.run,
        "show": ShowCommand.run,
        "dossiers": DossiersCommand.run,
        "violations": ViolationsCommand.run,
        "site": SiteCommand.run,
        "sync": SyncCommand.run,
        "kpi": KPICommand.run,
        "report": ReportCommand.run,
        "scorecard": ScorecardCommand.run,
        "deadlines": DeadlinesCommand.run,
        "targets": TargetsCommand.run,
        "rebuild": RebuildCommand.run,
        "generate": GenerateCommand.run,
        "demo": DemoCommand.run,
        "audit": AuditCommand.run,
        "replay": ReplayCommand.run,
        "subscribe": SubscribeCommand.run,
        "subscriptions": SubscriptionsCommand.run,
    ]

    /// A refused append's exit code and line; `written` says what of the input was not written.
    static func describe(_ r: AppendRefusal, written: String) -> (ExitCode, String) {
        switch r.kind {
        case .versionConflict: (.temporaryFailure, "conflict, \(written): \(r)")
        case .invalid, .idConflict: (.dataError, "refused, \(written): \(r)")
        }
    }

    static func describe(_ error: any Error) -> (ExitCode, String) {
        switch error {
        case let f as CommandFailure:
            return (f.code, f.message)
        case let r as AppendRefusal:
            return describe(r, written: "nothing written")
        case let r as ImportCommand.RefusedAfterEarlierBatches:
            return describe(r.refusal, written: "nothing of its batch written")
        case let e as LedgerError:
            switch e.kind {
            case .missing: return (.noInput, e.description)
            case .notALedger: return (.noInput, e.description)
            case .alreadyExists: return (.cannotCreate, e.description)
            case .corrupt: return (.dataError, e.description)
            case .storage: return (.ioError, e.description)
            case .insecure: return (.noPermission, e.description)
            case .invalidArgument: return (.usage, e.description)
            }
        case let e as IOFailure where e.isDamage:
            return (.dataError, "the ledger's pages are damaged: \(e.description)")
        case let e as IOFailure:
            return (.ioError, e.description)
        case let e as RecordDecodingError:
            return (.dataError, "the ledger's stored bytes do not decode (damaged): \(e.reason)")
        default:
            return (.software, "\(error)")
        }
    }
}

/// What every command gets: where the ledger is, its arguments, stdout.
struct CommandContext {
    let ledgerPath: String
    /// Whether the user named the ledger (--ledger or DOSSIER_LEDGER).
    let ledgerGiven: Bool
    let arguments: [String]
    let environment: [String: String]
    let out = Output()

    /// Opens the ledger; `DOSSIER_LEDGER_FOLD_CHUNK` sets the dossiers folded
    /// together by rebuild and verify (`Ledger.Options.foldChunkSize`).
    func openLedger() throws -> Ledger {
        var options = Ledger.Options()
        if let text = environment["DOSSIER_LEDGER_FOLD_CHUNK"] {
            guard let chunk = Int(text), chunk > 0 else {
                throw CommandFailure(.usage, "DOSSIER_LEDGER_FOLD_CHUNK=\(text): expected a number of dossiers ≥ 1")
            }
            options.foldChunkSize = chunk
        }
        return try Ledger.open(at: ledgerPath, options: options)
    }
}
