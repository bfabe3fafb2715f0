/// A stopped processing clock: the dossier awaits a supplement, or a
/// financial obligation when its procedure says so. `[start, end)`;
/// `end == nil` means still paused (the pause runs to +infinity).
///
/// No ordering is required of a list of pauses: they may overlap, touch or
/// come unsorted, and an empty or inverted pause (`end <= start`) stops
/// nothing.
public struct Pause: Hashable, Sendable {
    public let start: Int64
    public let end: Int64?
    public init(start: Int64, end: Int64?) { self.start = start; self.end = end }
}

/// How a processed dossier compares with its due instant.
public enum Outcome: String, Sendable {
    /// Trước hạn: processed before the start of the due instant's working day.
    case early
    /// Đúng hạn: processed on the due instant's working day, at or before the due instant.
    case onTime
    /// Trễ hạn: processed after the due instant.
    case late
}
