import SystemIO
import Foundation
import WorkingTime

/// Generates a plausible Vietnamese province's history as contract NDJSON
/// (EVENTS.md input lines): the reference data first, then the dossiers of
/// its one-stop shops, streamed in order of `at`.
///
/// Guarantees:
/// - **Deterministic**: the same `Options` give byte-identical output, on any
///   machine (own xoshiro256** generator; no clock, locale or hashing order).
/// - **Contract-valid**: every line is one JSON object in the input shape of
///   EVENTS.md with `type`, `at` (RFC 3339, `+07:00`, to the second), `data`,
///   a unique `id` (`g<seed>-<9-digit counter>`) and `recordedAt`; dossier
///   events carry `dossier`, and `actor` exactly when an officer did it.
/// - **Lifecycle-valid**: each dossier's events follow the state machine of
///   EVENTS.md in stream order, with `at` non-decreasing within the dossier;
///   actors and `dossier.assigned` `to` are officers of the dossier's agency
///   (never of an agency the re-parenting of 1 July 2025 would cut it from);
///   steps are steps of the definition in force at reception.
/// - **Ordered**: lines come in non-decreasing order of `at` over the whole
///   stream; reference data is emitted before anything refers to it (the
///   abolition of districts on 2025-07-01 and the mid-period redefinition
///   appear at their instant).
/// - **Bounded memory**: only dossiers with events still to come are held
///   (plus one day of arrivals), whatever the number of dossiers.
public struct ProvinceGenerator: Sendable {
    public struct Options: Sendable {
        /// Dossiers over the whole period (all of them get at least their first event).
        public var dossiers: Int = 50_000
        public var seed: UInt64 = 1
        /// The period is 1 January `fromYear` 00:00 (+07:00) up to 1 January `fromYear + years`.
        public var fromYear: Int = 2025
        /// Length of the period in years (clamped to 1...100).
        public var years: Int = 1
        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        /// Lines emitted, reference events included.
        public var events: Int
        /// Dossiers with at least one event.
        public var dossiers: Int
        public var officers: Int
        /// Distinct procedure codes defined.
        public var procedures: Int
        /// Distinct agency codes registered.
        public var agencies: Int
        /// The largest number of dossiers held at once (active dossiers plus
        /// one day's pending arrivals): what the generator's memory grows with.
        public var peakActiveDossiers: Int = 0
        public init(events: Int, dossiers: Int, officers: Int, procedures: Int, agencies: Int, peakActiveDossiers: Int = 0) {
            self.events = events; self.dossiers = dossiers; self.officers = officers
            self.procedures = procedures; self.agencies = agencies; self.peakActiveDossiers = peakActiveDossiers
        }
    }

    public let options: Options

    public init(options: Options) {
        var o = options
        o.dossiers = max(0, o.dossiers)
        o.years = min(100, max(1, o.years))
        self.options = o
    }

    /// Streams contract NDJSON lines (no trailing newline in the String) in
    /// the order they should be appended.
    public func generate(_ emit: (String) throws -> Void) rethrows -> Summary {
        var engine = Engine(options: options)
        return try engine.run { line in try emit(String(decoding: line, as: UTF8.self)) }
    }

    /// Streams the lines as UTF-8 bytes (no trailing newline), valid only during the call.
    public func generateBytes(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows -> Summary {
        var engine = Engine(options: options)
        return try engine.run(emit)
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { "write failed: \(SystemError("write", "output", code: errno).reason)" }
    }

    /// Writes the lines, each followed by "\n", to a file descriptor through
    /// a 1 MiB buffer. The descriptor is neither closed nor synced.
    /// - Throws: `WriteError` when `write(2)` fails; what was written stays written.
    public func write(toFileDescriptor fd: Int32) throws -> Summary {
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var used = 0
        var engine = Engine(options: options)
        let summary = try engine.run { line in
            if used + line.count + 1 > capacity {
                try Self.writeAll(fd, buffer, used)
                used = 0
            }
            if line.count + 1 > capacity { // never produced in practice; kept correct anyway
                try Self.writeAll(fd, line.baseAddress!, line.count)
                var newline: UInt8 = 10
                try Self.writeAll(fd, &newline, 1)
                return
            }
            (buffer + used).update(from: line.baseAddress!, count: line.count)
            used += line.count
            buffer[used] = 10
            used += 1
        }
        try Self.writeAll(fd, buffer, used)
        return summary
    }

    /// Same as `write(toFileDescriptor:)` on the handle's descriptor.
    public func write(to handle: FileHandle) throws -> Summary {
        try write(toFileDescriptor: handle.fileDescriptor)
    }

    private static func writeAll(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ count: Int) throws {
        do { try FileSystem.writeAll(fd, p, count) } catch { throw WriteError(errno: error.code) }
    }
}
