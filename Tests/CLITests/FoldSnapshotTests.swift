import Foundation
import Testing
import DossierRules
@testable import Projections

/// A fold shares each chunk with a second thread, which opens its own read
/// transaction on the caller's snapshot. When another process has grown the
/// map meanwhile, that thread cannot adopt the new size while the caller
/// holds its transaction (adopting waits for every transaction of the
/// process to end): it must give up its share, not wait forever.
@Suite struct FoldSnapshotTests {
    @Test(.timeLimit(.minutes(1)))
    func aFoldCompletesWhenAnotherProcessGrewTheMap() throws {
        let directory = NSTemporaryDirectory() + "fold-snapshot-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger"
        var options = Ledger.Options()
        options.mapSize = 1 << 20
        let ledger = try Ledger.create(at: path, options: options)
        let lines = Tool.fixtureLines()
        _ = try ledger.append(try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) }))
        var before: [DossierState] = []
        _ = try ledger.store.read { txn in
            try KeyOrderFold.forEachDossier(ledger, in: txn, chunkSize: 1) { state, _ in before.append(state) }
        }
        #expect(before.count > 1)
        try ledger.store.read { txn in
            // Another process appends more than the 1 MiB map holds, so it grows the map this process has mapped.
            let events = (0..<6000).map { i in
                #"{"type":"dossier.received","dossier":"H40.22-240320-"# + String(1000 + i) + #"","at":"2024-03-20T09:00:00+07:00","actor":"cb-001","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"}}"#
            }
            let append = try Tool.run(["append", "-"], ledger: path, stdin: Data((events.joined(separator: "\n") + "\n").utf8))
            #expect(append.status == 0, "\(append.stderr)")
            var seen: [DossierState] = []
            try KeyOrderFold.forEachDossier(ledger, in: txn, chunkSize: 1) { state, _ in seen.append(state) }
            #expect(seen == before)
        }
        // A new transaction adopts the grown map and sees the other process's event.
        let after = try ledger.store.read { txn in try ledger.dossier("H40.22-240320-1099", in: txn) }
        #expect(after?.stage == .received)
        #expect(try ledger.store.environment.info.mapSize > 1 << 20)
    }
}
