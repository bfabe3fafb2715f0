import Testing
@testable import DossierRules
import LedgerContract

/// A dossier's state is stored in a compact form: instants and seqs as
/// differences, known channels and outcomes as indexes. Whatever the values,
/// what is read back is what was written, and damaged bytes are an error.
@Suite struct DossierStateEncodingTests {
    /// A state with every list and optional filled, including values the
    /// compact form writes another way: instants before 1970 and years
    /// apart, seqs far apart, an unknown channel, an outcome outside the
    /// known two, a fee with a fraction and one of a large whole amount.
    static func fullState() -> DossierState {
        var s = DossierState(code: "H40.22-240304-0001")
        s.version = 23
        s.lastSeq = 9_000_000_123
        s.eventTimes.include(at: -86_400 * 400, recordedAt: 1_700_000_000)
        s.eventTimes.include(at: 4_102_444_800, recordedAt: 4_102_444_900)
        s.stage = .awaitingSupplement; s.resumeStage = .inProgress
        s.procedure = "1.004227"; s.procedureSeq = 7
        s.agency = "H40.22"; s.channel = "kiosk"
        s.submittedAt = -86_400 * 400; s.submittedSeq = 1
        s.receivedAt = 1_709_517_600; s.receivedSeq = 9_000_000_000; s.receivedBy = "cb-001"
        s.processingSeconds = 3 * 8 * 3600; s.obligationPauses = true
        s.rejectedAt = nil
        s.processedAt = 1_710_000_000; s.processedSeq = 9_000_000_100; s.result = "partly approved"
        s.returnedAt = 1_710_100_000; s.endedAt = 1_710_100_000; s.endSeq = 9_000_000_123
        s.holdings = [
            .init(officer: "cb-002", step: "Thẩm định", from: 1_709_518_000, to: 1_709_600_000, assignedSeq: 9_000_000_001, endSeq: 9_000_000_050),
            .init(officer: "cb-003", step: "Phê duyệt", from: 1_709_600_000, to: nil, assignedSeq: 9_000_000_050, endSeq: nil),
            .init(officer: "", step: "", from: 1_709_500_000, to: 1_709_400_000, assignedSeq: 2, endSeq: 9_000_000_123),
        ]
        s.pauses = [.init(reason: .supplement, start: 1_709_700_000, end: 1_709_800_000, startSeq: 9_000_000_060, requestedBy: "cb-002"),
                    .init(reason: .obligation, start: 1_709_900_000, end: nil, startSeq: 9_000_000_070, requestedBy: nil)]
        s.obligationWaits = [.init(reason: .obligation, start: 1_709_900_000, end: nil, startSeq: 9_000_000_070, requestedBy: nil)]
        s.supplementRequestSeqs = [9_000_000_060, 5]
        s.supplementRequesters = ["cb-002", nil]
        s.apologyNewDueAt = 1_711_000_000; s.apologyAt = 1_710_050_000; s.apologySeq = 9_000_000_090
        s.payments = [.init(at: 1_709_520_000, amount: 500_000, online: true, seq: 9_000_000_002),
                      .init(at: 1_709_520_001, amount: 1234.5, online: false, seq: 9_000_000_003),
                      .init(at: 1_709_520_002, amount: -4_000_000_000_000, online: false, seq: 9_000_000_004)]
        s.inputDigitised = true; s.resultDigitised = true
        s.ratings = [.init(at: 1_710_200_000, score: 4, seq: 9_000_000_110)]
        s.complaints = [.init(at: 1_710_300_000, seq: 9_000_000_120)]
        s.voided = [9_000_000_055]
        s.lateRecordings = [(seq: 9_000_000_100, lagSeconds: 86_400 * 30)]
        return s
    }

    static func decoded(_ s: DossierState) throws -> DossierState {
        try s.encoded().withUnsafeBytes { try DossierState(decoding: $0, code: s.code) }
    }

    @Test func everyFieldReadsBackAsWritten() throws {
        let full = Self.fullState()
        // Compared field by field (equality of states compares their stored forms).
        #expect(String(describing: try Self.decoded(full)) == String(describing: full))
        var plain = DossierState(code: "D")
        #expect(String(describing: try Self.decoded(plain)) == String(describing: plain))
        plain.channel = "online"; plain.result = "denied"
        #expect(String(describing: try Self.decoded(plain)) == String(describing: plain))
        let header = try full.encoded().withUnsafeBytes { try DossierState.header(ofEncoded: $0) }
        #expect(header.version == 23 && header.lastSeq == 9_000_000_123 && header.eventTimes == full.eventTimes)
        #expect(try full.encoded().withUnsafeBytes { try DossierState.stage(ofEncoded: $0) } == .awaitingSupplement)
    }

