import Foundation
import Testing
import LMDB
@testable import LedgerStore
import LedgerContract

/// Subscription catch-up and export write lines transcoded straight from
/// stored records; they must be byte for byte the contract's output line of
/// the decoded event (`expectedLine`, written here from EVENTS.md with the
/// contract's JSON writer), and damaged bytes must give the error `decode`
/// gives, never a crash.
@Suite struct OutputLineTranscodingTests {
    /// An event store in its own temporary directory, filled through `Appender` (storage only, no domain rules).
    final class TemporaryStore {
        let directory = NSTemporaryDirectory() + "transcoding-test-" + UUID().uuidString
        let store: EventStore

        init() throws { store = try EventStore.create(at: directory + "/ledger") }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// Stores contract input lines in one transaction; `recordedAt` where a line has none.
        func append(_ lines: [String], recordedAt: String = "2026-01-01T00:00:00+07:00") throws {
            let stamp = try Timestamp(rfc3339: recordedAt)
            let events = try lines.map { try Event(jsonLine: $0) }
            let appender = try store.environment.write { txn in
                var appender = try Appender(store: store, in: txn)
                try store.withLogCursor(in: txn) { logCursor in
                    for e in events {
                        let canonical = CanonicalEncoding(e)
                        _ = try appender.claim(e, identityKey: IdentityKey(of: e, canonical), in: txn)
                        let slot = e.dossier.map { appender.slot(ofDossier: $0) }
                        _ = try appender.append(e, slot: slot, canonical: canonical, recordedAt: stamp, in: txn, through: logCursor)
                    }
                }
                try appender.finish(in: txn)
                return appender
            }
            appender.publish()
        }
    }

