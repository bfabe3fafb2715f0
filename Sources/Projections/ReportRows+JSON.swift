import DossierRules
import LedgerStore
import LedgerContract
import WorkingTime

/// A number rounded to `places` decimals, as output.
func rounded(_ v: Double, _ places: Int) -> JSONValue {
    let scale = [1.0, 10, 100, 1000, 10_000][places]
    return .double((v * scale).rounded() / scale)
}

func rounded(_ v: Double?, _ places: Int) -> JSONValue { v.map { rounded($0, places) } ?? .null }

extension Form06aRow {
    /// The line of `report 06a` (stable field names: REPORTS.md §1's columns).
    public func json(reference: ReferenceData) -> JSONObject {
        var o: JSONObject = ["agency": .string(agency), "agencyName": reference.agencies[agency].map { .string($0.name) } ?? .null,
                             "period": .string(period)]
        if let procedure {
            o["procedure"] = .string(procedure)
            o["procedureName"] = reference.procedures[procedure]?.last.map { .string($0.name) } ?? .null
        }
        for c in ReportCount.form06a { o[c.name] = .int(self[c]) }
        return o
    }
}

extension ScorecardRow {
    /// The line of `scorecard` (stable field names, see README).
    public var json: JSONObject {
        var groupPoints = JSONObject()
        for g in groups { groupPoints[g.name] = rounded(g.points, 2) }
        let list: [JSONValue] = indicators.map { s in
            .object(["code": .string(s.indicator.code), "group": .string(s.indicator.group), "measure": .string(s.indicator.measure.rawValue),
                     "numerator": .int(s.numerator), "denominator": .int(s.denominator), "ratio": rounded(s.ratio, 4),
                     "target": .double(s.indicator.target), "points": rounded(s.points ?? 0, 2), "maxPoints": .double(s.indicator.points)])
        }
        return ["agency": .string(agency), "period": .string(period), "rank": .int(Int64(rank)),
                "score": rounded(score, 2), "measuredMax": rounded(measuredMax, 2), "scorePercent": rounded(scorePercent, 2),
                "band": .string(band), "groups": .object(groupPoints), "indicators": .array(list), "scorecard": .string(rules.name)]
    }
}

extension ScorecardRules {
    /// The rules as `scorecard --rules` prints them: one object per indicator.
    public var indicatorLines: [JSONObject] {
        indicators.map { i in
            ["scorecard": .string(name), "code": .string(i.code), "measure": .string(i.measure.rawValue), "group": .string(i.group),
             "points": .double(i.points), "target": .double(i.target),
             "bands": .string("green ≥ \(percent(green)), yellow ≥ \(percent(yellow)), orange ≥ \(percent(orange))")]
        }
    }

    private func percent(_ v: Double) -> String { v == v.rounded() ? "\(Int(v))%" : "\(v)%" }
}

extension ExplainedCount {
    /// A line of `--explain`.
    public func json(calendar: WorkingCalendar) -> JSONObject {
        ["agency": .string(agency), "period": .string(period), "part": .string(part), "count": .string(count.name),
         "dossier": .string(dossier), "dossierAgency": .string(dossierAgency), "procedure": procedure.map(JSONValue.string) ?? .null,
         "at": localText(at, calendar), "seq": .int(Int64(seq)), "dueAt": localText(dueAt, calendar)]
    }
}

extension DeadlineWarning {
    /// The line of `deadlines` (stable field names: REPORTS.md §3).
    public func json(calendar: WorkingCalendar) -> JSONObject {
        ["dossier": .string(dossier), "agency": agency.map(JSONValue.string) ?? .null, "bucket": .string(bucket.rawValue),
         "dueAt": localText(dueAt, calendar), "hoursLeft": rounded(Double(secondsLeft) / 3600, 2),
         "holder": holder.map(JSONValue.string) ?? .null, "step": step.map(JSONValue.string) ?? .null,
         "stepHoursLeft": rounded(stepSecondsLeft.map { Double($0) / 3600 }, 2), "paused": .bool(paused)]
    }
}

extension DeadlineWatch.Crossing {
    /// A line of the `deadlines` feed: the crossing and the warning after it.
    public func json(calendar: WorkingCalendar) -> JSONObject {
        var o: JSONObject = ["seq": .int(Int64(seq)), "projection": .string("deadlines"), "id": .string(id),
                             "dossier": .string(dossier), "agency": agency.map(JSONValue.string) ?? .null,
                             "from": from.map { .string($0.rawValue) } ?? .null, "to": .string(to?.rawValue ?? "ended"),
                             "at": localText(at, calendar), "cause": .string(cause.rawValue)]
        if let warning {
            let w = warning.json(calendar: calendar)
            for key in ["dueAt", "hoursLeft", "holder", "step", "stepHoursLeft", "paused"] { o[key] = w[key] }
        }
        return o
    }
}

extension TargetProgress {
    /// The line of `targets` (stable field names, see README): fractions
    /// 0–1 for the target and the values, `gap` = actual − target.
    public func json(calendar: WorkingCalendar) -> JSONObject {
        let a = assignment
        var o: JSONObject = ["holder": .string(a.holder.code)]
        switch a.holder {
        case .agency: o["holderKind"] = .string("agency")
        case .officer: o["holderKind"] = .string("officer")
        }
        o["measure"] = .string(a.measure.description)
        o["period"] = .string(period.description)
        o["assignedFor"] = .string(a.period.description)
        o["target"] = .double(a.value)
        o["actual"] = rounded(actual, 4)
        o["gap"] = rounded(gap, 4)
        o["projected"] = rounded(projected, 4)
        o["status"] = .string(status.rawValue)
        o["numerator"] = .int(numerator)
        o["denominator"] = .int(denominator)
        o["periodEnded"] = .bool(periodEnded)
        o["assignedAt"] = localText(a.effectiveFrom, calendar)
        o["assignmentSeq"] = .int(Int64(a.seq))
        if case .agency = a.holder {
            o["officersOnCourse"] = .int(Int64(officersOnCourse))
            o["officersWithTargets"] = .int(Int64(officersWithTargets))
            o["subUnitsOnCourse"] = .int(Int64(subUnitsOnCourse))
            o["subUnitsWithTargets"] = .int(Int64(subUnitsWithTargets))
        }
        return o
    }
}

extension TargetWatch.Change {
    /// A line of the `targets` feed: the change, then the target's progress.
    public func json(calendar: WorkingCalendar) -> JSONObject {
        var o: JSONObject = ["seq": .int(Int64(seq)), "projection": .string("targets"), "id": .string(id),
                             "from": from.map { .string($0.rawValue) } ?? .null, "to": .string(progress.status.rawValue),
                             "at": localText(at, calendar)]
        for m in progress.json(calendar: calendar).members where m.key != "status" { o[m.key] = m.value }
        return o
    }
}
