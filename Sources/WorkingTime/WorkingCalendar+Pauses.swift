extension WorkingCalendar {
    /// Pauses as sorted, disjoint, non-empty intervals `[start, end)`; an open
    /// pause ends at `Int64.max`. Overlapping or touching pauses are merged.
    /// - Complexity: O(p log p).
    static func merged(_ pauses: [Pause]) -> [(start: Int64, end: Int64)] {
        var intervals: [(start: Int64, end: Int64)] = []
        intervals.reserveCapacity(pauses.count)
        for p in pauses {
            let end = p.end ?? .max
            if end > p.start { intervals.append((p.start, end)) }
        }
        if intervals.count < 2 { return intervals }
        intervals.sort { $0.start < $1.start }
        var out: [(start: Int64, end: Int64)] = [intervals[0]]
        for p in intervals.dropFirst() {
            if p.start <= out[out.count - 1].end {
                out[out.count - 1].end = max(out[out.count - 1].end, p.end)
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// Working seconds in `[from, to)` outside the given pauses; 0 if
    /// `to <= from`. Pauses may overlap each other or be unsorted; an open
    /// pause runs to +infinity.
    /// - Complexity: O(p log p) for p pauses; O(1) with none.
    public func workingSeconds(from: Int64, to: Int64, excluding pauses: [Pause]) -> Int64 {
        guard to > from else { return 0 }
        var total = workingSeconds(from: from, to: to)
        if pauses.isEmpty { return total }
        for p in Self.merged(pauses) {
            let a = max(p.start, from), b = min(p.end, to)
            if b > a { total -= workingSeconds(from: a, to: b) }
        }
        return total
    }

    /// The due instant: the earliest instant `t >= receivedAt` at which the
    /// dossier has consumed `processingSeconds` of working time counted from
    /// `receivedAt`, counting only working time outside pauses — that is,
    /// the earliest `t` with
    /// `workingSeconds(from: receivedAt, to: t, excluding: pauses) == processingSeconds`.
    ///
    /// So a pause that begins at or after the due instant computed without
    /// it does not move it; a pause that begins earlier moves it by the
    /// working time it covers (none for one that covers only nights,
    /// weekends or holidays); a pause that began before reception stops the
    /// clock from reception until it ends.
    ///
    /// Returns nil when an open pause (`end == nil`) began before that
    /// instant: the clock is stopped and the due instant is not known yet.
    /// A processing time of 0 or less is due at `receivedAt`, whatever the pauses.
    /// - Complexity: O(p log p + p log d) for p pauses, d days spanned.
    public func dueInstant(receivedAt: Int64, processingSeconds: Int64, pauses: [Pause]) -> Int64? {
        guard processingSeconds > 0 else { return receivedAt }
        if pauses.isEmpty { return adding(workingSeconds: processingSeconds, to: receivedAt) }
        var cursor = receivedAt
        var left = processingSeconds
        for p in Self.merged(pauses) where p.end > cursor {
            if p.start > cursor {
                let available = workingSeconds(from: cursor, to: p.start)
                if available >= left { return adding(workingSeconds: left, to: cursor) }
                left -= available
            }
            if p.end == .max { return nil }
            cursor = p.end
        }
        return adding(workingSeconds: left, to: cursor)
    }

    /// The outcome of a dossier processed at `processedAt` and due at `due`:
    /// - `late` if processed after `due`;
    /// - otherwise `early` if processed before the start of the due
    ///   instant's working day (`startOfWorkingDay(containing: due)`);
    /// - otherwise `onTime`.
    ///
    /// Lateness is checked first, so a dossier processed after a due instant
    /// that lies before its day's first period (possible only for a zero
    /// processing time) is late, not early. A due instant at local midnight
    /// that ends a period reaching 24:00 belongs to the day that period ends.
    /// - Complexity: O(1).
    public func outcome(processedAt: Int64, due: Int64) -> Outcome {
        if processedAt > due { return .late }
        var (day, second) = split(due)
        if second == 0 && hours.periods[hours.periods.count - 1].end == 86_400 { day -= 1 }
        return processedAt < instant(day: day, second: hours.periods[0].start) ? .early : .onTime
    }
}
