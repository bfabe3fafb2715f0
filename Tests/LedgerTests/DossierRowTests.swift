import Foundation
import Testing
import DossierRules
import LMDB
import LedgerStore
import LedgerContract
@testable import Projections

/// A dossier's row holds its state and its KPI contributions. A ledger whose
/// projections were written in another layout is rebuilt from its log when opened.
@Suite struct DossierRowTests {
    @Test func aRowHoldsTheStateAndItsContributions() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        #expect(DossierRow.format != DossierState.encodingVersion)
        try t.ledger.store.read { txn in
            let raw = try #require(try txn.get((try t.ledger.projections(in: txn)).dossierStates, key: Array("H40.22-240304-0001".utf8)))
            let (stateBytes, contributionBytes) = try DossierRow.split(raw)
            let state = try DossierState(decoding: stateBytes, code: "H40.22-240304-0001")
            let contributions = try DossierRow.contributions(contributionBytes)
            let reference = try t.ledger.reference(in: txn)
            #expect(state == (try t.ledger.dossier("H40.22-240304-0001", in: txn)))
            #expect(contributions == state.kpiContributions(reference: reference))
            #expect(!contributions.isEmpty)
        }
    }

    /// Projections written in another layout (here: rows no longer readable,
    /// the stored format changed) are rebuilt from the log when the ledger
    /// is opened, and then agree with the log.
    @Test func projectionsOfAnotherLayoutAreRebuiltWhenOpened() throws {
        let directory = NSTemporaryDirectory() + "ledger-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger"
        // One ledger open at a time in this process (LMDB's rule): the first is closed when this scope ends.
        let expected: DossierState? = try {
            let ledger = try Ledger.create(at: path)
            let lines = Fixture.lines()
            try ledger.append(try Ledger.parse(lines: lines.enumerated().map { ($0.offset + 1, Array($0.element.utf8)) }))
            let state = try ledger.store.read { txn in try ledger.dossier("H40.22-240304-0001", in: txn) }
            try ledger.store.environment.write { txn in
                try txn.put((try ledger.projections(in: txn)).dossierStates, key: Array("H40.22-240304-0001".utf8), value: [1, 2, 3])
                try txn.put(ledger.store.tables.meta, key: Array(Ledger.projectionFormatKey.utf8), value: [Ledger.projectionFormat &- 1])
            }
            return state
        }()
        #expect(expected != nil)
        let reopened = try Ledger.open(at: path)
        #expect(try reopened.storedProjectionFormat() == Ledger.projectionFormat)
        #expect(try reopened.store.read { txn in try reopened.dossier("H40.22-240304-0001", in: txn) } == expected)
        #expect(try reopened.projectionDifferences().isEmpty)
    }

    @Test func aDamagedRowIsReportedNotTrusted() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        try t.ledger.store.environment.write { txn in
            _ = try txn.put((try t.ledger.projections(in: txn)).dossierStates, key: Array("H40.22-240304-0002".utf8), value: [DossierRow.format, 200, 1])
        }
        #expect(throws: LedgerError.self) { try t.ledger.store.read { txn in try t.ledger.dossier("H40.22-240304-0002", in: txn) } }
    }

    /// The contributions of a list that may name several agencies, each
    /// written where it changes: the general form the row decoder reads
    /// (the ledger writes a dossier's, which name its one agency).
    static func encode(_ contributions: [KPIContribution], into w: inout ByteWriter) {
        w.varint(UInt64(contributions.count))
        var agency: String?
        var day: Int32 = 0
        for c in contributions {
            let follows = agency.map { $0 != c.agency } ?? true
            if follows { agency = c.agency }
            DossierRow.write(KPICount(day: c.day, counter: c.counter, delta: c.delta), agency: follows ? c.agency : nil, after: day, into: &w)
            day = c.day
        }
    }

    @Test func contributionsOfSeveralAgenciesRoundTrip() throws {
        let list = [KPIContribution(agency: "H40.22", day: 19_786, counter: .received, delta: 1),
                    KPIContribution(agency: "H40.22", day: 19_790, counter: .processed, delta: 1),
                    KPIContribution(agency: "H40", day: -3, counter: .ratingSum, delta: -5),
                    KPIContribution(agency: "Đ", day: 19_790, counter: .late, delta: 2)]
        var w = ByteWriter()
        Self.encode(list, into: &w)
        #expect(try w.withUnsafeBytes { try DossierRow.contributions($0) } == list)
        var empty = ByteWriter()
        Self.encode([], into: &empty)
        #expect(try empty.withUnsafeBytes { try DossierRow.contributions($0) }.isEmpty)
        for cut in 1..<w.bytes.count {
            let prefix = Array(w.bytes[0..<cut])
            #expect(throws: RecordDecodingError.self) { try prefix.withUnsafeBytes { try DossierRow.contributions($0) } }
        }
    }
}

