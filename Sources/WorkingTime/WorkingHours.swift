/// The working hours of one day: periods in seconds from local midnight,
/// sorted and disjoint, e.g. 07:30–11:30 and 13:00–17:00.
public struct WorkingHours: Hashable, Sendable {
    public struct Period: Hashable, Sendable {
        public let start: Int
        public let end: Int
    }

    public let periods: [Period]

    /// nil unless the periods are non-empty, each start < end, sorted,
    /// disjoint and within one day.
    public init?(periods: [(start: Int, end: Int)]) {
        guard !periods.isEmpty else { return nil }
        var previousEnd = 0
        for p in periods {
            guard p.start >= previousEnd, p.start < p.end, p.end <= 86_400 else { return nil }
            previousEnd = p.end
        }
        self.periods = periods.map { Period(start: $0.start, end: $0.end) }
    }

    /// 07:30–11:30 and 13:00–17:00: 8 working hours.
    public static let standard = WorkingHours(periods: [(27_000, 41_400), (46_800, 61_200)])!

    /// Working seconds of a full working day.
    public var secondsPerDay: Int { periods.reduce(0) { $0 + $1.end - $1.start } }

    /// Parses `07:30-11:30,13:00-17:00`.
    public init?(text: String) {
        var parsed: [(Int, Int)] = []
        for range in text.split(separator: ",") {
            let ends = range.split(separator: "-")
            guard ends.count == 2, let a = Self.clock(ends[0]), let b = Self.clock(ends[1]) else { return nil }
            parsed.append((a, b))
        }
        self.init(periods: parsed)
    }

    /// `07:30-11:30,13:00-17:00`.
    public var text: String {
        func clock(_ s: Int) -> String {
            let h = s / 3600, m = s / 60 % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        return periods.map { clock($0.start) + "-" + clock($0.end) }.joined(separator: ",")
    }

    private static func clock(_ s: Substring) -> Int? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m) else { return nil }
        let v = h * 3600 + m * 60
        return v <= 86_400 ? v : nil
    }

    /// Working seconds in [from, to) of one working day (seconds from midnight).
    @inline(__always)
    func seconds(from: Int, to: Int) -> Int {
        var total = 0
        for p in periods {
            let a = max(p.start, from), b = min(p.end, to)
            if b > a { total += b - a }
        }
        return total
    }

    /// The second of the day at which `amount` (> 0) working seconds after
    /// `from` are consumed, or nil if the day has fewer left.
    @inline(__always)
    func instant(consuming amount: Int, from: Int) -> Int? {
        var left = amount
        for p in periods where p.end > from {
            let a = max(p.start, from)
            let available = p.end - a
            if left <= available { return a + left }
            left -= available
        }
        return nil
    }
}
