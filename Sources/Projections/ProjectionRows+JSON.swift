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
        var o = JSONObject()
        o.members.reserveCapacity(16)
        forEachLineMember(reference: reference) { key, value in o.members.append(JSONMember(key: key, value: value)) }
        return o
    }

    /// Writes the dossier line's object into `w`, the bytes
    /// `w.object(json(reference:))` writes, without building the object.
    public func writeJSON(reference: ReferenceData, into w: inout JSONWriter) {
        w.raw("{")
        var first = true
        forEachLineMember(reference: reference) { key, value in
            w.member(key, value, first: first)
            first = false
        }
        w.raw("}")
    }

    /// The members of the dossier line, in their order: the one list both forms are made of.
    private func forEachLineMember(reference: ReferenceData, _ member: (String, JSONValue) -> Void) {
        let calendar = reference.calendar
        let holding = currentHolding
        member("dossier", .string(code))
        member("state", .string(stage.name))
        member("procedure", procedure.map(JSONValue.string) ?? .null)
        member("agency", agency.map(JSONValue.string) ?? .null)
        member("channel", channel.map(JSONValue.string) ?? .null)
        member("receivedAt", localText(receivedAt, calendar))
        member("dueAt", localText(dueInstant(calendar: calendar), calendar))
        member("processedAt", localText(processedAt, calendar))
        member("outcome", outcome(calendar: calendar).map { .string($0.rawValue) } ?? .null)
        member("holder", holding.map { .string($0.officer) } ?? .null)
        member("step", holding.map { .string($0.step) } ?? .null)
        member("supplementRequests", .int(Int64(supplementRequests)))
        member("paused", .bool(isPaused))
        member("apologyDueAt", localText(apologyNewDueAt, calendar))
        member("result", result.map(JSONValue.string) ?? .null)
        member("version", .int(Int64(version)))
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
        var o = JSONObject()
        o.members.reserveCapacity(24)
        forEachLineMember(bands: bands, withOverdueInProgress: true) { key, value in o.members.append(JSONMember(key: key, value: value)) }
        return o
    }

    /// Writes the KPI line's object into `w`, the bytes `w.object(json(bands:))`
    /// writes, without building the object; without `overdueInProgress`
    /// unless `withOverdueInProgress`.
    public func writeJSON(bands: [String: BandThresholds], withOverdueInProgress: Bool = true, into w: inout JSONWriter) {
        w.raw("{")
        var first = true
        forEachLineMember(bands: bands, withOverdueInProgress: withOverdueInProgress) { key, value in
            w.member(key, value, first: first)
            first = false
        }
        w.raw("}")
    }

    /// The members of the KPI line, in their order: the one list both forms are made of.
    private func forEachLineMember(bands: [String: BandThresholds], withOverdueInProgress: Bool, _ member: (String, JSONValue) -> Void) {
        let c = counters
        func rate(_ v: Double?) -> JSONValue { v.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null }
        member("agency", .string(agency))
        member("period", .string(period))
        member("received", .int(c[.received]))
        member("receivedOnline", .int(c[.receivedOnline]))
        member("receivedOnlineEligible", .int(c[.receivedOnlineEligible]))
        member("processed", .int(c[.processed]))
        member("early", .int(c[.early]))
        member("onTime", .int(c[.onTime]))
        member("late", .int(c[.late]))
        member("onTimeRate", rate(c.onTimeRate))
        if withOverdueInProgress { member("overdueInProgress", .int(c.overdueInProgress)) }
        member("feesPaid", .int(c[.feesPaid]))
        member("feesPaidOnline", .int(c[.feesPaidOnline]))
        member("inputDigitised", .int(c[.inputDigitised]))
        member("resultDigitised", .int(c[.resultDigitised]))
        member("repeatedSupplement", .int(c[.repeatedSupplement]))
        member("satisfaction", c.satisfaction.map { .double(($0 * 100).rounded() / 100) } ?? .null)
        var band = JSONObject()
        band.members.reserveCapacity(rates.count)
        for (name, value) in rates {
            if name != "onTimeRate" { member(name, rate(value)) }
            band.members.append(JSONMember(key: name, value: (bands[name] ?? BandThresholds()).band(value).map { .string($0.rawValue) } ?? .null))
        }
        member("band", .object(band))
    }
}
