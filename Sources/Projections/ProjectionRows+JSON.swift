import DossierRules
import LedgerStore
import LedgerContract
import WorkingTime

/// Instants in output are RFC 3339 in local time (+07:00 by default).
func localText(_ instant: Int64?, _ calendar: WorkingCalendar) -> JSONValue {
    guard let instant else { return .null }
    return .string(calendar.localTimestamp(instant).text)
}

extension DossierState {
    /// The dossier line of `show`/`dossiers` (stable field names, see README).
    public func json(reference: ReferenceData) -> JSONObject {
        let calendar = reference.calendar
        let holding = currentHolding
        var o: JSONObject = [
            "dossier": .string(code),
            "state": .string(stage.name),
            "procedure": procedure.map(JSONValue.string) ?? .null,
            "agency": agency.map(JSONValue.string) ?? .null,
            "channel": channel.map(JSONValue.string) ?? .null,
            "receivedAt": localText(receivedAt, calendar),
            "dueAt": localText(dueInstant(calendar: calendar), calendar),
            "processedAt": localText(processedAt, calendar),
            "outcome": outcome(calendar: calendar).map { .string($0.rawValue) } ?? .null,
            "holder": holding.map { .string($0.officer) } ?? .null,
            "step": holding.map { .string($0.step) } ?? .null,
            "supplementRequests": .int(Int64(supplementRequests)),
        ]
        // Members the literal above does not name: appended.
        o.members.append(JSONMember(key: "paused", value: .bool(isPaused)))
        o.members.append(JSONMember(key: "apologyDueAt", value: localText(apologyNewDueAt, calendar)))
        o.members.append(JSONMember(key: "result", value: result.map(JSONValue.string) ?? .null))
        o.members.append(JSONMember(key: "version", value: .int(Int64(version))))
        return o
    }
}

extension Violation {
    /// The violation line of `violations` (stable field names, see README).
    public var json: JSONObject {
        [
            "dossier": .string(dossier),
            "code": .string(code.rawValue),
            "agency": agency.map(JSONValue.string) ?? .null,
            "officer": officer.map(JSONValue.string) ?? .null,
            "step": step.map(JSONValue.string) ?? .null,
            "heldHours": heldHours.map { .double(($0 * 100).rounded() / 100) } ?? .null,
            "budgetHours": budgetHours.map { .double(($0 * 100).rounded() / 100) } ?? .null,
            "evidence": .array(evidence.map { .int(Int64($0)) }),
        ]
    }
}

extension KPIRow {
    /// The KPI line of `kpi` (stable field names, see README).
    public func json(bands: [String: BandThresholds]) -> JSONObject {
        let c = counters
        func rate(_ v: Double?) -> JSONValue { v.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null }
        var o: JSONObject = [
            "agency": .string(agency), "period": .string(period),
            "received": .int(c[.received]), "receivedOnline": .int(c[.receivedOnline]),
            "receivedOnlineEligible": .int(c[.receivedOnlineEligible]),
            "processed": .int(c[.processed]), "early": .int(c[.early]), "onTime": .int(c[.onTime]), "late": .int(c[.late]),
            "onTimeRate": rate(c.onTimeRate), "overdueInProgress": .int(c.overdueInProgress),
            "feesPaid": .int(c[.feesPaid]), "feesPaidOnline": .int(c[.feesPaidOnline]),
            "inputDigitised": .int(c[.inputDigitised]), "resultDigitised": .int(c[.resultDigitised]),
            "repeatedSupplement": .int(c[.repeatedSupplement]),
            "satisfaction": c.satisfaction.map { .double(($0 * 100).rounded() / 100) } ?? .null,
        ]
        // The rates' names are not among the members above: each is appended.
        var band = JSONObject(members: [])
        band.members.reserveCapacity(rates.count)
        o.members.reserveCapacity(o.members.count + rates.count)
        for (name, value) in rates {
            if name != "onTimeRate" { o.members.append(JSONMember(key: name, value: rate(value))) }
            band.members.append(JSONMember(key: name, value: (bands[name] ?? BandThresholds()).band(value).map { .string($0.rawValue) } ?? .null))
        }
        o.members.append(JSONMember(key: "band", value: .object(band)))
        return o
    }
}