    @Test func theCompactFormIsSmall() {
        // A closed dossier of a year's province: three holds, a fee, a rating.
        var s = DossierState(code: "H40-251106-0290")
        s.version = 9; s.lastSeq = 4_127_150
        s.eventTimes.include(at: 1_762_390_800, recordedAt: 1_762_390_800)
        s.eventTimes.include(at: 1_763_000_000, recordedAt: 1_763_000_100)
        s.stage = .returned
        s.procedure = "1.004227"; s.procedureSeq = 40; s.agency = "H40"; s.channel = "online"
        s.receivedAt = 1_762_390_800; s.receivedSeq = 4_100_000; s.receivedBy = "cb-0013"
        s.processingSeconds = 86_400
        s.processedAt = 1_762_900_000; s.processedSeq = 4_126_000; s.result = "approved"
        s.returnedAt = 1_763_000_000; s.endedAt = 1_763_000_000; s.endSeq = 4_127_150
        s.holdings = [.init(officer: "cb-0013", step: "Tiếp nhận", from: 1_762_390_800, to: 1_762_400_000, assignedSeq: 4_100_001, endSeq: 4_101_000),
                      .init(officer: "cb-0014", step: "Thẩm định", from: 1_762_400_000, to: 1_762_800_000, assignedSeq: 4_101_000, endSeq: 4_120_000),
                      .init(officer: "cb-0015", step: "Phê duyệt", from: 1_762_800_000, to: 1_762_900_000, assignedSeq: 4_120_000, endSeq: 4_126_000)]
        s.payments = [.init(at: 1_762_391_000, amount: 500_000, online: true, seq: 4_100_010)]
        s.ratings = [.init(at: 1_763_000_000, score: 5, seq: 4_127_150)]
        // Each text is its UTF-8 bytes after a length byte; channel and outcome are one byte each.
        let texts = ([s.procedure!, s.agency!, s.receivedBy!] + s.holdings.flatMap { [$0.officer, $0.step] }).map { $0.utf8.count + 1 }.reduce(0, +)
        // The rest: written whole (instants of 5 bytes and seqs of 4, channel and outcome as text), 181 bytes.
        let numbers = s.encoded().count - texts
        #expect(numbers <= 100, "\(numbers) bytes of numbers")
    }

    @Test func damagedBytesAreAnErrorNotATrap() throws {
        let bytes = Self.fullState().encoded()
        for cut in 0..<bytes.count {
            let prefix = Array(bytes[0..<cut])
            #expect(throws: RecordDecodingError.self) { try prefix.withUnsafeBytes { try DossierState(decoding: $0, code: "X") } }
        }
        var unknownChoice = DossierState(code: "D")
        let withoutChannel = unknownChoice.encoded()
        unknownChoice.channel = "online"
        var damaged = unknownChoice.encoded()
        let channelByte = try #require((0..<withoutChannel.count).first { withoutChannel[$0] != damaged[$0] })
        #expect(damaged[channelByte] == 2)
        damaged[channelByte] = 9
        #expect(throws: RecordDecodingError.self) { try damaged.withUnsafeBytes { try DossierState(decoding: $0, code: "D") } }
    }

    /// States no appended event could produce (a seq after the last one, a
    /// time beyond the years 0000–9999, a negative processing time) are
    /// decoding errors, so that damaged rows never reach arithmetic that traps.
    @Test func valuesNoEventCouldProduceDoNotDecode() throws {
        var cases: [(String, DossierState)] = []
        var s = Self.fullState()
        s.holdings[0].assignedSeq = 1 << 63
        cases.append(("a dossier state names seq 9223372036854775808, after its last seq 9000000123", s))
        s = Self.fullState()
        s.lastSeq = 1 << 63
        cases.append(("a dossier state's last seq 9223372036854775808 is out of range", s))
        s = Self.fullState()
        s.processingSeconds = .min
        cases.append(("a dossier state's processing time -9223372036854775808 s is out of range", s))
        s = Self.fullState()
        s.receivedAt = .max
        cases.append(("a dossier state holds a time out of range (9223372036854775807 s)", s))
        s = Self.fullState()
        s.eventTimes.include(at: 1 << 62, recordedAt: 1 << 62)
        cases.append(("a dossier state's event times are out of range", s))
        for (reason, state) in cases {
            let bytes = state.encoded()
            #expect(throws: RecordDecodingError(reason: reason)) { try bytes.withUnsafeBytes { try DossierState(decoding: $0, code: state.code) } }
        }
        let bytes = Self.fullState().encoded()
        #expect(try bytes.withUnsafeBytes { try DossierState(decoding: $0, code: "H40.22-240304-0001") } == Self.fullState())
    }
}
