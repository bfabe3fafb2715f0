/// Cumulative working seconds per day, for a `WorkingCalendar`.
///
/// Days are numbered from 1970-01-01 (day 0) in local time. Inside
/// `[first, end)` — which always covers every declared holiday and make-up
/// day — a prefix-sum array answers; outside it every day is an ordinary
/// week (Monday to Friday working), counted in closed form. So
/// `secondsBefore(_:)` is O(1) for every day and `firstDay(reaching:from:)`
/// is O(log n) inside the table and O(1) outside.
struct DayTable: Sendable {
    /// Day number of `cumulative[0]`.
    let first: Int
    /// One past the last day of the table.
    let end: Int
    /// `cumulative[i]` = working seconds of days `[first, first + i)`; `count == end - first + 1`.
    let cumulative: [Int64]
    /// Working seconds of one working day.
    let perDay: Int64

    /// Builds the table for days `[first, end)` with `isWorking` deciding each day.
    /// - Complexity: O(end − first).
    init(first: Int, end: Int, perDay: Int, isWorking: (Int) -> Bool) {
        precondition(end >= first && perDay > 0)
        self.first = first
        self.end = end
        self.perDay = Int64(perDay)
        var table = [Int64](repeating: 0, count: end - first + 1)
        var running: Int64 = 0
        table.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<(end - first) {
                buffer[i] = running
                if isWorking(first + i) { running += Int64(perDay) }
            }
            buffer[end - first] = running
        }
        cumulative = table
    }

    // MARK: Ordinary weeks in closed form

    /// Mon–Fri days among `[m0, m)` in a numbering where Mondays are the
    /// multiples of 7, relative to an arbitrary origin: `W(m) = 5⌊m/7⌋ + min(m mod 7, 5)`.
    /// Day number `d` has `m = d + 3`.
    @inline(__always)
    static func weekdayCount(_ m: Int) -> Int {
        let q = floorDiv(m, 7)
        return 5 * q + min(m - 7 * q, 5)
    }

    /// The least `n` with `weekdayCount(n) >= k`.
    @inline(__always)
    static func weekdayCountInverse(_ k: Int) -> Int {
        let q = floorDiv(k - 1, 5)
        return 7 * q + (k - 1 - 5 * q) + 1
    }

    @inline(__always)
    static func isOrdinaryWorkingDay(_ d: Int) -> Bool { floorMod(d + 3, 7) < 5 }

    // MARK: Queries

    /// Whether day `d` is a working day.
    /// - Complexity: O(1).
    @inline(__always)
    func isWorking(_ d: Int) -> Bool {
        if d >= first && d < end {
            return cumulative.withUnsafeBufferPointer { $0[d - first + 1] != $0[d - first] }
        }
        return Self.isOrdinaryWorkingDay(d)
    }

    /// Working seconds of all days before `d`, relative to day `first` (so
    /// negative before it): `secondsBefore(b) - secondsBefore(a)` is the
    /// working time of days `[a, b)`. For every `d` an `Int64` instant can
    /// fall on, the value fits in `Int64`.
    /// - Complexity: O(1).
    @inline(__always)
    func secondsBefore(_ d: Int) -> Int64 {
        if d < first {
            return Int64(Self.weekdayCount(d + 3) - Self.weekdayCount(first + 3)) * perDay
        }
        if d <= end {
            return cumulative.withUnsafeBufferPointer { $0[d - first] }
        }
        return cumulative[end - first] + Int64(Self.weekdayCount(d + 3) - Self.weekdayCount(end + 3)) * perDay
    }

    /// Working seconds of whole days `[a, b)`; 0 if `b <= a`; `Int64.max`
    /// if the true value does not fit.
    /// - Complexity: O(1).
    @inline(__always)
    func seconds(fromDay a: Int, toDay b: Int) -> Int64 {
        guard b > a else { return 0 }
        let (v, overflow) = secondsBefore(b).subtractingReportingOverflow(secondsBefore(a))
        return overflow ? .max : v
    }

    /// Beyond this many days past the table the answer is no longer a day an
    /// `Int64` instant can name.
    static let farthestDays = 1 << 48

    /// The least day `d >= from` with `secondsBefore(d + 1) >= target`, i.e. the
    /// day on which the running total of working time from `from` reaches
    /// `target - secondsBefore(from)`. Precondition: `target > secondsBefore(from)`.
    /// nil if that day is too far away for any `Int64` instant.
    /// - Complexity: O(1) outside the table; O(log k) inside it, k being the
    ///   number of days searched (galloping, then bisection).
    func firstDay(reaching target: Int64, from: Int) -> Int? {
        if from < first && target <= 0 {
            // Before the table: ordinary weeks anchored at secondsBefore(first) == 0.
            let k = Self.weekdayCount(first + 3) + Self.ceilDiv(target, perDay)
            return Self.weekdayCountInverse(k) - 4
        }
        let last = cumulative[end - first]
        if target <= last {
            // Inside the table. The answer lies in [max(from, first), end).
            return cumulative.withUnsafeBufferPointer { c -> Int in
                var low = max(from, first) - first            // candidate indices: answer index ≥ low
                let top = end - first - 1                     // c[top + 1] == last >= target
                if c[low + 1] >= target { return low + first }
                var step = 1
                var probe = low + 1
                while probe < top && c[probe + 1] < target {
                    low = probe
                    step &*= 2
                    probe = low + step
                }
                var high = min(probe, top)                    // c[high + 1] >= target, c[low + 1] < target
                while high - low > 1 {
                    let mid = low + (high - low) / 2
                    if c[mid + 1] >= target { high = mid } else { low = mid }
                }
                return high + first
            }
        }
        // After the table: ordinary weeks anchored at secondsBefore(end) == last.
        let days = Self.ceilDiv(target - last, perDay)
        guard days <= Int64(Self.farthestDays) else { return nil }
        let k = Self.weekdayCount(end + 3) + Int(days)
        return max(Self.weekdayCountInverse(k) - 4, from)
    }

    @inline(__always)
    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int {
        Int(-floorDiv(-a, b))
    }
}

/// ⌊a / b⌋ for b > 0.
@inline(__always)
func floorDiv<T: BinaryInteger>(_ a: T, _ b: T) -> T {
    let q = a / b
    return (a % b != 0 && a < 0) ? q - 1 : q
}

/// a mod b in `[0, b)` for b > 0.
@inline(__always)
func floorMod<T: BinaryInteger>(_ a: T, _ b: T) -> T {
    let r = a % b
    return r < 0 ? r + b : r
}
