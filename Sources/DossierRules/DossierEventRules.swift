import LedgerContract
import WorkingTime

/// The rules a dossier event must satisfy before it is appended: the
/// lifecycle (EVENTS.md "allowed in state"), the type's `data` fields, and
/// references to registered agencies, officers, procedures and steps.
public enum DossierEventRules {
    /// `data` member names that carry personal data (compared without case).
    /// The contract carries no applicant identity, and an append-only log
    /// cannot erase what it stored.
    public static let personalDataFields: Set<String> = ["cccd", "cmnd", "phone", "email", "address", "applicantname"]

    /// Whether `key`, lower-cased, is one of `personalDataFields`. ASCII keys
    /// are compared byte by byte without making a lower-cased copy (no
    /// other character lower-cases to the ASCII letters of those names).
    static func isPersonalDataName(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return personalDataFields.contains(key.lowercased()) }
        guard (4...13).contains(utf8.count) else { return false }   // the names' lengths
        return personalDataFields.contains { name in
            name.utf8.count == utf8.count && zip(name.utf8, utf8).allSatisfy { n, k in n == (k >= 0x41 && k <= 0x5A ? k | 0x20 : k) }
        }
    }

    /// Refuses `data` that names a personal identifier at any depth.
    public static func checkNoPersonalData(_ data: JSONObject, path: String = "data") throws(RuleViolation) {
        for m in data.members {
            if isPersonalDataName(m.key) {
                throw RuleViolation("\(path).\(m.key) looks like personal data (cccd, cmnd, phone, email, address, applicantName are refused: an append-only log cannot erase them)")
            }
            if case .object(let inner) = m.value { try checkNoPersonalData(inner, path: "\(path).\(m.key)") }
            if case .array(let items) = m.value {
                for case .object(let inner) in items { try checkNoPersonalData(inner, path: "\(path).\(m.key)[]") }
            }
        }
    }

    /// Refuses an event whose `at` or `recordedAt` falls, in the ledger's
    /// local time, outside `WorkingCalendar.years`.
    /// - Complexity: O(1).
    public static func checkTimes(_ event: Event, calendar: WorkingCalendar) throws(RuleViolation) {
        try checkYear(of: event.at, "at", calendar: calendar)
        if let recordedAt = event.recordedAt { try checkYear(of: recordedAt, "recordedAt", calendar: calendar) }
    }

    private static func checkYear(of time: Timestamp, _ field: String, calendar: WorkingCalendar) throws(RuleViolation) {
        guard !calendar.isInYears(time.seconds) else { return }
        let years = WorkingCalendar.years
        throw RuleViolation("\(field) \(time.text) is outside the years \(years.lowerBound) to \(years.upperBound) a working calendar covers")
    }

    /// Checks `event` against the dossier as folded so far.
    /// - Parameter eventAt: looks up an earlier event by seq (for `event.voided`).
    public static func check(_ event: Event, dossier state: DossierState, reference: ReferenceData,
                             eventAt: (UInt64) throws -> RecordedEvent?) throws -> Void {
        let type = event.type
        guard Lifecycle.allows(type, in: state.stage) else {
            let allowed = Lifecycle.allowedStages(for: type).map(\.name)
            let what = state.stage == .new ? "a dossier with no events" : "state \(state.stage.name)"
            throw RuleViolation("\(type.name) is not allowed in \(what) (allowed in: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", ")))")
        }
        let d = event.data
        // The agency the dossier belongs to once this event is applied.
        var agency = state.agency
        switch type {
        case .dossierSubmitted, .dossierReceived:
            let procedure = try d.requiredString("procedure")
            let agencyCode = try d.requiredString("agency")
            _ = try d.requiredChoice("channel", type == .dossierSubmitted ? ["online", "postal"] : ["direct", "online", "postal"])
            guard reference.procedures[procedure] != nil else {
                throw RuleViolation("data.procedure \"\(procedure)\" is not a defined procedure")
            }
            guard reference.procedure(procedure, inForceAt: event.at.seconds) != nil else {
                throw RuleViolation("procedure \"\(procedure)\" has no definition in force at \(event.at.text)")
            }
            guard reference.agencies[agencyCode] != nil else {
                throw RuleViolation("data.agency \"\(agencyCode)\" is not a registered agency")
            }
            agency = agencyCode
        case .dossierRejected, .dossierWithdrawn, .dossierSuspended:
            _ = try d.requiredString("reason")
        case .dossierAssigned:
            let to = try d.requiredString("to")
            let step = try d.requiredString("step")
            guard let officer = reference.officers[to] else { throw RuleViolation("data.to \"\(to)\" is not a registered officer") }
            if let agency, !reference.officer(officer, servesAgency: agency) {
                throw RuleViolation("data.to \"\(to)\" is an officer of \(officer.agency), not of the dossier's agency \(agency) or an agency above it")
            }
            if let procedure = state.procedure {
                guard let definition = reference.procedure(procedure, definedBy: state.procedureSeq) else {
                    throw RuleViolation("procedure \"\(procedure)\" of the dossier has no definition")
                }
                guard definition.step(named: step) != nil else {
                    throw RuleViolation("data.step \"\(step)\" is not a step of procedure \(procedure) (steps: \(definition.steps.map(\.name).joined(separator: ", ")))")
                }
            }
        case .dossierSupplementRequested:
            guard let items = d["items"]?.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue?.isEmpty == false }) else {
                throw RuleViolation("data.items must be a non-empty list of texts naming the documents asked for")
            }
            _ = try d.requiredString("reason")
        case .dossierObligationRequested:
            _ = try d.requiredNumber("amount")
        case .dossierObligationFulfilled:
            _ = try d.requiredBool("online")
        case .dossierFeePaid:
            _ = try d.requiredNumber("amount")
            _ = try d.requiredBool("online")
        case .dossierDigitised:
            _ = try d.requiredChoice("part", ["input", "result"])
        case .dossierApologyIssued:
            let text = try d.requiredString("newDueAt")
            let newDue: Timestamp
            do { newDue = try Timestamp(rfc3339: text) } catch { throw RuleViolation("data.newDueAt \"\(text)\": \(error.description)") }
            try checkYear(of: newDue, "data.newDueAt", calendar: reference.calendar)
            _ = try d.requiredString("reason")
        case .dossierProcessed:
            _ = try d.requiredChoice("outcome", ["approved", "denied"])
        case .dossierResultReturned:
            _ = try d.requiredChoice("channel", ["counter", "postal", "online"])
        case .dossierRated:
            guard let v = d["score"] else { throw RuleViolation("missing data.score") }
            guard case .int(let score) = v, (1...5).contains(score) else { throw RuleViolation("data.score must be a whole number from 1 to 5") }
        case .dossierComplaintFiled:
            _ = try d.requiredString("text")
        case .eventVoided:
            guard let v = d["seq"] else { throw RuleViolation("missing data.seq (the event to void)") }
            guard case .int(let n) = v, n > 0 else { throw RuleViolation("data.seq must be the positive seq of an earlier event") }
            _ = try d.requiredString("reason")
            guard let target = try eventAt(UInt64(n)) else { throw RuleViolation("data.seq \(n) is not an event of this ledger") }
            guard target.event.dossier == event.dossier else {
                throw RuleViolation("data.seq \(n) is an event of \(target.event.dossier.map { "dossier \($0)" } ?? "reference data"), not of dossier \(event.dossier ?? "")")
            }
            guard target.event.type != .eventVoided else { throw RuleViolation("data.seq \(n) is itself a voiding; void events cannot be voided") }
            guard !state.voided.contains(UInt64(n)) else { throw RuleViolation("seq \(n) is already voided") }
        case .dossierSupplementReceived:
            break
        case .activityRecorded:
            _ = try d.requiredString("activity")
            if let resource = try d.optionalString("resource"), reference.officers[resource] == nil {
                throw RuleViolation("data.resource \"\(resource)\" is not a registered officer")
            }
        case .agencyRegistered, .officerRegistered, .procedureDefined, .calendarDeclared, .scorecardDefined, .targetAssigned:
            throw RuleViolation("\(type.name) is reference data, not a dossier event")
        }
        if let actor = event.actor {
            guard let officer = reference.officers[actor] else { throw RuleViolation("actor \"\(actor)\" is not a registered officer") }
            if let agency, !reference.officer(officer, servesAgency: agency) {
                throw RuleViolation("actor \"\(actor)\" is an officer of \(officer.agency), not of the dossier's agency \(agency) or an agency above it")
            }
        }
    }
}
