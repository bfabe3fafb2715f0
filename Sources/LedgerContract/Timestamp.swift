
/// An RFC 3339 instant with the offset it was written in, e.g.
/// `2023-02-08T09:15:00+07:00`.
///
/// The instant is `seconds` (Unix, UTC) plus `nanoseconds`; `offsetMinutes`,
/// `fractionDigits` and `isZulu` remember how it was written so `text` gives
/// back the same string. Equality and order compare the instant only.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32
    public var offsetMinutes: Int16
    public var fractionDigits: UInt8
    public var isZulu: Bool

    @inlinable public init(seconds: Int64, nanoseconds: Int32 = 0, offsetMinutes: Int16 = 7 * 60, fractionDigits: UInt8 = 0, isZulu: Bool = false) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.offsetMinutes = offsetMinutes
        self.fractionDigits = fractionDigits
        self.isZulu = isZulu
    }

    /// The instants an RFC 3339 time can name: 0000-01-01T00:00:00+23:59
    /// through 9999-12-31T23:59:59-23:59. Events and stored records hold
    /// only these, so differences between them stay far inside `Int64`.
    public static let eventSeconds: ClosedRange<Int64> = -62_167_305_540...253_402_387_139

    public static func == (a: Timestamp, b: Timestamp) -> Bool { a.seconds == b.seconds && a.nanoseconds == b.nanoseconds }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds) }
    public func hash(into h: inout Hasher) { h.combine(seconds); h.combine(nanoseconds) }

    /// The same instant written in another offset (seconds precision kept).
    public func inOffset(minutes: Int16) -> Timestamp {
        Timestamp(seconds: seconds, nanoseconds: nanoseconds, offsetMinutes: minutes, fractionDigits: fractionDigits, isZulu: false)
    }

    public var description: String { text }

    /// Why a time was refused.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed
        case missingOffset
        case impossible(String)
        public var description: String {
            switch self {
            case .malformed: "not an RFC 3339 time (expected like 2024-03-05T09:15:00+07:00)"
            case .missingOffset: "RFC 3339 time without an offset (add Z or +07:00)"
            case .impossible(let what): "impossible time: \(what)"
            }
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    public init(rfc3339 text: String) throws(ParseError) {
        var text = text
        let parsed: Result<Timestamp, ParseError> = text.withUTF8 { Timestamp.parse($0) }
        self = try parsed.get()
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ParseError> {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                let c = b[k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 19, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let day = digits(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
              b[16] == UInt8(ascii: ":"), let second = digits(17, 2)
        else { return .failure(.malformed) }
        var i = 19
        var nanos = 0
        var fractionDigits = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                guard fractionDigits < 9 else { return .failure(.malformed) }
                nanos = nanos * 10 + Int(b[i] - 48)
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return .failure(.malformed) }
            for _ in fractionDigits..<9 { nanos *= 10 }
        }
        guard i < b.count else { return .failure(.missingOffset) }
        var offset = 0
        var zulu = false
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            zulu = true
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2) else {
                return .failure(.malformed)
            }
            guard oh <= 23, om <= 59 else { return .failure(.impossible("offset \(oh):\(om)")) }
            offset = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return .failure(.malformed)
        }
        guard i == b.count else { return .failure(.malformed) }
        guard (1...12).contains(month) else { return .failure(.impossible("month \(month)")) }
        guard let date = LocalDate(year: year, month: month, day: day) else {
            return .failure(.impossible("day \(day) of \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            return .failure(.impossible("time of day \(hour):\(minute):\(second)"))
        }
        let local = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return .success(Timestamp(seconds: local - Int64(offset * 60), nanoseconds: Int32(nanos),
                                  offsetMinutes: Int16(offset), fractionDigits: UInt8(fractionDigits), isZulu: zulu))
    }

    /// The RFC 3339 text, in the offset and precision it was written with.
    public var text: String {
        String(unsafeUninitializedCapacity: Self.maxTextBytes) { write(to: $0.baseAddress!) }
    }

    /// The longest `text`: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+HH:MM`.
    public static let maxTextBytes = 35

    /// Appends `text`'s bytes to `out` (no String made).
    public func write(into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxTextBytes) { buffer in
            let n = write(to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// The last local day a scan of timestamps formatted, with its
    /// `YYYY-MM-DD`: consecutive events mostly fall on one day, and the
    /// calendar arithmetic is the dearest part of a timestamp.
    public struct DateCache {
        var day = Int.min
        var date: (UInt64, UInt16) = (0, 0)
        public init() {}
    }

    /// Writes `text`'s bytes digit by digit at `out`, which must have room
    /// for `maxTextBytes`; returns how many it wrote. The one formatter
    /// behind `text`, `write(into:)`, `JSONWriter.timestamp` and transcoded
    /// output lines.
    ///
    /// Local years 0000–9999 (all that `init(rfc3339:)` accepts) are written
    /// exactly; other instants give wrong digits but never trap.
    public func write(to out: UnsafeMutablePointer<UInt8>) -> Int {
        var dates = DateCache()
        return write(to: out, dates: &dates)
    }

    /// `write(to:)`, reusing the date of the previous timestamp written with `dates` when it is the same day.
    public func write(to out: UnsafeMutablePointer<UInt8>, dates: inout DateCache) -> Int {
        let local = seconds &+ Int64(offsetMinutes) &* 60
        let days = Int(local >= 0 ? local / 86_400 : (local &- 86_399) / 86_400)
        let secondOfDay = Int(local &- Int64(days) &* 86_400)
        let raw = UnsafeMutableRawPointer(out)
        var n = 0
        @inline(__always) func byte(_ b: UInt8) { out[n] = b; n += 1 }
        @inline(__always) func digit(_ v: Int) { byte(UInt8(truncatingIfNeeded: 48 + v % 10)) }
        @inline(__always) func two(_ v: Int) { digit(v / 10); digit(v) }
        if days == dates.day {
            raw.storeBytes(of: dates.date.0, as: UInt64.self)
            raw.storeBytes(of: dates.date.1, toByteOffset: 8, as: UInt16.self)
            n = 10
        } else {
            let date = LocalDate(daysSinceEpoch: days)
            digit(date.year / 1000); digit(date.year / 100); two(date.year)
            byte(45); two(date.month); byte(45); two(date.day)
            dates.day = days
            dates.date = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        }
        byte(UInt8(ascii: "T"))
        two(secondOfDay / 3600); byte(58); two(secondOfDay / 60 % 60); byte(58); two(secondOfDay % 60)
        if fractionDigits > 0 {
            byte(46)
            let width = Int(min(fractionDigits, 9))
            var divisor = 100_000_000
            for _ in 0..<width { digit(Int(nanoseconds) / divisor); divisor /= 10 }
        }
        if isZulu {
            byte(UInt8(ascii: "Z"))
        } else {
            let o = Int(offsetMinutes).magnitude
            byte(offsetMinutes < 0 ? 45 : 43)
            two(Int(o / 60)); byte(58); two(Int(o % 60))
        }
        return n
    }
}
