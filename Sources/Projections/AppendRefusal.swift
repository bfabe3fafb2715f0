import LedgerContract
import DossierRules
import LedgerStore

/// Why a batch was refused. Nothing of the batch was written.
public struct AppendRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The line breaks the contract or the domain rules (exit 65).
        case invalid
        /// `expectedVersion` did not match: re-read and retry (exit 75).
        case versionConflict(expected: UInt32, actual: UInt32)
        /// An `id` already stored with different content (exit 65).
        case idConflict(seq: UInt64)
    }

    public let kind: Kind
    /// The input line number (from 1) of the refused event.
    public let line: Int
    public let dossier: String?
    public let rule: String

    public init(_ kind: Kind, line: Int, dossier: String?, rule: String) {
        self.kind = kind
        self.line = line
        self.dossier = dossier
        self.rule = rule
    }

    public var description: String {
        "line \(line)" + (dossier.map { " (dossier \($0))" } ?? "") + ": " + rule
    }
}

/// What one atomic append stored.
public struct AppendReport: Sendable, Equatable {
    /// Seqs assigned to the events stored by this append, in order; nil when
    /// every event was already stored.
    public var stored: ClosedRange<UInt64>?
    /// Input lines that were already stored (same id or same content) and
    /// the seq they were stored under.
    public var alreadyStored: [(line: Int, seq: UInt64)]

    public var storedCount: Int { stored.map { Int($0.upperBound - $0.lowerBound + 1) } ?? 0 }

    public static func == (a: AppendReport, b: AppendReport) -> Bool {
        a.stored == b.stored && a.alreadyStored.map(\.seq) == b.alreadyStored.map(\.seq)
            && a.alreadyStored.map(\.line) == b.alreadyStored.map(\.line)
    }
}

/// One line of input: its number and the event read from it.
public struct InputEvent: Sendable {
    public var line: Int
    public var event: Event
    public init(line: Int, event: Event) { self.line = line; self.event = event }
}

/// An input event with the part of appending that depends on nothing in
/// the ledger done: its canonical encoding, its identity (`id`, or the
/// digest of its content) and the personal-data check of its `data`.
/// Preparing the next batch on another thread while the writer appends
/// this one keeps that work off the writer. A class: the writer lends one
/// reference per event, where lending a struct of this many strings and
/// arrays out of a batch's buffer retained each of them.
///
/// Prepared for a ledger (`EventPreparer`), it also carries the end of
/// its stored record, encoded with the string ids the ledger had committed.
public final class PreparedEvent: Sendable {
    public let input: InputEvent
    let canonical: CanonicalEncoding
    let identityKey: IdentityKey
    /// The rule `data` breaks by holding personal data, if it does
    /// (`DossierEventRules.checkNoPersonalData`); a ledger that allows it ignores this.
    let personalDataRule: String?
    /// The end of its record (`Appender.recordTail(of:strings:scratch:)`), when encoded beforehand.
    let recordTail: [UInt8]?
    /// Its dossier's key (hashed here, not on the writer's thread); nil for reference data.
    let dossierKey: DossierKey?

    /// - Complexity: O(size of the event); safe on any thread.
    public convenience init(_ input: consuming InputEvent) { self.init(input, recordTail: nil) }

    /// With the end of its record encoded beforehand (`EventPreparer`).
    /// `input` is stored last, moved rather than copied (a copy retains
    /// each of its strings and arrays).
    init(_ input: consuming InputEvent, recordTail: [UInt8]?) {
        self.recordTail = recordTail
        (canonical, identityKey, dossierKey, personalDataRule) = Self.prepared(input.event)
        self.input = input
    }

    /// What `init` derives from `event`, which it lends: its canonical
    /// encoding, identity, dossier key and the personal-data rule it breaks.
    private static func prepared(_ event: borrowing Event) -> (CanonicalEncoding, IdentityKey, DossierKey?, String?) {
        let canonical = CanonicalEncoding(event)
        let rule: String?
        do throws(RuleViolation) {
            try DossierEventRules.checkNoPersonalData(event.data)
            rule = nil
        } catch {
            rule = error.rule
        }
        return (canonical, IdentityKey(of: event, canonical), event.dossier.map(DossierKey.init), rule)
    }
}

extension PreparedEvent {
    /// A refusal of this event: its line and dossier, and the rule it breaks.
    func refusal(_ kind: AppendRefusal.Kind, _ rule: String) -> AppendRefusal {
        AppendRefusal(kind, line: input.line, dossier: input.event.dossier, rule: rule)
    }
}
