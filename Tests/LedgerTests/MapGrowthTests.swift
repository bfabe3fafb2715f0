import Testing
import LedgerStore
import LedgerContract
@testable import Projections

@Suite struct MapGrowthTests {
    /// Appends far more than a 1 MiB map holds: the map grows by itself and nothing is lost.
    @Test func appendsPastTheInitialMapSize() throws {
        let t = try TemporaryLedger(mapSize: 1 << 20)
        try t.append(Fixture.reference)
        var total = 8
        for batch in 0..<20 {
            var lines: [String] = []
            for i in 0..<100 {
                let code = "M-\(batch)-\(i)"
                lines.append(Fixture.received(code, "2024-03-04T09:00:00"))
                lines.append(Fixture.event("dossier.complaint_filed", code, "2024-03-04T10:00:00", actor: nil,
                                           #"{"text":"\#(String(repeating: "khiếu nại ", count: 40))"}"#))
            }
            try t.append(lines)
            total += lines.count
        }
        #expect(try t.ledger.store.environment.info.mapSize > 1 << 20)
        #expect(try t.ledger.store.read { txn in try t.ledger.store.head(in: txn).seq } == UInt64(total))
        #expect(try t.ledger.store.verifyChain().holds)
        // A rebuild needs room for a second copy of the projections until it commits.
        #expect(try t.ledger.rebuildProjections().events == UInt64(total))
        #expect(try t.ledger.projectionDifferences().isEmpty)
    }
}

@Suite struct TamperingTests {
    @Test func verifyNamesADeletedEvent() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        try t.ledger.store.environment.write { txn in
            _ = try txn.delete(t.ledger.store.tables.events, key: Key.u64(10))
        }
        let result = try t.ledger.store.verifyChain()
        #expect(result.failure?.seq == 10)
        #expect(result.failure?.problem.contains("the log jumps from seq 9 to 11") == true)
        #expect(result.checked == 9)
    }

    /// A dossier's stream that names another dossier's event, or loses one
    /// of its own, is damage the projection check of `verify` reports.
    @Test func verifyNamesADamagedStream() throws {
        for damage in ["foreign", "lost"] {
            let t = try TemporaryLedger()
            try t.append(Fixture.lines())
            let store = t.ledger.store
            try store.environment.write { txn in
                let (number, _) = try #require(try store.stream(ofDossier: "H40.22-240304-0002", in: txn))
                if damage == "foreign" {
                    let other = try #require(try store.seqs(ofDossier: "H40.22-240304-0001", in: txn).last)
                    _ = try txn.put(store.tables.streams, key: Key.u32(number), value: Key.u64(other))
                } else {
                    try txn.withCursor(store.tables.streams) { cursor in
                        _ = try cursor.find(Key.u32(number))
                        try cursor.deleteCurrent()
                    }
                }
            }
            #expect(try store.verifyChain().holds, "the chain itself still holds")
            do {
                let differences = try t.ledger.projectionDifferences()
                Issue.record("\(damage): no error, differences \(differences)")
            } catch let e as LedgerError {
                #expect(e.message.contains("H40.22-240304-0002") || e.message.contains("streams name"), "\(damage): \(e.message)")
            }
        }
    }

    /// The chain is checked in stretches at once; a gap or a removed last
    /// event is named the same way wherever the stretches begin.
    @Test(arguments: [1, 2, 3, 7])
    func verifyNamesTheFirstProblemWhateverTheStretches(parts: Int) throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        let head = try t.ledger.store.read { try t.ledger.store.head(in: $0).seq }
        #expect(try t.ledger.store.verifyChain(from: 1, parts: parts, minimumStretch: 3).checked == Int(head))
        #expect(try t.ledger.store.verifyChain(from: 5, parts: parts, minimumStretch: 3).checked == Int(head) - 4)
        for gone in [UInt64(2), 4, 9, 10, head - 2] {
            let u = try TemporaryLedger()
            try u.append(Fixture.lines())
            try u.ledger.store.environment.write { txn in _ = try txn.delete(u.ledger.store.tables.events, key: Key.u64(gone)) }
            let result = try u.ledger.store.verifyChain(from: 1, parts: parts, minimumStretch: 3)
            #expect(result.failure?.seq == gone, "seq \(gone) removed, \(parts) parts")
            #expect(result.failure?.problem.contains("seq \(gone - 1)") == true, "\(result.failure?.problem ?? "")")
            #expect(result.checked == Int(gone) - 1)
        }
        try t.ledger.store.environment.write { txn in _ = try txn.delete(t.ledger.store.tables.events, key: Key.u64(head)) }
        let result = try t.ledger.store.verifyChain(from: 1, parts: parts, minimumStretch: 3)
        #expect(result.failure?.problem.contains("does not match the last event (seq \(head - 1)") == true, "\(result.failure?.problem ?? "")")
    }
}
