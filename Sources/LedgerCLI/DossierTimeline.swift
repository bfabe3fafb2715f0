import DossierRules
import LedgerStore
import Projections
import WorkingTime

/// One dossier's timeline as an inspector reads it: its state, every hold
/// (officer, step, from, to, working hours held against the step budget),
/// every pause, and the violations with their evidence.
enum DossierTimeline {
    static func render(ledger: Ledger, code: String, asOf: Int64) throws -> String {
        try ledger.store.read { txn in
            guard let state = try ledger.dossier(code, in: txn) else { return "dossier \(code) has no events\n" }
            let reference = try ledger.reference(in: txn)
            let calendar = reference.calendar
            func local(_ t: Int64?) -> String { t.map { Timestamp(seconds: $0, offsetMinutes: 420).text } ?? "-" }
            func hours(_ s: Int64) -> String { String(format: "%.1f", Double(s) / 3600) }
            var text = ""
            let definition = state.procedure.flatMap { reference.procedure($0, definedBy: state.procedureSeq) }
            text += "  procedure \(state.procedure ?? "-") \(definition.map { "(\($0.name), \(hours($0.processingSeconds)) working hours)" } ?? "")\n"
            text += "  agency \(state.agency ?? "-"), channel \(state.channel ?? "-"), state \(state.stage.name)\n"
            text += "  received \(local(state.receivedAt)), due \(local(state.dueInstant(calendar: calendar))), processed \(local(state.processedAt))"
            text += state.outcome(calendar: calendar).map { " → \($0.rawValue)" } ?? ""
            text += "\n"
            if let apology = state.apologyNewDueAt { text += "  apology at \(local(state.apologyAt)): new appointment \(local(apology))\n" }
            var holds = TextTable(columns: ["officer", "step", "from", "to", "held h", "budget h", "verdict"])
            for h in state.holdings {
                let held = state.heldSeconds(h, calendar: calendar, asOf: asOf)
                let budget = definition?.step(named: h.step)?.budgetSeconds
                let verdict = budget.map { held > $0 ? "over budget" : "within budget" } ?? "-"
                holds.add([h.officer, h.step, local(h.from), h.to.map { local($0) } ?? "(holding)", hours(held), budget.map(hours) ?? "-", verdict])
            }
            text += holds.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
            for p in state.pauses {
                let end = p.end ?? asOf
                text += "  paused (\(p.reason == .supplement ? "supplement" : "obligation")) \(local(p.start)) – \(p.end.map { local($0) } ?? "now"): \(hours(calendar.workingSeconds(from: p.start, to: end))) working hours\n"
            }
            for v in state.violations(reference: reference, asOf: asOf) {
                text += "  violation \(v.code.rawValue)\(v.officer.map { " (officer \($0))" } ?? "")\(v.step.map { " step \($0)" } ?? ""): evidence seq \(v.evidence.map(String.init).joined(separator: ", "))\n"
            }
            return text
        }
    }
}
