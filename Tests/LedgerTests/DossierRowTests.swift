import Testing
import DossierRules
import LMDB
import LedgerStore
@testable import Projections

/// A dossier's row holds its state and its KPI contributions. Ledgers
/// written before kept the contributions in a table of their own: such rows
/// are still read, and move to the new layout when next written.
@Suite struct DossierRowTests {
    @Test func aRowHoldsTheStateAndItsContributions() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        #expect(DossierRow.format != DossierState.encodingVersion)
        try t.ledger.store.read { txn in
            let raw = try #require(try txn.get(t.ledger.tables.dossierStates, key: Array("H40.22-240304-0001".utf8)))
            let (stateBytes, contributionBytes) = try DossierRow.split(raw)
            let state = try DossierState(decoding: stateBytes)
            let contributions = try DossierRow.contributions(try #require(contributionBytes))
            let reference = try t.ledger.reference(in: txn)
            #expect(state == (try t.ledger.dossier("H40.22-240304-0001", in: txn)))
            #expect(contributions == state.kpiContributions(reference: reference))
            #expect(!contributions.isEmpty)
            #expect(try txn.statistics(t.ledger.tables.kpiContributions).entries == 0)
        }
    }

    /// Rows of the earlier layout (the state alone, contributions in their own
    /// table) are read as they are; a write moves them over without counting
    /// a dossier's contributions twice or losing them.
    @Test func rowsOfTheEarlierLayoutAreReadAndMovedOver() throws {
        let t = try TemporaryLedger()
        let lines = Fixture.lines()
        try t.append(Array(lines[0..<19]))   // the first dossier up to its apology, not yet processed
        let tables = t.ledger.tables
        let converted = try t.ledger.store.environment.write { txn in
            var rows: [([UInt8], [UInt8], [UInt8])] = []
            try txn.withCursor(tables.dossierStates) { cursor in
                var entry = try cursor.first()
                while let e = entry {
                    let (state, contributions) = try DossierRow.split(e.value)
                    // The earlier table held them in `[KPIContribution].encoded()`.
                    rows.append((Array(e.key), Array(state), try DossierRow.contributions(try #require(contributions)).encoded()))
                    entry = try cursor.next()
                }
            }
            for (key, state, contributions) in rows {
                try txn.put(tables.dossierStates, key: key, value: state)
                try txn.put(tables.kpiContributions, key: key, value: contributions)
            }
            return rows.count
        }
        #expect(converted == 1)
        #expect(try t.ledger.projectionDifferences().isEmpty)
        let before = try t.ledger.store.read { txn in try t.ledger.dossier("H40.22-240304-0001", in: txn) }
        #expect(before?.processedAt == nil)

        try t.append(Array(lines[19...]))
        #expect(try t.ledger.projectionDifferences().isEmpty, "the day counters subtract what the old table held")
        try t.ledger.store.read { txn in
            let raw = try #require(try txn.get(tables.dossierStates, key: Array("H40.22-240304-0001".utf8)))
            #expect(try DossierRow.split(raw).contributions != nil)
            #expect(try txn.statistics(tables.kpiContributions).entries == 0)
            #expect(try t.ledger.dossier("H40.22-240304-0001", in: txn)?.processedAt != nil)
        }
    }

    @Test func aDamagedRowIsReportedNotTrusted() throws {
        let t = try TemporaryLedger()
        try t.append(Fixture.lines())
        try t.ledger.store.environment.write { txn in
            try txn.put(t.ledger.tables.dossierStates, key: Array("H40.22-240304-0002".utf8), value: [DossierRow.format, 200, 1])
        }
        #expect(throws: LedgerError.self) { try t.ledger.store.read { txn in try t.ledger.dossier("H40.22-240304-0002", in: txn) } }
    }

    @Test func contributionsOfSeveralAgenciesRoundTrip() throws {
        let list = [KPIContribution(agency: "H40.22", day: 19_786, counter: .received, delta: 1),
                    KPIContribution(agency: "H40.22", day: 19_790, counter: .processed, delta: 1),
                    KPIContribution(agency: "H40", day: -3, counter: .ratingSum, delta: -5),
                    KPIContribution(agency: "Đ", day: 19_790, counter: .late, delta: 2)]
        var w = ByteWriter()
        DossierRow.encode(list, into: &w)
        #expect(try w.withUnsafeBytes { try DossierRow.contributions($0) } == list)
        var empty = ByteWriter()
        DossierRow.encode([], into: &empty)
        #expect(try empty.withUnsafeBytes { try DossierRow.contributions($0) }.isEmpty)
        for cut in 1..<w.bytes.count {
            let prefix = Array(w.bytes[0..<cut])
            #expect(throws: RecordDecodingError.self) { try prefix.withUnsafeBytes { try DossierRow.contributions($0) } }
        }
    }
}
