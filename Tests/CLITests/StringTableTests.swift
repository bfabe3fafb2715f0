import Foundation
import Testing
import DossierRules
@testable import Projections

/// A ledger keeps the string table it has read (officer ids, codes) between
/// commits, so that a small commit does not read the whole table again.
/// What it keeps must be what was committed: a refused append's strings are
/// not, and another process may give their ids to other strings.
@Suite struct StringTableTests {
    static func line(_ type: String, dossier: String? = nil, at: String, _ data: String) -> String {
        let code = dossier.map { #""dossier":"\#($0)","actor":"cb-001","# } ?? ""
        return #"{"type":"\#(type)",\#(code)"at":"\#(at)+07:00","data":\#(data)}"#
    }

    static func officer(_ id: String) -> String {
        line("officer.registered", at: "2024-03-01T08:00:00", #"{"id":"\#(id)","name":"Cán bộ \#(id)","agency":"H40.22"}"#)
    }

    static func received(_ code: String) -> String {
        line("dossier.received", dossier: code, at: "2024-03-04T09:00:00", #"{"procedure":"1.004227","agency":"H40.22","channel":"direct"}"#)
    }

    static func assigned(_ code: String, to officer: String) -> String {
        line("dossier.assigned", dossier: code, at: "2024-03-04T09:10:00", #"{"to":"\#(officer)","step":"Thẩm định"}"#)
    }

    static func parse(_ lines: [String]) throws -> [InputEvent] {
        try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) })
    }

    @Test func aStringOfARefusedAppendIsNotReadForTheStringAnotherProcessCommittedUnderItsID() throws {
        let path = Tool.temporaryLedger()
        defer { Tool.remove(path) }
        let ledger = try Ledger.create(at: path)
        try ledger.append(try Self.parse(Tool.fixtureLines()))

        // Stored before the refusal in the same transaction, "cb-777" takes the next string id; the refusal undoes it all.
        #expect(throws: AppendRefusal.self) {
            try ledger.append(try Self.parse([Self.officer("cb-777"), Self.received("R-1"), Self.assigned("R-1", to: "cb-777"),
                                              Self.assigned("R-1", to: "cb-404")]))
        }
        // Another process commits "cb-888" under that id.
        let other = try Tool.run(["append", "-"], ledger: path,
                                 stdin: Data(([Self.officer("cb-888"), Self.received("S-1"), Self.assigned("S-1", to: "cb-888")]
                                     .joined(separator: "\n") + "\n").utf8))
        #expect(other.status == 0, "\(other.stderr)")
        // This process folds a new event naming it.
        try ledger.append(try Self.parse([Self.received("T-1"), Self.assigned("T-1", to: "cb-888")]))

        let (r, s, t) = try ledger.store.read { txn in
            (try ledger.dossier("R-1", in: txn), try ledger.dossier("S-1", in: txn), try ledger.dossier("T-1", in: txn))
        }
        #expect(r == nil)
        #expect(s?.currentHolding?.officer == "cb-888")
        #expect(t?.currentHolding?.officer == "cb-888")
        #expect(try ledger.projectionDifferences().isEmpty)
    }
}
