import Testing
@testable import LedgerStore
import LedgerContract

struct RecordCodecTests {
    func roundTrip(_ r: RecordedEvent) throws -> RecordedEvent {
        var table: [String] = []
        let bytes = RecordCodec.encode(r, dossierNumber: r.event.dossier == nil ? nil : 7) { s in
            if let i = table.firstIndex(of: s) { return UInt32(i + 1) }
            table.append(s)
            return UInt32(table.count)
        }
        #expect(bytes.first == RecordCodec.formatVersion)
        return try bytes.withUnsafeBytes { b in
            try RecordCodec.decode(b, seq: r.seq, dossierCode: { n in
                #expect(n == 7)
                return r.event.dossier!
            }, string: { table[Int($0) - 1] })
        }
    }

    @Test func dossierEventRoundTripsWithUnknownDataFields() throws {
        let event = try Event(jsonLine: #"{"type":"dossier.received","dossier":"H40.22-230208-0001","at":"2023-02-08T09:15:00+07:00","actor":"officer-017","data":{"procedure":"1.004227","agency":"H40.22","channel":"online","extra":{"nested":[1,2.5,"Hà Nội",null,true]}},"id":"6f1c","expectedVersion":0,"recordedAt":"2023-02-08T02:15:02.25Z"}"#)
        let r = RecordedEvent(seq: 42, version: 1, event: event, hash: SHA256.hash(Array("x".utf8)))
        #expect(try roundTrip(r) == r)
    }

    @Test func referenceEventRoundTrips() throws {
        var event = try Event(jsonLine: #"{"type":"agency.registered","at":"2023-01-01T00:00:00+07:00","data":{"code":"H40","name":"Tỉnh","level":"province"}}"#)
        event.recordedAt = try Timestamp(rfc3339: "2023-01-01T00:00:05+07:00")
        let r = RecordedEvent(seq: 1, version: nil, event: event, hash: .zero)
        #expect(try roundTrip(r) == r)
    }

    @Test func damagedBytesGiveAnErrorNotACrash() throws {
        let event = try Event(jsonLine: #"{"type":"dossier.rejected","dossier":"D1","at":"2023-02-08T09:15:00+07:00","data":{"reason":"thiếu giấy tờ"}}"#)
        var withTime = event
        withTime.recordedAt = event.at
        let r = RecordedEvent(seq: 3, version: 2, event: withTime, hash: .zero)
        var table: [String] = []
        let bytes = RecordCodec.encode(r, dossierNumber: 1) { s in table.append(s); return UInt32(table.count) }
        for cut in 0..<bytes.count {
            let short = Array(bytes[..<cut])
            #expect(throws: (any Error).self) {
                try short.withUnsafeBytes { b in
                    try RecordCodec.decode(b, seq: 3, dossierCode: { _ in "D1" }, string: { id in
                        guard id >= 1, Int(id) <= table.count else { throw RecordDecodingError(reason: "no string \(id)") }
                        return table[Int(id) - 1]
                    })
                }
            }
        }
    }
}

extension RecordCodecTests {
    /// A record whose time lies beyond any RFC 3339 time (written by damage,
    /// never by an append) is a decoding error: folds subtract and convert
    /// such times, and must not overflow.
    @Test func aTimeBeyondTheYears0000To9999DoesNotDecode() throws {
        let event = try Event(jsonLine: #"{"type":"dossier.rejected","dossier":"D1","at":"2023-02-08T09:15:00+07:00","data":{"reason":"x"}}"#)
        for (at, recordedAt): (Int64, Int64) in [(.max, 0), (1 << 62, 1 << 62), (-(1 << 62), 0), (1_675_822_500, .max), (253_402_387_140, 253_402_387_140)] {
            var damaged = event
            damaged.at = Timestamp(seconds: at, offsetMinutes: 0)
            damaged.recordedAt = Timestamp(seconds: recordedAt, offsetMinutes: 0)
            let bytes = RecordCodec.encode(RecordedEvent(seq: 3, version: 1, event: damaged, hash: .zero), dossierNumber: 1) { _ in 1 }
            #expect(throws: RecordDecodingError(reason: "time out of range")) {
                try bytes.withUnsafeBytes { try RecordCodec.decode($0, seq: 3, dossierCode: { _ in "D1" }, string: { _ in "reason" }) }
            }
        }
        var latest = event
        latest.at = try Timestamp(rfc3339: "9999-12-31T23:59:59-23:59")
        latest.recordedAt = try Timestamp(rfc3339: "0000-01-01T00:00:00+23:59")
        let r = RecordedEvent(seq: 3, version: 1, event: latest, hash: .zero)
        #expect(try roundTrip(r) == r)
    }
}

@Suite struct ByteCodingTests {
    @Test func primitivesReadBackAsWritten() throws {
        var w = ByteWriter(capacity: 1)   // forces the buffer to grow many times
        let ints: [Int64] = [0, 1, -1, 63, 64, -65, 300, 1_700_000_000, .max, .min]
        for i in ints { w.svarint(i) }
        w.varint(UInt64.max)
        w.blob("Thẩm định")
        w.blob("")
        w.double(-2.5e-8)
        w.u8(0xFF)
        w.raw([1, 2, 3])
        try w.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws -> Void in
            var r = ByteReader(buffer)
            for i in ints { #expect(try r.svarint() == i) }
            #expect(try r.varint() == UInt64.max)
            #expect(try r.blob() == "Thẩm định")
            #expect(try r.blob() == "")
            #expect(try r.double() == -2.5e-8)
            #expect(try r.u8() == 0xFF)
            #expect(Array(try r.bytes(3)) == [1, 2, 3])
            #expect(r.isAtEnd)
        }
    }

    /// A writer moved elsewhere keeps its bytes; `removeAll` keeps the buffer for new ones.
    @Test func aMovedWriterKeepsItsBytes() {
        var a = ByteWriter(capacity: 16)
        for i in 0..<40 { a.u8(UInt8(i)) }   // grown past its first buffer
        var b = consume a
        b.u8(99)
        #expect(b.bytes == Array(0..<40) + [99])
        b.removeAll()
        b.u8(9)
        #expect(b.bytes == [9])
    }

    /// Varints of every length read back, whether the eight-byte fast path or the byte loop reads them.
    @Test func varintsOfEveryLengthReadBack() throws {
        var values: [UInt64] = [0, 1, 127, 128, 255, 16_383, 16_384, 1 << 21 - 1, 1 << 21, 1 << 28, 1 << 35, 1 << 42, 1 << 49,
                                1 << 56 - 1, 1 << 56, 1 << 63, UInt64.max]
        for shift in 0..<64 { values.append(1 << UInt64(shift)); values.append((1 << UInt64(shift)) &- 1) }
        for padding in [0, 3, 12] {
            var w = ByteWriter()
            for v in values { w.varint(v) }
            w.raw([UInt8](repeating: 0xAA, count: padding))   // with little or much room after the last value
            try w.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws -> Void in
                var r = ByteReader(buffer)
                for v in values { #expect(try r.varint() == v, "\(v) with \(padding) bytes after") }
                #expect(buffer.count - r.offset == padding)
            }
        }
    }

    @Test func truncatedAndOverlongVarintsNameTheFault() {
        let truncated: [UInt8] = [0x80, 0x80]
        truncated.withUnsafeBytes { buffer in
            var r = ByteReader(buffer)
            #expect(throws: RecordDecodingError.self) { try r.varint() }
        }
        let overlong = [UInt8](repeating: 0xFF, count: 11) + [0x01]
        overlong.withUnsafeBytes { buffer in
            var r = ByteReader(buffer)
            do { _ = try r.varint(); Issue.record("a 12-byte varint was accepted") } catch let error as RecordDecodingError {
                #expect(error.reason.contains("varint too long"))
            } catch { Issue.record("unexpected \(error)") }
        }
    }

    @Test func keysSortAsLMDBSortsThem() {
        #expect(Key.precedes([1, 2], [1, 3]))
        #expect(Key.precedes([1, 2], [1, 2, 0]))
        #expect(!Key.precedes([1, 2], [1, 2]))
        #expect(!Key.precedes([2], [1, 9, 9]))
        #expect(Key.precedes([], [0]))
    }
}
