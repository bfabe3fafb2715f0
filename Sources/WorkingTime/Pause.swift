/// A stopped processing clock (awaiting a supplement, or a financial
/// obligation when the procedure says so). `end == nil`: still paused.
public struct Pause: Hashable, Sendable {
    public let start: Int64
    public let end: Int64?
    public init(start: Int64, end: Int64?) { self.start = start; self.end = end }
}

/// How a processed dossier compares with its due instant.
public enum Outcome: String, Sendable {
    case early, onTime, late
}

extension WorkingCalendar {
    /// Pauses as sorted, disjoint intervals; an open pause ends at `Int64.max`.
    static func merged(_ pauses: [Pause]) -> [(start: Int64, end: Int64)] {
        let sorted = pauses.map { (start: $0.start, end: $0.end ?? .max) }.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var out: [(start: Int64, end: Int64)] = []
        for p in sorted {
            if let last = out.last, p.start <= last.end {
                out[out.count - 1].end = max(last.end, p.end)
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// Working seconds in [from, to) outside the pauses.
    public func workingSeconds(from: Int64, to: Int64, excluding pauses: [Pause]) -> Int64 {
        guard to > from else { return 0 }
        var total = workingSeconds(from: from, to: to)
        for p in Self.merged(pauses) {
            let a = max(p.start, from), b = min(p.end, to)
            if b > a { total -= workingSeconds(from: a, to: b) }
        }
        return total
    }

    /// The instant at which a dossier received at `receivedAt` has consumed
    /// `processingSeconds` of working time outside pauses. A pause that
    /// begins at or after that instant does not move it. nil while an open
    /// pause that began before it lasts (the due instant is not known yet).
    public func dueInstant(receivedAt: Int64, processingSeconds: Int64, pauses: [Pause]) -> Int64? {
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

    /// early: before the start of the due instant's working day; onTime: on
    /// that day at or before the due instant; late: after it.
    public func outcome(processedAt: Int64, due: Int64) -> Outcome {
        if processedAt < startOfWorkingDay(containing: due) { return .early }
        return processedAt <= due ? .onTime : .late
    }
}
