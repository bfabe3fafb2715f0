/// The working hours of one working day: periods in seconds from local
/// midnight, e.g. 07:30–11:30 and 13:00–17:00.
///
/// Guarantees: there is at least one period; every period has
/// `0 <= start < end <= 86_400`; periods are sorted and do not overlap
/// (one may begin where the previous ends). So `secondsPerDay > 0`.
///
/// A period is half-open: its start is working time, its end is not.
public struct WorkingHours: Hashable, Sendable {
    /// One period `[start, end)` in seconds from local midnight.
    public struct Period: Hashable, Sendable {
        public let start: Int
        public let end: Int
    }

    /// Sorted, non-overlapping, within `0...86_400`.
    public let periods: [Period]
    private let total: Int

    /// nil unless the periods are non-empty, each `start < end`, sorted,
    /// non-overlapping and within `0...86_400`.
    /// - Complexity: O(periods).
    public init?(periods: [(start: Int, end: Int)]) {
        guard !periods.isEmpty else { return nil }
        var previousEnd = 0
        var total = 0
        for p in periods {
            guard p.start >= previousEnd, p.start < p.end, p.end <= 86_400 else { return nil }
            previousEnd = p.end
            total += p.end - p.start
        }
        self.periods = periods.map { Period(start: $0.start, end: $0.end) }
        self.total = total
    }

    /// 07:30–11:30 and 13:00–17:00: 8 working hours.
    public static let standard = WorkingHours(periods: [(27_000, 41_400), (46_800, 61_200)])!

    /// Working seconds of one full working day (`8 * 3600` for `.standard`).
    /// - Complexity: O(1).
    public var secondsPerDay: Int { total }

    /// Parses `07:30-11:30,13:00-17:00` (each clock exactly `HH:MM`,
    /// `24:00` allowed as an end). nil if malformed or invalid.
    public init?(text: String) {
        var parsed: [(start: Int, end: Int)] = []
        for range in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2, let a = Self.clock(ends[0]), let b = Self.clock(ends[1]) else { return nil }
            parsed.append((a, b))
        }
        self.init(periods: parsed)
    }

    /// `07:30-11:30,13:00-17:00` (seconds within a minute are dropped);
    /// `WorkingHours(text: h.text) == h` for whole-minute periods.
    public var text: String {
        func clock(_ s: Int) -> String {
            let h = s / 3600, m = s / 60 % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        return periods.map { clock($0.start) + "-" + clock($0.end) }.joined(separator: ",")
    }

    private static func clock(_ s: Substring) -> Int? {
        let u = Array(s.utf8)
        guard u.count == 5, u[2] == UInt8(ascii: ":"),
              u.indices.allSatisfy({ $0 == 2 || (u[$0] >= UInt8(ascii: "0") && u[$0] <= UInt8(ascii: "9")) }) else { return nil }
        let h = Int(u[0] - 48) * 10 + Int(u[1] - 48)
        let m = Int(u[3] - 48) * 10 + Int(u[4] - 48)
        guard m <= 59 else { return nil }
        let v = h * 3600 + m * 60
        return v <= 86_400 ? v : nil
    }

    /// Working seconds in `[from, to)` of one working day (seconds from
    /// local midnight; values outside `0...86_400` are clamped by the periods).
    @inline(__always)
    func seconds(from: Int, to: Int) -> Int {
        var total = 0
        for p in periods {
            let a = max(p.start, from), b = min(p.end, to)
            if b > a { total += b - a }
        }
        return total
    }

    /// The second of the day at which `amount` (> 0) working seconds counted
    /// from `from` are used up: the earliest `t` with
    /// `seconds(from: from, to: t) == amount`, so a period's end rather than
    /// the next period's start. Precondition: `0 < amount <= seconds(from: from, to: 86_400)`.
    @inline(__always)
    func second(consuming amount: Int, from: Int) -> Int {
        var left = amount
        for p in periods where p.end > from {
            let a = max(p.start, from)
            let available = p.end - a
            if left <= available { return a + left }
            left -= available
        }
        preconditionFailure("WorkingHours.second(consuming:from:): \(amount) s is more than the day has left after \(from)")
    }
}