/// Fixed-width keys and values read from disk are checked: damaged ones give
/// an error, never a crash.
@Suite struct DamagedFixedWidthValueTests {
    @Test func aShortCheckpointOrIdValueIsAnErrorNotATrap() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        try t.ledger.store.environment.write { txn in
            _ = try txn.put(t.ledger.tables.checkpoints, key: Array("dossiers".utf8), value: [1, 2, 3])
            _ = try txn.put(t.ledger.store.tables.ids, key: Array("fx-001".utf8), value: [9])
        }
        #expect(throws: RecordDecodingError.self) { try t.ledger.store.read { txn in try t.ledger.checkpoint("dossiers", in: txn) } }
        #expect(throws: RecordDecodingError.self) { try t.ledger.store.read { txn in try t.ledger.store.seq(forID: "fx-001", in: txn) } }
        // Appending the same id again must read that value: refused as damage, nothing written.
        let head = try t.ledger.read { try $0.head() }
        #expect(throws: (any Error).self) { try t.append([Fixture.lines()[0]]) }
        #expect(try t.ledger.read { try $0.head() } == head)
    }

    /// `verify` finds an entry removed from, or added to, the indexes kept
    /// beside the log: without its id entry a retried append would store
    /// the event twice.
    @Test func verifyFindsAnIndexEntryRemovedOrAdded() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        #expect(try t.ledger.store.verifyChain().holds)
        let head = try t.ledger.read { try $0.head() }.seq
        try t.ledger.store.environment.write { txn in
            _ = try txn.delete(t.ledger.store.tables.ids, key: Array("fx-001".utf8))
        }
        let lost = try t.ledger.store.verifyChain()
        #expect(lost.failure?.problem == "the id index holds \(head - 1) keys for \(head) events — entries were removed or added outside the ledger")
        try t.ledger.store.environment.write { txn in
            _ = try txn.put(t.ledger.store.tables.ids, key: Array("fx-001".utf8), value: Key.u64(1))
            _ = try txn.put(t.ledger.store.tables.dossierCodes, key: Key.u32(999_999), value: Array("GHOST".utf8))
        }
        let added = try t.ledger.store.verifyChain()
        #expect(added.failure?.problem.hasPrefix("the dossier table holds") == true, "\(String(describing: added.failure))")
    }

    /// A head naming a seq no log reaches, or a KPI day counter beyond any
    /// count, is an error where it is read, not arithmetic that traps later.
    @Test func aHeadOrCounterOutOfRangeIsAnErrorNotATrap() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        var w = ByteWriter(capacity: 16)
        w.svarint(3); w.svarint(.max)
        let counters = w.bytes
        #expect(throws: RecordDecodingError(reason: "KPI counter receivedOnline holds 9223372036854775807, out of range")) {
            try counters.withUnsafeBytes { try KPICounters(decoding: $0) }
        }
        try t.ledger.store.environment.write { txn in
            _ = try txn.put(t.ledger.store.tables.meta, key: Array("head".utf8), value: Key.u64(1 << 63) + SHA256.Digest.zero.bytes)
        }
        do {
            _ = try t.ledger.read { try $0.head() }
            Issue.record("a head beyond any log was read")
        } catch let error as LedgerError {
            #expect(error.kind == .corrupt && error.message.hasSuffix("the head record names seq 9223372036854775808, beyond any log"), "\(error)")
        }
    }
}
