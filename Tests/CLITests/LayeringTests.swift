import Foundation
import Testing

/// The module graph as README's "Where things are" draws it, checked on the
/// sources: every import of a project module is a declared dependency, the
/// domain stands on the contract alone, only `LMDB` calls `mdb_*`, only
/// `SystemIO` and `LMDB` make system calls, and the command line uses the
/// library's facade, not its storage.
@Suite struct LayeringTests {
    /// Targets and their declared dependencies, read from Package.swift.
    static let targets: [String: Set<String>] = {
        let text = try! String(contentsOf: Tool.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var out: [String: Set<String>] = [:]
        let pattern = try! NSRegularExpression(pattern: #"\.(?:target|testTarget|executableTarget|systemLibrary)\(\s*name:\s*"([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(m.range(at: 1), in: text)!])
            let deps = Range(m.range(at: 2), in: text).map { String(text[$0]) } ?? ""
            out[name] = Set(deps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }.filter { !$0.isEmpty })
        }
        return out
    }()

    static func directory(of target: String) -> URL {
        let root = Tool.packageRoot
        if target == "ledger-bench" { return root.appendingPathComponent("Benchmarks/ledger-bench") }
        let tests = root.appendingPathComponent("Tests/\(target)")
        return FileManager.default.fileExists(atPath: tests.path) ? tests : root.appendingPathComponent("Sources/\(target)")
    }

    /// The Swift files of a target: (path relative to the package, text).
    static func sources(of target: String) -> [(String, String)] {
        let dir = directory(of: target)
        guard let files = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        return files.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.map { file in
            (dir.lastPathComponent + "/" + file, try! String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
        }
    }

    static func imports(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let i = words.firstIndex(of: "import"), i == 0 || words[0] == "@testable", i + 1 < words.count else { return nil }
            return String(words[i + 1])
        })
    }

    @Test func everyImportOfAProjectModuleIsDeclared() {
        #expect(Self.targets.count > 15, "Package.swift was read")
        for (target, declared) in Self.targets where target != "CLMDB" {
            for (file, text) in Self.sources(of: target) {
                for module in Self.imports(text) where Self.targets[module] != nil && module != target {
                    #expect(declared.contains(module), "\(file) imports \(module), which \(target) does not declare")
                }
            }
        }
    }

    @Test func theDomainStandsOnTheContractAloneAndStorageOnlyCallsLMDB() {
        let storage: Set<String> = ["CLMDB", "LMDB", "LedgerStore", "Projections"]
        for target in ["SystemIO", "LedgerContract", "WorkingTime", "DossierRules", "ProvinceGenerator"] {
            #expect(Self.targets[target]?.isDisjoint(with: storage) == true, "\(target) depends on storage")
            for (file, text) in Self.sources(of: target) {
                #expect(Self.imports(text).isDisjoint(with: storage), "\(file) imports storage")
            }
        }
        let mdb = try! NSRegularExpression(pattern: #"\bmdb_[a-z_]+\("#)
        // Calls that can only be the C library's (names no type of ours declares), or calls qualified by its module.
        let system = try! NSRegularExpression(pattern: #"(?<![\w.])(access|lstat|fstat|chmod|opendir|readdir|isatty|usleep|madvise|fopen|mkdtemp|strerror)\(|\b(Glibc|Darwin)\.\w+\("#)
        for target in Self.targets.keys where !target.hasSuffix("Tests") && target != "CLMDB" && target != "ledger-bench" {
            for (file, text) in Self.sources(of: target) {
                let range = NSRange(text.startIndex..., in: text)
                if target != "LMDB" {
                    #expect(mdb.firstMatch(in: text, range: range) == nil, "\(file) calls mdb_* outside LMDB")
                }
                if target != "LMDB" && target != "SystemIO" {
                    for m in system.matches(in: text, range: range) {
                        Issue.record("\(file) makes a system call outside SystemIO: \(text[Range(m.range, in: text)!])")
                    }
                }
            }
        }
    }

    @Test func theCommandLineUsesTheFacadeNotTheStorage() {
        for (file, text) in Self.sources(of: "LedgerCLI") {
            for forbidden in [".store.", ".store)", "Transaction", ".tables.", "RecordView"] {
                #expect(!text.contains(forbidden), "\(file) reaches past the facade: \(forbidden)")
            }
        }
    }
}
