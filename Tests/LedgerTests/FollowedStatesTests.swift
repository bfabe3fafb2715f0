import Testing
import DossierRules
import LMDB
import LedgerStore
import LedgerContract
@testable import Projections

/// The feeds that follow the log hold the states of the dossiers they
/// followed last, not every dossier's (`FollowedStates`): a state at the
/// feed's position is the live one, or the dossier's stream folded up to
/// the position. Whatever the position and however few states are kept,
/// they are those of a ledger that holds only the log up to the position.
@Suite struct FollowedStatesTests {
    static let dossiers = 300, seed: UInt64 = 17

    /// Every dossier's state in `t`'s live projection, by code.
    static func liveStates(_ t: TemporaryLedger) throws -> [String: DossierState] {
        var states: [String: DossierState] = [:]
        try t.ledger.read { snapshot in try snapshot.forEachDossier { states[$0.code] = $0 } }
        return states
    }

    @Test(arguments: [0, 2, 65_536])
    func statesAtAPositionAreThoseOfTheLogUpToIt(capacity: Int) throws {
        let whole = try TemporaryLedger.generatedProvince(dossiers: Self.dossiers, seed: Self.seed)
        let count = TemporaryLedger.generatedLines(dossiers: Self.dossiers, seed: Self.seed).count
        for position in [count / 3, 2 * count / 3] {
            let upTo = try TemporaryLedger.generatedProvince(dossiers: Self.dossiers, seed: Self.seed, prefix: position)
            let expected = try Self.liveStates(upTo)
            try whole.ledger.store.read { txn in
                var states = try FollowedStates(ledger: whole.ledger, through: UInt64(position), capacity: capacity, in: txn)
                // Walked, and asked one by one (twice: the second time from what is kept).
                var walked: [String: DossierState] = [:]
                try states.forEachDossier(ledger: whole.ledger, in: txn) { state, _ in walked[state.code] = state }
                #expect(walked == expected, "at seq \(position)")
                for code in try Self.liveStates(whole).keys.sorted() + expected.keys.sorted() {
                    #expect(try states.dossier(code, ledger: whole.ledger, in: txn)?.state == expected[code], "\(code) at seq \(position)")
                }
                // Following the log to its head gives the live states.
                try whole.ledger.store.forEachRecord(from: UInt64(position) + 1, in: txn) { seq, raw in
                    try states.apply(try RecordView(raw, seq: seq), ledger: whole.ledger, in: txn)
                    return true
                }
                #expect(states.position == UInt64(count))
                for (code, live) in try Self.liveStates(whole) {
                    #expect(try states.dossier(code, ledger: whole.ledger, in: txn)?.state == live, "\(code) after following from seq \(position)")
                }
            }
        }
    }

    /// A deadline feed started at a position reports, after it, what a feed
    /// started at the beginning reports after that position.
    @Test func aDeadlineFeedStartedLateReportsWhatOneStartedEarlyDoes() throws {
        let t = try TemporaryLedger.generatedProvince(dossiers: Self.dossiers, seed: Self.seed)
        func follow(_ watch: inout DeadlineWatch, through last: UInt64) throws -> [DeadlineWatch.Crossing] {
            var crossings: [DeadlineWatch.Crossing] = []
            try t.ledger.store.read { txn in
                try t.ledger.store.forEachRecord(from: watch.position + 1, to: last, in: txn) { seq, raw in
                    crossings += try watch.apply(try RecordView(raw, seq: seq), ledger: t.ledger, in: txn)
                    return true
                }
            }
            return crossings
        }
        let head = try t.ledger.store.read { txn in try t.ledger.store.head(in: txn).seq }
        var early = try DeadlineWatch(ledger: t.ledger, through: 0, clock: 0)
        let middle = head / 2
        _ = try follow(&early, through: middle)
        var late = try DeadlineWatch(ledger: t.ledger, through: middle, clock: early.clock, window: early.window)
        let fromEarly = try follow(&early, through: head), fromLate = try follow(&late, through: head)
        #expect(fromEarly.count > 50)
        #expect(fromLate.map(\.id) == fromEarly.map(\.id))
        #expect(fromLate == fromEarly)
    }
}