    static let fixture: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let text = try! String(contentsOf: root.appendingPathComponent("Fixtures/small-province.ndjson"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }()

    /// Reference and dossier events with awkward data: escapes, control
    /// characters, unicode, nested lists and objects, doubles, negative and
    /// extreme ints, odd timestamps, ids and expectedVersion.
    static let awkward: [String] = [
        #"{"type":"agency.registered","at":"0000-01-01T00:00:00Z","data":{"code":"A\"1\\","name":"Tỉnh \u0000\u0001\u001f\u007f \b\f\n\r\t ✓ 😀 \u2028","level":"province","parent":null}}"#,
        #"{"type":"procedure.defined","at":"9999-12-31T23:59:59.999999999+23:59","data":{"code":"P-1","name":"x","processingDays":3,"online":"full","steps":[{"name":"Tiếp nhận","budgetHours":2},{"name":"Thẩm \"định\"","budgetHours":16.5}],"obligationPauses":false}}"#,
        #"{"type":"calendar.declared","at":"2024-01-01T00:00:00.1-23:59","data":{"year":2024,"holidays":[],"workdays":["2024-02-17"],"doubles":[1.0,0.1,1e300,-0.0,0.0,2.5e-8,1e15,1e16,-123.0,999999999999999.0,5e-324,1.7976931348623157e308,-1.5,3.141592653589793],"ints":[0,-1,-7,63,64,-64,-65,9223372036854775807,-9223372036854775808]}}"#,
        #"{"type":"dossier.received","dossier":"D-\"quoted\"\\x \u0007 Đ","at":"2024-03-04T09:00:00+07:00","actor":"cb-\"001\"","data":{"procedure":"1.004227","agency":"H40.22","channel":"direct"},"id":"id-ü-1 \"q\" \\ \n","expectedVersion":0}"#,
        #"{"type":"dossier.assigned","dossier":"D-\"quoted\"\\x \u0007 Đ","at":"2024-03-04T09:10:00.5Z","actor":"cb-001","data":{"to":"cb-\n002","step":"Thẩm định","note":"tab\tnew\nline \u0001 \u001f ✓ 😀","nested":{"list":[1,-7,0.1,1.0,1e300,-0.0,2.5e-8,true,false,null,[],{},[[[]]]],"deep":{"x":[{"y":"z","_":""}]},"\"key\\":"v"}},"id":"g1-000000005","recordedAt":"2024-03-04T02:10:00.123456789-05:30"}"#,
        #"{"type":"dossier.fee_paid","dossier":"D-\"quoted\"\\x \u0007 Đ","at":"2024-03-04T09:20:00+07:00","data":{"amount":150000.75,"online":true},"expectedVersion":4294967295}"#,
        #"{"type":"dossier.complaint_filed","dossier":"H40.22-240304-0001","at":"2024-03-04T09:20:00.12-00:30","data":{"text":"a very long complaint text that stays inline, with \"quotes\" and a backslash \\ and Vietnamese: Người dân phản ánh chậm trễ","procedure":"a procedure code longer than sixty-four bytes is stored inline instead of interned"}}"#,
        #"{"type":"event.voided","dossier":"H40.22-240304-0001","at":"2024-03-04T09:30:00z","data":{"seq":7,"reason":""}}"#,
        #"{"type":"activity.recorded","dossier":"X","at":"1969-12-31T23:59:59-01:00","data":{"activity":"A \u0010","resource":"R","attributes":{"a":[{"b":[1,{"c":null}]}]}}}"#,
    ]

    /// Both renderings of the record at `seq`: transcoded and decoded-then-written (or their errors).
    func renderings(_ raw: UnsafeRawBufferPointer, seq: UInt64, transcoder: inout OutputLineTranscoder,
                    store: EventStore, in txn: Transaction) -> (transcoded: Result<[UInt8], any Error>, decoded: Result<[UInt8], any Error>) {
        var direct = JSONWriter()
        let transcoded = Result { try transcoder.append(raw, seq: seq, to: &direct, in: txn); return direct.bytes }
        let decoded = Result { Self.expectedLine(try store.decode(raw, seq: seq, in: txn)) }
        return (transcoded, decoded)
    }

    /// The output line of EVENTS.md for `r`: the input fields plus seq,
    /// version, recordedAt and hash, in this order, compact.
    static func expectedLine(_ r: RecordedEvent) -> [UInt8] {
        let event = r.event
        var w = JSONWriter()
        w.raw("{")
        w.key("seq", first: true); w.int(Int64(r.seq))
        w.key("type"); w.string(event.type.name)
        if let d = event.dossier { w.key("dossier"); w.string(d) }
        if let v = r.version { w.key("version"); w.int(Int64(v)) }
        w.key("at"); w.timestamp(event.at)
        if let a = event.actor { w.key("actor"); w.string(a) }
        w.key("data"); w.object(event.data)
        if let id = event.id { w.key("id"); w.string(id) }
        if let ev = event.expectedVersion { w.key("expectedVersion"); w.int(Int64(ev)) }
        w.key("recordedAt"); w.timestamp(r.recordedAt)
        w.key("hash"); w.hex(r.hash)
        w.raw("}")
        return w.bytes
    }

    /// Compares every stored record's two renderings; returns how many.
    func compareEveryRecord(_ store: EventStore, transcoder: inout OutputLineTranscoder) throws -> Int {
        try store.read { txn in
            var compared = 0
            try store.forEachRecord(in: txn) { seq, raw in
                let (transcoded, decoded) = renderings(raw, seq: seq, transcoder: &transcoder, store: store, in: txn)
                let expected = String(decoding: try decoded.get(), as: UTF8.self)
                #expect(String(decoding: try transcoded.get(), as: UTF8.self) == expected, "seq \(seq)")
                compared += 1
                return true
            }
            return compared
        }
    }

    @Test func everyFixtureEventTranscodesToItsDecodedLine() throws {
        let t = try TemporaryStore()
        try t.append(Self.fixture)
        var transcoder = OutputLineTranscoder(store: t.store)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == Self.fixture.count)
    }

