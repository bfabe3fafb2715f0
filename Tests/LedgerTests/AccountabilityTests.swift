import Foundation
import Testing
import Audit
import LedgerContract
import Projections

/// The accountability records (`audit officer`, `audit delays`, `audit
/// handovers`, the site's officer pages) against the holds they are made of.
@Suite struct AccountabilityTests {
    /// The nearest-rank quantile of `values` (sorted), rounded to the hundredth of an hour, in seconds.
    static func roundedQuantile(_ sorted: [Int64], _ q: Double) -> Int64 {
        let exact = sorted[min(max(Int((q * Double(sorted.count - 1)).rounded()), 0), sorted.count - 1)]
        return Int64((Double(exact) / 36).rounded()) * 36
    }

    @Test func mediansAreTheExactOnesRoundedToTheHundredthOfAnHour() {
        var random = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let count = Int.random(in: 1...60, using: &random)
            // Some trials spread wide, some crowd a few seconds, where rounding decides.
            let spread: Int64 = trial % 2 == 0 ? 400_000 : 200
            let seconds = (0..<count).map { _ in Int64.random(in: 0...spread, using: &random) }
            let holds = seconds.map { s in
                HoldRecord(dossier: "D", officer: "a", step: "Thẩm định", procedure: nil, agency: nil, from: 0, to: nil,
                           heldSeconds: s, budgetSeconds: nil, nextOfficer: "b")
            }
            let sorted = seconds.sorted()
            let group = DelayGroup.rank(holds, by: .step)[0]
            #expect(group.medianSeconds == Self.roundedQuantile(sorted, 0.5), "\(sorted)")
            #expect(group.p90Seconds == Self.roundedQuantile(sorted, 0.9), "\(sorted)")
            #expect(group.totalSeconds == seconds.reduce(0, +), "the total stays exact")
            #expect(Handover.network(holds).map(\.medianHeldSeconds) == [Self.roundedQuantile(sorted, 0.5)])
        }
    }

    @Test func officerRecordsCountEachDossierOnceAndNameAtMostTheLimit() throws {
        let t = try TemporaryLedger.generatedProvince(dossiers: 1500, seed: 11)
        let asOf = try Timestamp(rfc3339: "2025-12-31T23:59:00+07:00").seconds
        try t.ledger.read { snapshot in
            let source = try snapshot.dossierSource()
            let officers = Set(source.reference.officers.keys)
            let everything = try OfficerAccountability.build(officers, source: source, asOf: asOf, periods: [(.min, .max)])[0]
            let limited = try OfficerAccountability.build(officers, source: source, asOf: asOf, periods: [(.min, .max)], lateListLimit: 3)[0]
            let holds = Dictionary(grouping: try source.holds(asOf: asOf), by: \.officer)
            #expect(everything.values.contains { $0.wentLateWhileHeldCount > 3 }, "some officer has more late dossiers than the limit")
            #expect(holds.count > 10)
            for officer in officers {
                let full = try #require(everything[officer]), short = try #require(limited[officer])
                #expect(full.wentLateWhileHeld == full.wentLateWhileHeld.sorted() && Set(full.wentLateWhileHeld).count == full.wentLateWhileHeldCount,
                        "every late dossier once, in code order")
                #expect(short.wentLateWhileHeld == Array(full.wentLateWhileHeld.prefix(3)) && short.wentLateWhileHeldCount == full.wentLateWhileHeldCount)
                #expect(short.dossiersHandled == full.dossiersHandled && short.medianHeldSeconds == full.medianHeldSeconds)

                let mine = holds[officer] ?? []
                #expect(full.stepsHeld == mine.count)
                #expect(full.totalHeldSeconds == mine.reduce(0) { $0 + $1.heldSeconds })
                #expect(full.stepsOverBudget == mine.filter { $0.overBudgetSeconds > 0 }.count)
                #expect(full.medianHeldSeconds == (mine.isEmpty ? 0 : Self.roundedQuantile(mine.map(\.heldSeconds).sorted(), 0.5)))
                let heldDossiers = Set(mine.map(\.dossier)).count
                #expect(full.dossiersHandled >= heldDossiers && full.dossiersHandled <= heldDossiers + full.supplementRequests,
                        "\(officer): each dossier held or asked a supplement for, once")
            }
        }
    }
}
