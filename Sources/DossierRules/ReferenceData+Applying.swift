import LedgerContract
import WorkingTime

extension ReferenceData {
    /// Checks a reference event's `data` and applies it.
    /// - Throws: `RuleViolation` naming the field and rule; `self` is unchanged then.
    public mutating func apply(_ event: Event, seq: UInt64) throws(RuleViolation) {
        let d = event.data
        switch event.type {
        case .agencyRegistered:
            let code = try d.requiredCode("code")
            let name = try d.requiredString("name")
            let levelName = try d.requiredString("level")
            guard let level = AgencyLevel(rawValue: levelName) else {
                throw RuleViolation("data.level \"\(levelName)\" must be one of province, district, commune")
            }
            let parent = try d.optionalString("parent")
            if let parent {
                guard parent != code else { throw RuleViolation("agency \(code) cannot be its own parent") }
                guard agencies[parent] != nil else { throw RuleViolation("data.parent \"\(parent)\" is not a registered agency") }
                guard !lineage(of: parent).contains(code) else {
                    throw RuleViolation("data.parent \"\(parent)\" would make a cycle of agencies through \(code)")
                }
            }
            register(Agency(code: code, name: name, level: level, parent: parent))
        case .officerRegistered:
            let id = try d.requiredCode("id")
            let name = try d.requiredString("name")
            let agency = try d.requiredString("agency")
            guard agencies[agency] != nil else { throw RuleViolation("data.agency \"\(agency)\" is not a registered agency") }
            officers[id] = Officer(id: id, name: name, agency: agency)
        case .procedureDefined:
            let code = try d.requiredCode("code")
            let name = try d.requiredString("name")
            let days = try d.optionalNumber("processingDays")
            let hours = try d.optionalNumber("processingHours")
            guard (days == nil) != (hours == nil) else {
                throw RuleViolation("procedure.defined needs exactly one of data.processingDays and data.processingHours")
            }
            guard let seconds = calendar.processingSeconds(days: days, hours: hours), seconds > 0 else {
                throw RuleViolation("the processing time must be a positive number of working days or hours, at most \(WorkingCalendar.maximumWorkingSeconds / 3600) hours")
            }
            let onlineName = try d.requiredString("online")
            guard let online = OnlineLevel(rawValue: onlineName) else {
                throw RuleViolation("data.online \"\(onlineName)\" must be one of full, partial, none")
            }
            guard let stepsValue = d["steps"], let list = stepsValue.arrayValue, !list.isEmpty else {
                throw RuleViolation("missing data.steps: a non-empty list of {name, budgetHours}")
            }
            var steps: [ProcedureStep] = []
            for (i, item) in list.enumerated() {
                guard let o = item.objectValue, let stepName = o["name"]?.stringValue, !stepName.isEmpty,
                      let budget = o["budgetHours"]?.numberValue,
                      let budgetSeconds = calendar.processingSeconds(days: nil, hours: budget) else {
                    throw RuleViolation("data.steps[\(i)] must be {\"name\": text, \"budgetHours\": number from 0 to \(WorkingCalendar.maximumWorkingSeconds / 3600)}")
                }
                guard !steps.contains(where: { $0.name == stepName }) else {
                    throw RuleViolation("data.steps names step \"\(stepName)\" twice")
                }
                steps.append(ProcedureStep(name: stepName, budgetSeconds: budgetSeconds))
            }
            let pauses = try d.optionalBool("obligationPauses") ?? false
            let definition = ProcedureDefinition(code: code, name: name, processingSeconds: seconds, online: online, steps: steps,
                                                 obligationPauses: pauses, effectiveFrom: event.at.seconds, seq: seq)
            var list2 = procedures[code] ?? []
            list2.append(definition)
            list2.sort { ($0.effectiveFrom, $0.seq) < ($1.effectiveFrom, $1.seq) }
            procedures[code] = list2
        case .calendarDeclared:
            guard let yearValue = d["year"], case .int(let year) = yearValue, WorkingCalendar.years.contains(Int(year)) else {
                throw RuleViolation("data.year must be a whole year between \(WorkingCalendar.years.lowerBound) and \(WorkingCalendar.years.upperBound)")
            }
            func dates(_ field: String) throws(RuleViolation) -> [LocalDate] {
                guard let v = d[field] else { return [] }
                guard let list = v.arrayValue else { throw RuleViolation("data.\(field) must be a list of dates like \"\(year)-04-30\"") }
                var out: [LocalDate] = []
                for item in list {
                    guard let s = item.stringValue, let date = LocalDate(iso: s) else {
                        throw RuleViolation("data.\(field) has \(item.stringValue.map { "\"\($0)\"" } ?? item.kindName), not a date like \"\(year)-04-30\"")
                    }
                    guard date.year == Int(year) else { throw RuleViolation("data.\(field) date \(s) is not in \(year)") }
                    out.append(date)
                }
                return out
            }
            let holidays = try dates("holidays")
            let workdays = try dates("workdays")
            for w in workdays where w.weekday < 6 {
                throw RuleViolation("data.workdays date \(w) is a weekday; make-up working days are Saturdays or Sundays")
            }
            if let both = holidays.first(where: { workdays.contains($0) }) {
                throw RuleViolation("date \(both) is declared both a holiday and a working day")
            }
            calendar.declare(year: Int(year), holidays: holidays, workdays: workdays)
        case .scorecardDefined:
            let rules = try ScorecardRules(defining: d, at: event.at.seconds, seq: seq)
            scorecards.append(rules)
            scorecards.sort { ($0.effectiveFrom, $0.seq) < ($1.effectiveFrom, $1.seq) }
        case .targetAssigned:
            let target = try targetAssignment(d, at: event.at.seconds, seq: seq)
            targets.append(target)
            targets.sort { ($0.effectiveFrom, $0.seq) < ($1.effectiveFrom, $1.seq) }
        default:
            throw RuleViolation("\(event.type.name) is not reference data")
        }
        lastSeq = seq
    }
}

