import Foundation
import Testing
import LedgerStore
import LedgerContract
import DossierRules
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

    /// An entry of the id index altered in place — two events' seqs swapped,
    /// a key renamed, an id-less event's content digest pointed at another
    /// seq — keeps the index's size; `verify` still names the entry.
    @Test func verifyNamesAnIdIndexEntryAlteredInPlace() throws {
        let withoutID = #"{"type":"officer.registered","at":"2024-01-02T00:00:00+07:00","data":{"id":"cb-009","name":"Lê Văn Chín","agency":"H40.22"}}"#
        for damage in ["swapped", "renamed", "digest"] {
            let t = try TemporaryLedger()
            try t.append(Fixture.lines() + [withoutID])
            let store = t.ledger.store
            #expect(try store.verifyChain().holds, "\(damage): before")
            let ids = try store.read { txn in try (1...7).map { try #require(try store.event(seq: UInt64($0), in: txn)?.event.id) } }
            try store.environment.write { txn in
                switch damage {
                case "swapped":
                    _ = try txn.put(store.tables.ids, key: Array(ids[4].utf8), value: Key.u64(7))
                    _ = try txn.put(store.tables.ids, key: Array(ids[6].utf8), value: Key.u64(5))
                case "renamed":
                    _ = try txn.delete(store.tables.ids, key: Array(ids[4].utf8))
                    _ = try txn.put(store.tables.ids, key: Array("zz-forged".utf8), value: Key.u64(5))
                default:
                    let first = try txn.withCursor(store.tables.ids) { cursor in try cursor.first().map { Array($0.key) } }
                    let digestKey = try #require(first)
                    #expect(digestKey.first == 0 && digestKey.count == 33, "the id-less event's key comes first")
                    _ = try txn.put(store.tables.ids, key: digestKey, value: Key.u64(3))
                }
            }
            let result = try store.verifyChain()
            let expected: (seq: UInt64, key: String) = switch damage {
            case "swapped": (min(ids[4], ids[6]) == ids[4] ? 7 : 5, min(ids[4], ids[6]))
            case "renamed": (5, "zz-forged")
            default: (3, "content digest")
            }
            #expect(result.failure?.seq == expected.seq, "\(damage): \(String(describing: result.failure))")
            #expect(result.failure?.problem.contains("the id index maps key \"\(expected.key)") == true, "\(damage): \(String(describing: result.failure))")
            #expect(try store.verifyChain(from: 2).holds, "\(damage): a check from a later seq reads the chain only")
        }
    }

    /// An entry of the dossier table (code → number, version) altered in
    /// place keeps the table's size; `verify` names the dossier.
    @Test func verifyNamesADossierTableEntryAlteredInPlace() throws {
        for damage in ["version", "number"] {
            let t = try TemporaryLedger()
            try t.append(Fixture.lines())
            let store = t.ledger.store
            try store.environment.write { txn in
                let (first, version) = try #require(try store.stream(ofDossier: "H40.22-240304-0001", in: txn))
                let (second, _) = try #require(try store.stream(ofDossier: "H40.22-240304-0002", in: txn))
                let value = damage == "version" ? Key.u32u32(first, version + 1) : Key.u32u32(second, version)
                _ = try txn.put(store.tables.dossiers, key: Array("H40.22-240304-0001".utf8), value: value)
            }
            let result = try store.verifyChain()
            let expected = damage == "version" ? "the dossier table gives H40.22-240304-0001 version" : "the dossier table gives H40.22-240304-0001 number"
            #expect(result.failure?.problem.hasPrefix(expected) == true, "\(damage): \(String(describing: result.failure))")
        }
    }

    /// An entry of the dossier-code table (number → code) altered in place
    /// changes no stored event, but the hash of each event of that dossier
    /// is recomputed with the wrong code: `verify` names the table, not the
    /// event, as what was altered.
    @Test func verifyNamesADossierCodeEntryAlteredInPlace() throws {
        for damage in ["another dossier's code", "an unknown code"] {
            let t = try TemporaryLedger()
            try t.append(Fixture.lines())
            let store = t.ledger.store
            let firstSeq = try store.read { txn in try #require(try store.seqs(ofDossier: "H40.22-240304-0001", in: txn).first) }
            let number = try store.environment.write { txn in
                let (number, _) = try #require(try store.stream(ofDossier: "H40.22-240304-0001", in: txn))
                let code = damage == "an unknown code" ? "H40.22-240304-9999" : "H40.22-240304-0002"
                _ = try txn.put(store.tables.dossierCodes, key: Key.u32(number), value: Array(code.utf8))
                return number
            }
            let result = try store.verifyChain()
            let failure = try #require(result.failure, "\(damage): the chain held")
            #expect(failure.seq == firstSeq, "\(damage): \(failure)")
            #expect(failure.problem.contains("number \(number)") && failure.problem.contains("the dossier-code table was altered"),
                    "\(damage): \(failure.problem)")
            #expect(!failure.problem.contains("the stored event was altered"), "\(damage): \(failure.problem)")
        }
    }

    /// A dossier's stream that names another dossier's event, or loses one
    /// of its own, is damage both checks of `verify` report: the chain's
    /// (the stream's length against the dossier table) and the projections'.
    @Test func verifyNamesADamagedStream() throws {
        for damage in ["foreign", "lost"] {
            let t = try TemporaryLedger()
            try t.append(Fixture.lines())
            let store = t.ledger.store
            try store.environment.write { txn in
                let (number, _) = try #require(try store.stream(ofDossier: "H40.22-240304-0002", in: txn))
                var seqs = try store.seqs(ofDossier: "H40.22-240304-0002", in: txn)
                if damage == "foreign" {
                    let other = try #require(try store.seqs(ofDossier: "H40.22-240304-0001", in: txn).last)
                    seqs = (seqs + [other]).sorted()
                } else {
                    seqs.removeFirst()
                }
                _ = try txn.put(store.tables.streams, key: Key.u32(number), value: StreamSeqs.encode(seqs))
            }
            // The dossier's version (its stream's length) no longer matches the dossier table.
            let chain = try store.verifyChain()
            #expect(chain.failure?.problem.hasPrefix("the dossier table gives H40.22-240304-0002 version") == true, "\(damage): \(String(describing: chain.failure))")
            do {
                let differences = try t.ledger.projectionDifferences()
                Issue.record("\(damage): no error, differences \(differences)")
            } catch let e as LedgerError {
                #expect(e.message.contains("H40.22-240304-0002") || e.message.contains("streams name"), "\(damage): \(e.message)")
            }
        }
    }

    /// A ledger of format 1 (each stream as sorted duplicates in a table
    /// named `streams`) is converted when opened: the same streams, packed,
    /// and a ledger that verifies and answers as before.
    @Test func aFormatOneLedgerIsConvertedWhenOpened() throws {
        let directory = NSTemporaryDirectory() + "ledger-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger"
        let codes = ["H40.22-240304-0001", "H40.22-240304-0002"]
        // One ledger open at a time in this process (LMDB's rule): the first is closed when this scope ends.
        let (before, state): ([[UInt64]], DossierState?) = try {
            let ledger = try Ledger.create(at: path)
            try ledger.append(try Ledger.parse(lines: Fixture.lines().enumerated().map { ($0.offset + 1, Array($0.element.utf8)) }))
            let store = ledger.store
            let before = try store.read { txn in try codes.map { try store.seqs(ofDossier: $0, in: txn) } }
            let state = try store.read { txn in try ledger.dossier(codes[1], in: txn) }
            // Write the format-1 layout back by hand, as an earlier version left it.
            try store.environment.write { txn in
                let old = try txn.openDatabase("streams", create: true, fixedSizeDuplicates: true)
                try txn.withCursor(store.tables.streams) { cursor in
                    var entry = try cursor.first()
                    var seqs: [UInt64] = []
                    while let e = entry {
                        try StreamSeqs.decode(e.value, into: &seqs)
                        for seq in seqs { _ = try txn.put(old, key: Array(e.key), value: Key.u64(seq)) }
                        entry = try cursor.next()
                    }
                }
                try txn.removeAll(store.tables.streams)
                _ = try txn.put(store.tables.meta, key: Array("format".utf8), value: [1])
            }
            return (before, state)
        }()
        #expect(before.allSatisfy { $0.count > 1 } && state != nil)
        let reopened = try Ledger.open(at: path)
        try reopened.store.read { txn in
            let format = try txn.get(reopened.store.tables.meta, key: Array("format".utf8)).map { Array($0) }
            #expect(format == [EventStore.formatVersion])
            let after = try codes.map { try reopened.store.seqs(ofDossier: $0, in: txn) }
            #expect(after == before)
            #expect(try reopened.dossier(codes[1], in: txn) == state)
            #expect(throws: (any Error).self) { try txn.openDatabase("streams", create: false, fixedSizeDuplicates: true) }
        }
        #expect(try reopened.store.verifyChain().holds)
        #expect(try reopened.projectionDifferences().isEmpty)
        // Appending goes on from the converted streams.
        try reopened.append(try Ledger.parse(lines: [(1, Array(Fixture.received("H40.22-240305-0099", "2024-03-20T09:00:00").utf8))]))
        let head = try reopened.store.read { try reopened.store.head(in: $0).seq }
        #expect(try reopened.store.read { txn in try reopened.store.seqs(ofDossier: "H40.22-240305-0099", in: txn) } == [head])
        #expect(try reopened.projectionDifferences().isEmpty)
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
