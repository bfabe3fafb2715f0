import Foundation
import Testing

/// Runs the built `dossier-ledger` executable as a user would and captures
/// its exit code, stdout and stderr.
struct ToolRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum Tool {
    /// The package root (two levels above this file's directory).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The `dossier-ledger` executable built next to the test bundle.
    static let executable = builtExecutable("dossier-ledger")

    /// An executable product of this package, built with the tests (`swift build --build-tests`) beside
    /// the test bundle. Never another build's: when it is missing, running it fails naming where it was looked for.
    static func builtExecutable(_ name: String) -> URL {
        var candidates: [URL] = []
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent(name))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    @discardableResult
    static func run(_ arguments: [String], ledger: String? = nil, stdin: Data? = nil, environment: [String: String] = [:],
                    executable: URL = Tool.executable) throws -> ToolRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = (ledger.map { ["--ledger", $0] } ?? []) + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DOSSIER_LEDGER")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "stderr-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { try input.fileHandleForWriting.write(contentsOf: stdin) }
        try input.fileHandleForWriting.close()
        // Read stdout fully before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errData = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return ToolRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh, not yet created ledger path in its own temporary directory.
    static func temporaryLedger() -> String {
        let dir = NSTemporaryDirectory() + "ledger-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/ledger"
    }

    /// A ledger created with `init`.
    static func initialisedLedger() throws -> String {
        let path = temporaryLedger()
        let r = try run(["init"], ledger: path)
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    /// A generated province imported into a fresh ledger, created with `init --province CODE` when `province` is given.
    static func generatedProvince(dossiers: Int, seed: Int, province: String? = nil,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let ledger = temporaryLedger()
        let created = try run(["init"] + (province.map { ["--province", $0] } ?? []), ledger: ledger)
        #expect(created.status == 0, "\(created.stderr)", sourceLocation: sourceLocation)
        let generated = try run(["generate", "--dossiers", String(dossiers), "--seed", String(seed)])
        #expect(generated.status == 0, "\(generated.stderr)", sourceLocation: sourceLocation)
        let file = self.file(generated.stdout.split(separator: "\n").map(String.init), beside: ledger)
        let imported = try run(["import", file], ledger: ledger)
        #expect(imported.status == 0, "\(imported.stderr)", sourceLocation: sourceLocation)
        return ledger
    }

    static func remove(_ ledger: String) {
        try? FileManager.default.removeItem(atPath: (ledger as NSString).deletingLastPathComponent)
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// Writes `lines` to a temporary file and returns its path.
    static func file(_ lines: [String], beside ledger: String) -> String {
        let path = (ledger as NSString).deletingLastPathComponent + "/input-\(UUID().uuidString).ndjson"
        _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        return path
    }

    static func fixtureLines(_ name: String = "small-province.ndjson") -> [String] {
        (try! String(contentsOfFile: fixture(name), encoding: .utf8)).split(separator: "\n").map(String.init)
    }

    /// Parses NDJSON output into objects; a line that is not a JSON object is a test failure.
    static func objects(_ ndjson: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        ndjson.split(separator: "\n").compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                Issue.record("not a JSON object: \(line.prefix(200))", sourceLocation: sourceLocation)
                return nil
            }
            return object
        }
    }
}
