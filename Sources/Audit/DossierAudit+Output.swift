import DossierRules
import LedgerStore
import LedgerContract
import SystemIO
import Projections
import WorkingTime

extension DossierAudit {
    private func local(_ t: Int64?) -> JSONValue {
        guard let t else { return .null }
        return .string(reference.calendar.localTimestamp(t).text)
    }

    private static func hours(_ seconds: Int64?) -> JSONValue {
        seconds.map { .double((Double($0) / 36).rounded() / 100) } ?? .null
    }

    private func officerName(_ id: String) -> JSONValue { reference.officers[id].map { .string($0.name) } ?? .null }

    /// The whole audit as one JSON object (`audit dossier --format json`).
    public var json: JSONObject {
        var o: JSONObject = ["dossier": .string(code), "state": .object(state.json(reference: reference)), "asOf": local(asOf)]
        o["events"] = .array(entries.map { e in
            var line: JSONObject = [
                "seq": .int(Int64(e.event.seq)), "version": e.event.version.map { .int(Int64($0)) } ?? .null,
                "type": .string(e.event.event.type.name), "at": .string(e.event.event.at.text),
                "recordedAt": .string(e.event.recordedAt.text),
                "actor": e.event.event.actor.map(JSONValue.string) ?? .null,
                "data": .object(e.event.event.data),
            ]
            if e.voided { line["voided"] = .bool(true) }
            return .object(line)
        })
        o["holds"] = .array(holds.map { h in
            .object(["officer": .string(h.officer), "officerName": officerName(h.officer), "step": .string(h.step),
                     "from": local(h.from), "to": local(h.to), "heldHours": Self.hours(h.heldSeconds),
                     "budgetHours": Self.hours(h.budgetSeconds), "stepDueAt": local(h.stepDue),
                     "outcome": h.outcome.map { .string($0.rawValue) } ?? .null, "evidence": .array([.int(Int64(h.assignedSeq))])])
        })
        o["pauses"] = .array(pauses.map { p in
            .object(["reason": .string(p.reason), "from": local(p.start), "to": local(p.end),
                     "workingHours": Self.hours(p.workingSeconds), "evidence": .array([.int(Int64(p.seq))])])
        })
        o["dueAt"] = .array(dueChanges.map { .object(["seq": .int(Int64($0.seq)), "dueAt": local($0.due)]) })
        o["apology"] = state.apologySeq.map { seq in
            .object(["at": local(state.apologyAt), "newDueAt": local(state.apologyNewDueAt), "seq": .int(Int64(seq))])
        } ?? .null
        o["violations"] = .array(violations.map { .object($0.json) })
        o["recordedLate"] = .array(recordedLate.map { e in
            .object(["seq": .int(Int64(e.seq)), "at": .string(e.event.at.text), "recordedAt": .string(e.recordedAt.text),
                     "lagHours": Self.hours(e.recordedAt.seconds - e.event.at.seconds)])
        })
        return o
    }

    /// The audit as text for a terminal (`audit dossier`).
    public var text: String {
        func t(_ v: Int64?) -> String { local(v).stringValue ?? "-" }
        func h(_ s: Int64?) -> String { s.map { String(format: "%.1f", Double($0) / 3600) } ?? "-" }
        let calendar = reference.calendar
        let definition = state.procedure.flatMap { reference.procedure($0, definedBy: state.procedureSeq) }
        var out = "dossier \(code) — \(state.stage.name)\n"
        out += "  procedure \(state.procedure ?? "-")" + (definition.map { " \($0.name), \(h($0.processingSeconds)) working hours" } ?? "") + "\n"
        out += "  agency \(state.agency ?? "-"), channel \(state.channel ?? "-")\n"
        out += "  received \(t(state.receivedAt)), due \(t(state.dueInstant(calendar: calendar))), processed \(t(state.processedAt))"
        out += (state.outcome(calendar: calendar).map { " → \($0.rawValue)" } ?? "") + "\n"
        if let seq = state.apologySeq {
            out += "  apology (seq \(seq)) at \(t(state.apologyAt)): new appointment \(t(state.apologyNewDueAt))\n"
        }
        out += "\nevents\n"
        out += Self.table(["seq", "v", "at", "recorded", "type", "actor"], entries.map { e in
            [String(e.event.seq) + (e.voided ? " (voided)" : ""), e.event.version.map(String.init) ?? "", e.event.event.at.text,
             e.event.recordedAt.text, e.event.event.type.name, e.event.event.actor ?? ""]
        })
        out += "\nprocess control slip (form 05)\n"
        out += Self.table(["officer", "step", "from", "to", "held h", "budget h", "step due", "outcome"], holds.map { x in
            [x.officer + (reference.officers[x.officer].map { " (\($0.name))" } ?? ""), x.step, t(x.from), x.to.map { t($0) } ?? "(holding)",
             h(x.heldSeconds), h(x.budgetSeconds), t(x.stepDue), x.outcome?.rawValue ?? "-"]
        })
        if !pauses.isEmpty {
            out += "\npauses\n"
            out += Self.table(["reason", "from", "to", "working h", "seq"], pauses.map { p in
                [p.reason, t(p.start), p.end.map { t($0) } ?? "(paused)", h(p.workingSeconds), String(p.seq)]
            })
        }
        if !dueChanges.isEmpty {
            out += "\ndue instant\n"
            out += Self.table(["after seq", "due"], dueChanges.map { [String($0.seq), $0.due.map { t($0) } ?? "unknown (paused)"] })
        }
        out += "\nviolations (as of \(t(asOf)))\n"
        out += violations.isEmpty ? "  none\n" : Self.table(["code", "officer", "step", "held h", "evidence"], violations.map { v in
            [v.code.rawValue, v.officer ?? "-", v.step ?? "-", v.heldHours.map { String(format: "%.1f", $0) } ?? "-",
             v.evidence.map(String.init).joined(separator: " ")]
        })
        if !recordedLate.isEmpty {
            out += "\nrecorded late\n"
            out += Self.table(["seq", "at", "recorded", "lag h"], recordedLate.map { e in
                [String(e.seq), e.event.at.text, e.recordedAt.text, h(e.recordedAt.seconds - e.event.at.seconds)]
            })
        }
        return out
    }

    /// An indented plain-text table.
    static func table(_ columns: [String], _ rows: [[String]]) -> String {
        var table = TextTable(columns: columns, indent: "  ")
        for row in rows { table.add(row) }
        return table.render()
    }
}