    @Test func dossiersSharingACacheSlotTranscodeToTheirOwnCodes() throws {
        let t = try TemporaryStore()
        try t.append(Self.fixture + Self.awkward)
        // Two slots: the fixture's dossiers keep taking each other's slot.
        var transcoder = OutputLineTranscoder(store: t.store, codeSlots: 2)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == Self.fixture.count + Self.awkward.count)
    }

    /// A transcoder that follows a growing log sizes its cache of codes by
    /// the dossiers at its first read (1,024 slots here), then allocates it
    /// again, larger, once a dossier is numbered past twice that: every
    /// line stays the decoded one, before and after.
    @Test func aTranscoderFollowingAGrowingLogKeepsItsCodes() throws {
        let t = try TemporaryStore()
        func dossiers(_ numbers: ClosedRange<Int>) -> [String] {
            numbers.map { #"{"type":"dossier.received","dossier":"G-\#($0)","at":"2024-03-04T09:00:00+07:00","data":{"procedure":"P","agency":"A","channel":"direct"}}"# }
        }
        try t.append(dossiers(1...10))
        var transcoder = OutputLineTranscoder(store: t.store)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == 10)
        try t.append(dossiers(11...2_200))
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == 2_200)
    }

    @Test func awkwardDataTranscodesToTheDecodedLines() throws {
        let t = try TemporaryStore()
        try t.append(Self.awkward, recordedAt: "2024-03-04T09:30:00.25+07:00")
        var transcoder = OutputLineTranscoder(store: t.store)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == Self.awkward.count)
        // Spot checks against the contract text itself.
        let lines = try t.store.read { txn in
            try (1...UInt64(Self.awkward.count)).map { seq throws in
                var w = JSONWriter()
                let found = try transcoder.appendLine(seq: seq, to: &w, in: txn)
                #expect(found)
                return String(decoding: w.bytes, as: UTF8.self)
            }
        }
        #expect(lines[0].hasPrefix(#"{"seq":1,"type":"agency.registered","at":"0000-01-01T00:00:00Z","data":{"code":"A\"1\\","name":"Tỉnh \u0000\u0001\u001f"#))
        // As `JSONWriter.double` has always written them: an integral double below 1e15 as an integer with ".0" (so -0.0 as 0.0).
        #expect(lines[2].contains(#""doubles":[1.0,0.1,1e+300,0.0,0.0,2.5e-08,1000000000000000.0,1e+16,-123.0,999999999999999.0,5e-324,1.7976931348623157e+308,-1.5,3.141592653589793]"#))
        #expect(lines[2].contains(#""ints":[0,-1,-7,63,64,-64,-65,9223372036854775807,-9223372036854775808]"#))
        #expect(lines[3].contains(#","id":"id-ü-1 \"q\" \\ \n","expectedVersion":0,"recordedAt":"2024-03-04T09:30:00.25+07:00","hash":""#))
        #expect(lines[4].contains(#""at":"2024-03-04T09:10:00.5Z""#) && lines[4].contains(#""recordedAt":"2024-03-04T02:10:00.123456789-05:30""#))
        #expect(lines[5].contains(#""expectedVersion":4294967295"#))
        var w = JSONWriter()
        let past = try t.store.read { txn in try transcoder.appendLine(seq: 99, to: &w, in: txn) }
        #expect(!past && w.bytes.isEmpty)
    }

    /// `verify` hashes records through the transcoder: the hash form it
    /// writes must give, for every record, the hash the append stored and
    /// `RecordedEvent.chainedHash` recomputes, keys sorted by their raw
    /// UTF-8 bytes at every depth (`"` 0x22 before `#` 0x23, although its
    /// escaped form `\"` would sort after).
    @Test func hashFormsGiveTheStoredChain() throws {
        let t = try TemporaryStore()
        let keys = [
            ##"{"type":"dossier.assigned","dossier":"K","at":"2024-03-04T09:10:00Z","data":{"#":1,"\"":2,"b":{"z":[{"y":1,"x":2}],"\u0001":3,"é":4,"e":5},"a":[]}}"##,
            #"{"type":"dossier.rated","dossier":"K","at":"2024-03-04T09:11:00Z","data":{"zz":"v","z":"w","":null,"é":{"":""}}}"#,
        ]
        try t.append(Self.fixture + Self.awkward + keys)
        var transcoder = OutputLineTranscoder(store: t.store)
        let checked = try t.store.read { txn in
            var previous = SHA256.Digest.zero
            var checked = 0
            try t.store.forEachRecord(in: txn) { seq, raw in
                let view = try t.store.view(raw, seq: seq)
                let decoded = try t.store.decode(raw, seq: seq, in: txn)
                let hash = try transcoder.chainedHash(view, previous: previous, in: txn)
                #expect(hash == decoded.hash, "seq \(seq)")
                #expect(hash == decoded.chainedHash(previous: previous), "seq \(seq)")
                previous = decoded.hash
                checked += 1
                return true
            }
            return checked
        }
        #expect(checked == Self.fixture.count + Self.awkward.count + keys.count)
    }

    @Test func stringsAndDossiersAddedLaterAreReadAgain() throws {
        let t = try TemporaryStore()
        try t.append(Array(Self.fixture[0..<10]))
        var transcoder = OutputLineTranscoder(store: t.store)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == 10)
        // New keys, interned values and dossiers arrive after the caches were filled.
        try t.append(Array(Self.fixture[10...]) + Self.awkward)
        #expect(try compareEveryRecord(t.store, transcoder: &transcoder) == Self.fixture.count + Self.awkward.count)
    }

    /// Every truncation and many single-byte changes of stored records: the
    /// transcoder gives what decoding gives — the same line, or the same
    /// error — and never traps. (A timestamp outside the years 0000–9999
    /// decodes but is refused as damage.)
    @Test func damagedBytesGiveDecodesErrorNotACrash() throws {
        let t = try TemporaryStore()
        try t.append(Self.fixture + Self.awkward)
        let store = t.store
        var transcoder = OutputLineTranscoder(store: store)
        var refused = 0
        try store.read { txn in
            for seq in [1, 7, 10, 11, 12] + (1...UInt64(Self.awkward.count)).map({ UInt64(Self.fixture.count) + $0 }) {
                let good = Array(try #require(try txn.get(store.tables.events, key: Key.u64(UInt64(seq)))))
                var variants = (0..<good.count).map { Array(good[..<$0]) }
                variants.append(good + [0])
                for i in 0..<good.count {
                    for x: UInt8 in [0x01, 0x40, 0x80, 0xFF] {
                        var v = good
                        v[i] ^= x
                        variants.append(v)
                    }
                }
                for bytes in variants {
                    let (transcoded, decoded) = bytes.withUnsafeBytes { renderings($0, seq: UInt64(seq), transcoder: &transcoder, store: store, in: txn) }
                    let (hashed, expectedHash) = bytes.withUnsafeBytes { raw in
                        (Result { try transcoder.chainedHash(try store.view(raw, seq: UInt64(seq)), previous: .zero, in: txn) },
                         Result { try store.decode(raw, seq: UInt64(seq), in: txn).chainedHash(previous: .zero) })
                    }
                    switch (hashed, expectedHash) {
                    case (.success(let a), .success(let b)): #expect(a == b, "seq \(seq)")
                    case (.success, .failure(let e)): Issue.record("seq \(seq): hashed although decoding fails with \(e)")
                    case (.failure(let e), _): #expect((e as? LedgerError)?.kind == .corrupt, "\(e)")
                    }
                    switch (transcoded, decoded) {
                    case (.success(let a), .success(let b)):
                        #expect(a == b, "seq \(seq)")
                    case (.failure(let e), .success):
                        let error = try #require(e as? LedgerError)
                        #expect(error.kind == .corrupt && error.message.contains("is outside the years 0000–9999"), "\(error)")
                    case (.success, .failure(let e)):
                        Issue.record("seq \(seq): transcoded although decoding fails with \(e)")
                    case (.failure(let a), .failure(let b)):
                        let (ea, eb) = (try #require(a as? LedgerError), try #require(b as? LedgerError))
                        #expect(ea.kind == .corrupt && eb.kind == .corrupt)
                        #expect(ea.message == eb.message)
                        refused += 1
                    }
                }
            }
        }
        #expect(refused > 1000)
    }

    @Test func aTruncatedRecordNamesItsSeqAndTheFault() throws {
        let t = try TemporaryStore()
        try t.append(Self.fixture)
        let store = t.store
        var transcoder = OutputLineTranscoder(store: store)
        try store.read { txn in
            let good = Array(try #require(try txn.get(store.tables.events, key: Key.u64(12))))
            var w = JSONWriter()
            do {
                try Array(good.dropLast()).withUnsafeBytes { try transcoder.append($0, seq: 12, to: &w, in: txn) }
                Issue.record("a truncated record transcoded")
            } catch let e as LedgerError {
                #expect(e.kind == .corrupt)
                #expect(e.message.hasPrefix("\(store.path): seq 12: stored bytes do not decode: "), "\(e)")
            }
        }
    }

    @Test func aTimestampNoInputCanGiveIsRefused() throws {
        let t = try TemporaryStore()
        try t.append(Array(Self.fixture[0..<9]))
        let store = t.store
        var transcoder = OutputLineTranscoder(store: store)
        try store.read { txn in
            var recorded = try store.decode(try #require(try txn.get(store.tables.events, key: Key.u64(9))), seq: 9, in: txn)
            let texts = try store.stringTexts(in: txn)
            for seconds: Int64 in [253_402_300_800, -62_167_219_201, .max, .min] {
                recorded.event.recordedAt = Timestamp(seconds: seconds, offsetMinutes: 0)
                let bytes = RecordCodec.encode(recorded, dossierNumber: 1) { UInt32(texts.firstIndex(of: $0)! + 1) }
                var w = JSONWriter()
                #expect(throws: LedgerError.self) { try bytes.withUnsafeBytes { try transcoder.append($0, seq: 9, to: &w, in: txn) } }
            }
            recorded.event.recordedAt = Timestamp(seconds: 253_402_300_799 - 23 * 3600, offsetMinutes: 23 * 60)   // 9999-12-31T23:59:59+23:00
            let bytes = RecordCodec.encode(recorded, dossierNumber: 1) { UInt32(texts.firstIndex(of: $0)! + 1) }
            var w = JSONWriter()
            try bytes.withUnsafeBytes { try transcoder.append($0, seq: 9, to: &w, in: txn) }
            #expect(String(decoding: w.bytes, as: UTF8.self).contains(#""recordedAt":"9999-12-31T23:59:59+23:00""#))
        }
    }

    /// The one-pass UTF-8 check agrees with `String(validating:)` and with what `JSONWriter.string` escapes.
    @Test func textClassificationAgreesWithTheStandardLibrary() {
        func check(_ bytes: [UInt8]) {
            let kind = bytes.withUnsafeBytes { UTF8Text.classify($0) }
            guard let s = String(validating: bytes, as: UTF8.self) else {
                #expect(kind == .invalid, "\(bytes)")
                return
            }
            var w = JSONWriter()
            w.string(s)
            let plain = w.bytes == [0x22] + bytes + [0x22]
            #expect(kind == (plain ? .plain : .needsEscapes), "\(bytes)")
        }
        for a in 0...255 {
            check([UInt8(a)])
            for b in 0...255 { check([UInt8(a), UInt8(b)]) }
        }
        let edges: [UInt8] = [0x00, 0x22, 0x41, 0x5C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for a in 0xC0...0xFF {
            for b in edges {
                for c in edges { check([UInt8(a), b, c]); check([UInt8(a), b, c, 0x41]) }
            }
        }
        for a: UInt8 in [0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5] {
            for b in edges {
                for c in edges {
                    for d in edges { check([a, b, c, d]) }
                }
            }
        }
    }
}
