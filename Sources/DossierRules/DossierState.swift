import LedgerContract

/// Everything the rules need to know about one dossier, folded from its
/// stream (voided events left out): lifecycle stage, procedure definition in
/// force at reception, holders, pauses, supplement requests, apology,
/// processing, fees, digitisation and ratings. Instants are Unix seconds.
///
/// It is a pure fold: the same events in the same order give the same
/// state. Deadlines and outcomes depend on the working calendar and are
/// derived from it by the projections.
public struct DossierState: Sendable, Equatable {
    /// One officer's hold of the dossier for a step (a line of form 05).
    public struct Holding: Sendable, Equatable {
        public var officer: String
        public var step: String
        public var from: Int64
        /// When the hold ended (next assignment, processing or a final event); nil while held.
        public var to: Int64?
        /// The `dossier.assigned` that started it, and the event that ended it.
        public var assignedSeq: UInt64
        public var endSeq: UInt64?
    }

    /// A stopped clock: awaiting a supplement, or an obligation whose procedure pauses.
    public struct ClockPause: Sendable, Equatable {
        public enum Reason: UInt8, Sendable { case supplement = 1, obligation = 2 }
        public var reason: Reason
        public var start: Int64
        public var end: Int64?
        public var startSeq: UInt64
        /// The officer who asked (for supplements).
        public var requestedBy: String?
    }

    public struct Payment: Sendable, Equatable {
        public var at: Int64
        public var amount: Double
        public var online: Bool
        public var seq: UInt64
    }

    public struct Rating: Sendable, Equatable {
        public var at: Int64
        public var score: Int
        public var seq: UInt64
    }

    /// A `dossier.complaint_filed`.
    public struct Complaint: Sendable, Equatable {
        public var at: Int64
        public var seq: UInt64
    }

    /// The earliest and latest `at` and `recordedAt` of the stream's events,
    /// voided ones and voids included. A replay that keeps events by
    /// comparing their times with an instant keeps every event of the
    /// dossier when it keeps an event of the latest times, and none when it
    /// leaves out an event of the earliest ones.
    public struct EventTimes: Sendable, Equatable {
        public var earliestAt: Int64 = .max
        public var latestAt: Int64 = .min
        public var earliestRecordedAt: Int64 = .max
        public var latestRecordedAt: Int64 = .min

        public init() {}

        /// Widens the span to an event that happened `at` and was recorded `recordedAt`.
        @inline(__always)
        public mutating func include(at: Int64, recordedAt: Int64) {
            earliestAt = min(earliestAt, at); latestAt = max(latestAt, at)
            earliestRecordedAt = min(earliestRecordedAt, recordedAt); latestRecordedAt = max(latestRecordedAt, recordedAt)
        }
    }

    public var code: String
    /// Events in the stream, voided ones included.
    public var version: UInt32 = 0
    public var lastSeq: UInt64 = 0
    public var eventTimes = EventTimes()
    public var stage: DossierStage = .new
    /// The stage a pause returns to.
    public var resumeStage: DossierStage = .new
    public var procedure: String?
    /// The `procedure.defined` in force at reception (or submission until received).
    public var procedureSeq: UInt64 = 0
    public var agency: String?
    public var channel: String?
    public var submittedAt: Int64?
    public var submittedSeq: UInt64?
    public var receivedAt: Int64?
    public var receivedSeq: UInt64?
    /// Working seconds allowed, from the definition in force at reception.
    public var processingSeconds: Int64 = 0
    public var obligationPauses = false
    public var rejectedAt: Int64?
    public var processedAt: Int64?
    public var processedSeq: UInt64?
    /// `approved` or `denied`.
    public var result: String?
    public var returnedAt: Int64?
    /// The final event (rejected, returned, withdrawn, suspended).
    public var endedAt: Int64?
    public var endSeq: UInt64?
    public var holdings: [Holding] = []
    public var pauses: [ClockPause] = []
    /// Every wait for a financial obligation, whether or not it stops the
    /// clock (those that do are in `pauses` too): the dossier's state is
    /// `awaiting_obligation` inside them.
    public var obligationWaits: [ClockPause] = []
    /// Seqs of `dossier.supplement_requested`, in order.
    public var supplementRequestSeqs: [UInt64] = []
    public var supplementRequesters: [String?] = []
    /// The last apology's new appointment, when it was issued and its seq.
    public var apologyNewDueAt: Int64?
    public var apologyAt: Int64?
    public var apologySeq: UInt64?
    public var payments: [Payment] = []
    public var inputDigitised = false
    public var resultDigitised = false
    public var ratings: [Rating] = []
    public var complaints: [Complaint] = []
    /// Voided seqs of this dossier.
    public var voided: [UInt64] = []
    /// Events recorded long after they happened: (seq, recordedAt − at in seconds),
    /// kept when the lag exceeds one hour; the configured threshold filters further.
    public var lateRecordings: [(seq: UInt64, lagSeconds: Int64)] = []
    /// The officer who received it.
    public var receivedBy: String?

    public init(code: String) { self.code = code }

    public static func == (a: DossierState, b: DossierState) -> Bool {
        a.code == b.code && a.encoded() == b.encoded()
    }

    /// The current holder and step, while a hold is open.
    public var currentHolding: Holding? {
        guard let last = holdings.last, last.to == nil else { return nil }
        return last
    }

    /// Whether the clock is stopped now.
    public var isPaused: Bool { pauses.last.map { $0.end == nil } ?? false }

    /// The supplement or obligation wait (by state, whether or not the
    /// obligation stops the clock) the dossier was in just before `instant`:
    /// one begun before it and not ended before it.
    public func wait(before instant: Int64) -> ClockPause? {
        func covers(_ p: ClockPause) -> Bool { p.start < instant && (p.end ?? .max) >= instant }
        return pauses.last { $0.reason == .supplement && covers($0) } ?? obligationWaits.last(where: covers)
    }

    public var supplementRequests: Int { supplementRequestSeqs.count }
}
