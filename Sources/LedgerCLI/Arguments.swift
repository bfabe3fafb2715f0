import LedgerContract

/// A command's arguments: positionals and `--name value` / `--flag`
/// options, parsed against the options the command declares. Unknown options
/// and missing values are usage errors that name the argument.
struct Arguments {
    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// - Parameters:
    ///   - valued: options that take a value (`--from 3` or `--from=3`).
    ///   - flags: options without a value.
    init(_ args: [String], valued: Set<String>, flags allowedFlags: Set<String>) throws(CommandFailure) {
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("--") || a == "-" {
                if a.hasPrefix("-") && a != "-" && !onlyPositionals {
                    throw CommandFailure(.usage, "unknown option \(a)")
                }
                positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if valued.contains(name) {
                if let inline { values[name] = inline; continue }
                guard i < args.count else { throw CommandFailure(.usage, "option --\(name) needs a value") }
                values[name] = args[i]
                i += 1
            } else if allowedFlags.contains(name) {
                guard inline == nil else { throw CommandFailure(.usage, "option --\(name) takes no value") }
                flags.insert(name)
            } else {
                throw CommandFailure(.usage, "unknown option --\(name)")
            }
        }
    }

    func value(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// A whole-number option within `range`.
    func integer<T: FixedWidthInteger>(_ name: String, in range: ClosedRange<T>) throws(CommandFailure) -> T? {
        guard let text = values[name] else { return nil }
        guard let v = T(text), range.contains(v) else {
            throw CommandFailure(.usage, "--\(name) \(text): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// At most `max` positionals; more is a usage error quoting `command`'s usage (`Help.usage`).
    func positionals(max: Int, command: String) throws(CommandFailure) -> [String] {
        guard positionals.count <= max else {
            throw CommandFailure(.usage, "unexpected argument \(positionals[max]) (usage: \(Help.usage(command)))")
        }
        return positionals
    }

    /// The one positional of a command that names a dossier: a non-empty
    /// code of at most `Event.maxDossierCodeBytes` bytes, as an event's `dossier` is.
    func dossierCode(command: String) throws(CommandFailure) -> String {
        guard let code = try positionals(max: 1, command: command).first else {
            throw CommandFailure(.usage, "\(command) needs a dossier code")
        }
        guard Self.isCode(code) else {
            throw CommandFailure(.usage, "\(command): a dossier code is non-empty text of at most \(Event.maxDossierCodeBytes) bytes")
        }
        return code
    }

    /// `--name CODE` naming a dossier, agency or officer: nil when absent,
    /// else non-empty text of at most 64 bytes, as codes in events are.
    func code(_ name: String) throws(CommandFailure) -> String? {
        guard let text = values[name] else { return nil }
        guard Self.isCode(text) else {
            throw CommandFailure(.usage, "--\(name) \(text.prefix(80)): expected a code of 1 to \(Event.maxCodeBytes) bytes")
        }
        return text
    }

    private static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= min(Event.maxCodeBytes, Event.maxDossierCodeBytes)
    }

    /// The largest seq an option may name.
    static let maxSeq = UInt64(Int64.max)
}
