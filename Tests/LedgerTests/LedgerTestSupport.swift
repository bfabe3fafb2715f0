import Foundation
import LMDB
import LedgerStore
import LedgerContract
import ProvinceGenerator
@testable import Projections

/// A ledger in its own temporary directory (LMDB forbids opening one environment twice per process).
final class TemporaryLedger {
    let directory: String
    let ledger: Ledger

    init(mapSize: Int? = nil) throws {
        directory = NSTemporaryDirectory() + "ledger-test-" + UUID().uuidString
        var options = Ledger.Options()
        if let mapSize { options.mapSize = mapSize }
        ledger = try Ledger.create(at: directory + "/ledger", options: options)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Appends contract lines as one batch.
    @discardableResult
    func append(_ lines: [String], recordedAt: String = "2026-01-01T00:00:00+07:00") throws -> AppendReport {
        let parsed = try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) })
        return try ledger.append(parsed, recordedAt: try Timestamp(rfc3339: recordedAt))
    }

    /// A ledger holding a generated province of `dossiers` dossiers (or its
    /// first `prefix` lines), appended in batches of 5,000 lines.
    static func generatedProvince(dossiers: Int, seed: UInt64, prefix: Int = .max) throws -> TemporaryLedger {
        let t = try TemporaryLedger()
        let lines = generatedLines(dossiers: dossiers, seed: seed).prefix(prefix)
        for start in stride(from: 0, to: lines.count, by: 5000) { try t.append(Array(lines[start..<min(start + 5000, lines.count)])) }
        return t
    }

    /// The contract lines of a generated province.
    static func generatedLines(dossiers: Int, seed: UInt64) -> [String] {
        var o = ProvinceGenerator.Options()
        o.dossiers = dossiers
        o.seed = seed
        var lines: [String] = []
        _ = ProvinceGenerator(options: o).generate { lines.append($0) }
        return lines
    }

    /// The rule a one-line batch is refused with (nil: it was stored).
    func refusal(_ line: String) -> String? {
        do { try append([line]); return nil } catch let r as AppendRefusal { return r.rule } catch { return "\(error)" }
    }
}

enum Fixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func lines(_ name: String = "small-province.ndjson") -> [String] {
        let text = try! String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/\(name)"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    /// The fixture's reference data: calendar 2024, agencies H40 ⊃ H40.22, officers cb-001..003,
    /// procedures 1.004227 (3 days, steps Tiếp nhận 2h, Thẩm định 16h, Phê duyệt 4h, Trả kết quả 2h;
    /// obligations pause) and 2.000001 (4 hours).
    static var reference: [String] { Array(lines()[0..<8]) }

    /// A dossier event line.
    /// `at` is local "2024-03-04T09:00:00"; recorded at the same instant unless `recordedAt` says otherwise.
    static func event(_ type: String, _ dossier: String, _ at: String, actor: String? = "cb-001", _ data: String = "{}",
                      recordedAt: String? = nil) -> String {
        let actorField = actor.map { #","actor":"\#($0)""# } ?? ""
        return #"{"type":"\#(type)","dossier":"\#(dossier)","at":"\#(at)+07:00"\#(actorField),"data":\#(data),"recordedAt":"\#(recordedAt ?? at)+07:00"}"#
    }

    static func received(_ dossier: String, _ at: String, procedure: String = "1.004227", channel: String = "direct") -> String {
        event("dossier.received", dossier, at, #"{"procedure":"\#(procedure)","agency":"H40.22","channel":"\#(channel)"}"#)
    }
}