extension JSONObject {
    /// A required non-empty text member of `data`.
    public func requiredString(_ field: String) throws(RuleViolation) -> String {
        guard let v = self[field], v != .null else { throw RuleViolation("missing data.\(field)") }
        guard let s = v.stringValue, !s.isEmpty else { throw RuleViolation("data.\(field) must be non-empty text, not \(v.kindName)") }
        return s
    }

    /// A required code that registers an agency, officer or procedure:
    /// non-empty text of at most `Event.maxCodeBytes` bytes.
    public func requiredCode(_ field: String) throws(RuleViolation) -> String {
        let s = try requiredString(field)
        guard s.utf8.count <= Event.maxCodeBytes else {
            throw RuleViolation("data.\(field) must be a code of at most \(Event.maxCodeBytes) bytes")
        }
        return s
    }

    public func optionalString(_ field: String) throws(RuleViolation) -> String? {
        guard let v = self[field], v != .null else { return nil }
        guard let s = v.stringValue, !s.isEmpty else { throw RuleViolation("data.\(field) must be non-empty text, not \(v.kindName)") }
        return s
    }

    public func requiredBool(_ field: String) throws(RuleViolation) -> Bool {
        guard let v = self[field], v != .null else { throw RuleViolation("missing data.\(field)") }
        guard let b = v.boolValue else { throw RuleViolation("data.\(field) must be true or false, not \(v.kindName)") }
        return b
    }

    public func optionalBool(_ field: String) throws(RuleViolation) -> Bool? {
        guard let v = self[field], v != .null else { return nil }
        guard let b = v.boolValue else { throw RuleViolation("data.\(field) must be true or false, not \(v.kindName)") }
        return b
    }

    public func requiredNumber(_ field: String) throws(RuleViolation) -> Double {
        guard let v = self[field], v != .null else { throw RuleViolation("missing data.\(field)") }
        guard let n = v.numberValue else { throw RuleViolation("data.\(field) must be a number ≥ 0, not \(v.kindName)") }
        guard n >= 0 else { throw RuleViolation("data.\(field) must be a number ≥ 0, not \(n)") }
        return n
    }

    public func optionalNumber(_ field: String) throws(RuleViolation) -> Double? {
        guard let v = self[field], v != .null else { return nil }
        guard let n = v.numberValue else { throw RuleViolation("data.\(field) must be a number ≥ 0, not \(v.kindName)") }
        guard n >= 0 else { throw RuleViolation("data.\(field) must be a number ≥ 0, not \(n)") }
        return n
    }

    /// A required member that must be one of `values`.
    public func requiredChoice(_ field: String, _ values: [String]) throws(RuleViolation) -> String {
        let s = try requiredString(field)
        guard values.contains(s) else {
            throw RuleViolation("data.\(field) \"\(s)\" must be one of \(values.joined(separator: ", "))")
        }
        return s
    }
}
