import Foundation
import Testing
import Audit
import LedgerContract

/// The audit module on its own: gzip on damaged input, XES parsing, the
/// ranking of delays.
@Suite struct AuditTests {
    /// `Tests/AuditTests/small.xes` (two traces, three events), as `gzip -9 -n` compressed it.
    static let xes = #"""
<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="case-1"/>
    <event><string key="concept:name" value="Tiếp nhận"/><string key="org:resource" value="Lan"/><date key="time:timestamp" value="2024-03-04T09:00:00+07:00"/></event>
    <event><string key="concept:name" value="Thẩm định"/><string key="org:resource" value="Hùng"/><date key="time:timestamp" value="2024-03-04T10:00:00+07:00"/><int key="pages" value="12"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="case-2"/>
    <event><string key="concept:name" value="Tiếp nhận"/><string key="org:resource" value="Lan"/><date key="time:timestamp" value="2024-03-05T09:00:00+07:00"/></event>
  </trace>
</log>
"""#

    static let gzipped: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcd, 0x92, 0x31, 0x4e, 0xc3, 0x30, 0x14, 0x86,
        0xf7, 0x9c, 0xc2, 0xf2, 0x8a, 0xd2, 0x38, 0xa1, 0x08, 0x88, 0x9c, 0x74, 0x43, 0x0c, 0x8c, 0xe1, 0x00, 0x96,
        0xfb, 0xe4, 0x46, 0x24, 0xcf, 0x91, 0xed, 0x46, 0xe5, 0x0c, 0x4c, 0x1c, 0x83, 0x81, 0x03, 0x50, 0x06, 0x06,
        0xb8, 0x48, 0x6e, 0x82, 0x43, 0x50, 0xaa, 0x30, 0x40, 0xdb, 0x09, 0xc9, 0x7a, 0xb2, 0xac, 0xff, 0x93, 0xbe,
        0xa7, 0xdf, 0x7c, 0xb1, 0xa9, 0x2b, 0xd2, 0x82, 0xb1, 0xa5, 0xc6, 0x8c, 0xc6, 0x33, 0x46, 0x09, 0xa0, 0xd4,
        0xcb, 0x12, 0x55, 0x46, 0x6f, 0x8b, 0xab, 0xf0, 0x82, 0x2e, 0xf2, 0x80, 0x57, 0x5a, 0x91, 0x0d, 0xd8, 0xd9,
        0x24, 0x99, 0x07, 0x84, 0x70, 0x67, 0x84, 0x84, 0xfe, 0xe6, 0xef, 0xd6, 0x19, 0xcf, 0x91, 0x3b, 0xb8, 0xcf,
        0xa8, 0xd4, 0x28, 0xa1, 0x71, 0x29, 0x8a, 0x1a, 0x28, 0x69, 0x45, 0xb5, 0x06, 0xff, 0x28, 0x2c, 0x84, 0x31,
        0x8d, 0xbe, 0xf3, 0xd0, 0x02, 0xba, 0xfc, 0x6f, 0xac, 0x28, 0xbb, 0xed, 0x5b, 0x43, 0x70, 0xd5, 0x6d, 0x9f,
        0xd1, 0xd3, 0x13, 0x42, 0x1b, 0x95, 0x1a, 0xb0, 0x7a, 0x6d, 0xe4, 0x8e, 0xb8, 0x11, 0x5f, 0xb9, 0xa5, 0x70,
        0x30, 0xa4, 0x5c, 0x59, 0x43, 0xda, 0x0f, 0xeb, 0x44, 0xdd, 0x8c, 0xb9, 0x84, 0x25, 0xf3, 0x90, 0x9d, 0x86,
        0x6c, 0x5e, 0xb0, 0xcb, 0x94, 0x31, 0x7f, 0x4e, 0xd8, 0xb9, 0x9f, 0x3d, 0x1d, 0x0d, 0x7e, 0x07, 0xba, 0x7a,
        0xc9, 0xa7, 0x9a, 0x7c, 0x3c, 0x76, 0xaf, 0x0f, 0xb8, 0xda, 0x4b, 0xf6, 0xfa, 0xfd, 0x05, 0xd5, 0xa1, 0xba,
        0x31, 0xfb, 0xa9, 0x5b, 0xa2, 0x1b, 0xe0, 0x46, 0x28, 0xb0, 0x23, 0x13, 0x27, 0xd3, 0x5d, 0x78, 0x34, 0x56,
        0x76, 0x44, 0x79, 0xc9, 0x7f, 0x2c, 0xef, 0xec, 0xd7, 0xf2, 0xc6, 0x85, 0x79, 0xe4, 0xbf, 0x71, 0x1e, 0x7c,
        0x02, 0x09, 0xc7, 0x73, 0x12, 0xf4, 0x02, 0x00, 0x00
    ]

    @Test func gzipGivesBackTheTextAndRefusesDamageWithoutCrashing() throws {
        #expect(Gzip.isGzip(Self.gzipped))
        #expect(String(decoding: try Gzip.decompress(Self.gzipped), as: UTF8.self) == Self.xes + "\n")
        var refused = 0
        for cut in 0..<Self.gzipped.count {
            do { _ = try Gzip.decompress(Array(Self.gzipped[..<cut])) } catch is Gzip.Error { refused += 1 }
        }
        #expect(refused == Self.gzipped.count, "every truncation is refused")
        // Flipped bits: refused, or (rarely) inflated to other text; never a trap.
        for i in stride(from: 10, to: Self.gzipped.count, by: 3) {
            for bit: UInt8 in [0x01, 0x10, 0x80] {
                var damaged = Self.gzipped
                damaged[i] ^= bit
                _ = try? Gzip.decompress(damaged)
            }
        }
        #expect(throws: Gzip.Error.self) { try Gzip.decompress(Self.gzipped, maxOutput: 100) }
    }

    @Test func xesTracesKeepTheirEventsAndAttributes() throws {
        let traces = try XESImport.traces(from: Self.gzipped)
        #expect(traces.map(\.name) == ["case-1", "case-2"])
        #expect(traces.map(\.events.count) == [2, 1])
        let second = traces[0].events[1].attributes
        #expect(second.first { $0.key == "concept:name" }?.value == "Thẩm định")
        #expect(second.first { $0.key == "org:resource" }?.value == "Hùng")
        #expect(second.first { $0.key == "pages" }.map { [$0.type, $0.value] } == ["int", "12"])
        #expect(try XESImport.traces(from: Array(Self.xes.utf8)).map(\.events.count) == [2, 1], "plain text reads the same")
        let truncated = Array(Self.xes.utf8.dropLast(40))
        #expect(throws: (any Error).self) { try XESImport.traces(from: truncated) }
    }

    @Test func delaysAreRankedByTotalWorkingTime() {
        func hold(_ step: String, _ hours: Int64, budget: Int64?) -> HoldRecord {
            HoldRecord(dossier: "D", officer: "o", step: step, procedure: nil, agency: nil, from: 0, to: nil,
                       heldSeconds: hours * 3600, budgetSeconds: budget.map { $0 * 3600 }, nextOfficer: nil)
        }
        let holds = [hold("Thẩm định", 10, budget: 8), hold("Thẩm định", 2, budget: 8), hold("Thẩm định", 30, budget: 8),
                     hold("Tiếp nhận", 1, budget: 2), hold("Tiếp nhận", 3, budget: nil),
                     // The same step name in another Unicode normal form (decomposed marks) is the same group.
                     hold("Thẩm định".decomposedStringWithCanonicalMapping, 6, budget: 8)]
        let groups = DelayGroup.rank(holds, by: .step)
        #expect(groups.map(\.count) == [4, 2])
        #expect(groups[0].totalSeconds == 48 * 3600 && groups[1].totalSeconds == 4 * 3600)
        #expect(groups[0].medianSeconds == 10 * 3600, "the nearest rank of 2, 6, 10, 30")
        #expect(groups[0].p90Seconds == 30 * 3600)
        #expect(groups[0].shareOverBudget == 0.5)
        #expect(groups[1].shareOverBudget == 0, "one hold with a budget, within it")
    }
}
