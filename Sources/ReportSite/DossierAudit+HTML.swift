import Audit
import DossierRules
import LedgerContract
import Projections
import WorkingTime

/// Where a page's links to other pages of the site go; nil links: a page on its own.
struct SiteLinks {
    /// From the page to the site's root ("../" from a page in a folder).
    var root: String
    /// The officers and agencies that have a page (every registered officer named on a page has one).
    var officers: Set<String>
    var agencies: Set<String>

    func officer(_ id: String) -> String? { officers.contains(id) ? root + SitePaths.officer(id) : nil }
    func agency(_ code: String) -> String? { agencies.contains(code) ? root + SitePaths.agency(code) : nil }
}

/// Local time as a reader writes it: "2025-10-03 14:05".
func localTime(_ t: Int64?, _ calendar: WorkingCalendar) -> String {
    guard let t else { return "–" }
    let text = calendar.localTimestamp(t).text
    return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
}

func link(_ text: String, _ href: String?) -> String {
    href.map { "<a href=\"\(esc($0))\">\(esc(text))</a>" } ?? esc(text)
}

extension DossierAudit {
    /// The inspector's timeline of this dossier as one HTML page: the events,
    /// a Gantt chart of each hold against its step budget with pauses shaded,
    /// the process control slip (form 05) with each hold's working hours, the
    /// pauses, how the due instant moved and the violations with their
    /// evidence seqs; printable on one or two A4 pages.
    public func html(head: Head, ledgerPath: String) -> String {
        renderPage(links: nil, head: head, ledgerPath: ledgerPath)
    }

    func renderPage(links: SiteLinks?, head: Head, ledgerPath: String) -> String {
        let calendar = reference.calendar
        func t(_ v: Int64?) -> String { localTime(v, calendar) }
        func officer(_ id: String) -> String {
            link(reference.officers[id].map { "\($0.name) (\(id))" } ?? id, links?.officer(id))
        }
        let definition = state.procedure.flatMap { reference.procedure($0, definedBy: state.procedureSeq) }
        let agencyName = state.agency.map { code in reference.agencies[code].map { "\($0.name) (\(code))" } ?? code } ?? "–"
        var page = HTMLPage(title: "Hồ sơ \(code) — dossier timeline", root: links?.root ?? "")
        let due = state.dueInstant(calendar: calendar)
        let outcome = state.outcome(calendar: calendar)
        var facts = HTMLTable([("", false), ("", false)])
        facts.sortable = false
        facts.showsHeader = false
        facts.add(["Procedure", esc(definition.map { "\($0.name) (\($0.code)), \(hours($0.processingSeconds)) working hours" } ?? state.procedure ?? "–")])
        facts.add(["Agency", state.agency.map { link(agencyName, links?.agency($0)) } ?? "–"])
        facts.add(["Stage", esc(state.stage.name)])
        facts.add(["Channel", esc(state.channel ?? "–")])
        facts.add(["Received", esc(t(state.receivedAt))])
        facts.add(["Due", "<span class=\"due-at\">\(esc(t(due)))</span>"])
        facts.add(["Processed", esc(t(state.processedAt)) + (outcome.map { " — " + bandLabel(Self.band(of: $0)) + " " + esc($0.rawValue) } ?? "")])
        if let seq = state.apologySeq {
            facts.add(["Apology", "seq \(seq) at \(esc(t(state.apologyAt))), new appointment \(esc(t(state.apologyNewDueAt)))"])
        }
        page.add(facts.html)

        page.section("Holds against step budgets", id: "gantt")
        page.add(gantt(officerName: { reference.officers[$0]?.name ?? $0 }))

        page.section("Process control slip (form 05)", id: "form05")
        var slip = HTMLTable([("Officer", false), ("Step", false), ("From", false), ("To", false), ("Held h", true), ("Budget h", true),
                              ("Step due", false), ("Outcome", false), ("Seq", true)])
        slip.sortable = false
        for h in holds {
            slip.add([officer(h.officer), esc(h.step), esc(t(h.from)), h.to.map { esc(t($0)) } ?? "(holding)",
                      "<span class=\"held-hours\">\(hours(h.heldSeconds))</span>", hours(h.budgetSeconds), esc(t(h.stepDue)),
                      h.outcome.map { bandLabel(Self.band(of: $0)) + " " + esc($0.rawValue) } ?? (h.budgetSeconds.map { h.heldSeconds > $0 ? bandLabel("red") + " over budget" : "–" } ?? "–"),
                      String(h.assignedSeq)])
        }
        page.add(holds.isEmpty ? "<p class=\"muted\">No step was handed to an officer.</p>\n" : slip.html)

        if !pauses.isEmpty {
            page.section("Pauses (the clock stopped)", id: "pauses")
            var table = HTMLTable([("Reason", false), ("From", false), ("To", false), ("Working h", true), ("Seq", true)])
            table.sortable = false
            for p in pauses { table.add([esc(p.reason), esc(t(p.start)), p.end.map { esc(t($0)) } ?? "(paused)", hours(p.workingSeconds), String(p.seq)]) }
            page.add(table.html)
        }
        if !dueChanges.isEmpty {
            page.section("How the due instant moved", id: "due")
            var table = HTMLTable([("After seq", true), ("Due", false)])
            table.sortable = false
            for c in dueChanges { table.add([String(c.seq), c.due.map { esc(t($0)) } ?? "unknown (paused)"]) }
            page.add(table.html)
        }
        page.section("Violations as of \(t(asOf))", id: "violations")
        if violations.isEmpty {
            page.paragraph("None.")
        } else {
            var table = HTMLTable([("Rule", false), ("Officer", false), ("Step", false), ("Held h", true), ("Budget h", true), ("Evidence seqs", false)])
            table.sortable = false
            for v in violations {
                table.add([esc(v.code.rawValue), v.officer.map(officer) ?? "–", esc(v.step ?? "–"), v.heldHours.map { decimal($0) } ?? "–",
                           v.budgetHours.map { decimal($0) } ?? "–", v.evidence.map(String.init).joined(separator: ", ")])
            }
            page.add(table.html)
        }
        page.section("Events", id: "events")
        var events = HTMLTable([("Seq", true), ("At", false), ("Recorded", false), ("Event", false), ("Actor", false)])
        events.sortable = false
        let late = Set(recordedLate.map(\.seq))
        for e in entries {
            let type = esc(e.event.event.type.name) + (e.voided ? " <em>(voided)</em>" : "")
            let recorded = esc(localTime(e.event.recordedAt.seconds, calendar)) + (late.contains(e.event.seq) ? " " + bandLabel("red") + " recorded late" : "")
            events.add([String(e.event.seq), esc(localTime(e.event.event.at.seconds, calendar)), recorded, type, e.event.event.actor.map(officer) ?? "–"])
        }
        page.add(events.html)
        let crumbs: [(title: String, href: String?)] = links.map { l in
            [("Province", l.root + "index.html")] + (state.agency.flatMap { a in l.agency(a).map { (agencyName, $0) } }.map { [$0] } ?? [])
                + [(code, nil)]
        } ?? [(code, nil)]
        return page.render(breadcrumb: crumbs, footer: SiteFooter(calendar: calendar, asOf: asOf, head: head, ledgerPath: ledgerPath))
    }

    static func band(of outcome: Outcome) -> String { outcome == .late ? "red" : "green" }

    /// One bar per hold from its start to its end (or now), green up to the
    /// step's due instant and red after it; pauses shaded across all bars;
    /// the dossier's due instant as a line, earlier due instants dashed.
    func gantt(officerName: (String) -> String) -> String {
        guard let start = ([state.receivedAt] + holds.map { $0.from }).compactMap({ $0 }).min() else {
            return "<p class=\"muted\">Not received.</p>\n"
        }
        let calendar = reference.calendar
        let due = state.dueInstant(calendar: calendar)
        let ends: [Int64?] = holds.map { $0.to ?? asOf } + [state.processedAt, state.endedAt, due] + holds.map(\.stepDue)
        let end = max(ends.compactMap { $0 }.max() ?? start, start + 3600)
        let rowH = 22.0, labelW = 190.0, width = 680.0, top = 8.0
        let plotW = width - labelW - 10
        let height = top + rowH * Double(max(holds.count, 1)) + 46
        func x(_ t: Int64) -> Double { labelW + plotW * Double(min(max(t, start), end) - start) / Double(end - start) }
        func f(_ v: Double) -> String { decimal(v, 1) }
        var svg = "<svg role=\"img\" class=\"gantt\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>Holds of dossier \(esc(code)) against their step budgets</title>"
        for p in pauses {
            let x0 = x(p.start), x1 = x(p.end ?? asOf)
            svg += "<rect x=\"\(f(x0))\" y=\"\(top - 4)\" width=\"\(f(max(x1 - x0, 1)))\" height=\"\(f(height - top - 26))\" fill=\"#d0d5dd\" fill-opacity=\"0.6\"><title>pause (\(esc(p.reason))): \(hours(p.workingSeconds)) working h</title></rect>"
        }
        for (i, h) in holds.enumerated() {
            let y = top + rowH * Double(i)
            let label = "\(officerName(h.officer)) · \(h.step)"
            svg += "<text x=\"4\" y=\"\(f(y + 14))\" font-size=\"10\" fill=\"#1b1b1b\">\(esc(String(label.prefix(34))))</text>"
            let x0 = x(h.from), x1 = x(h.to ?? asOf)
            let dueX = h.stepDue.map(x)
            let greenEnd = dueX.map { min($0, x1) } ?? x1
            svg += "<rect x=\"\(f(x0))\" y=\"\(f(y + 4))\" width=\"\(f(max(greenEnd - x0, 1)))\" height=\"13\" fill=\"#32d583\"><title>\(esc(label)): held \(hours(h.heldSeconds)) working h of \(hours(h.budgetSeconds)) budgeted</title></rect>"
            if let dueX, x1 > dueX {
                svg += "<rect x=\"\(f(dueX))\" y=\"\(f(y + 4))\" width=\"\(f(x1 - dueX))\" height=\"13\" fill=\"#f04438\"><title>over the step budget</title></rect>"
            }
            if let dueX { svg += "<line x1=\"\(f(dueX))\" y1=\"\(f(y + 2))\" x2=\"\(f(dueX))\" y2=\"\(f(y + 19))\" stroke=\"#1b1b1b\" stroke-width=\"1.5\"/>" }
            svg += "<text x=\"\(f(min(x1 + 3, width - 60)))\" y=\"\(f(y + 14))\" font-size=\"9\" fill=\"#344054\">\(hours(h.heldSeconds))/\(hours(h.budgetSeconds)) h</text>"
        }
        let axisY = height - 36
        for c in dueChanges.dropLast() {
            guard let d = c.due else { continue }
            svg += "<line x1=\"\(f(x(d)))\" y1=\"\(top - 4)\" x2=\"\(f(x(d)))\" y2=\"\(f(axisY))\" stroke=\"#98a2b3\" stroke-dasharray=\"3 3\"><title>due after seq \(c.seq): \(esc(localTime(d, calendar)))</title></line>"
        }
        if let due {
            svg += "<line x1=\"\(f(x(due)))\" y1=\"\(top - 4)\" x2=\"\(f(x(due)))\" y2=\"\(f(axisY))\" stroke=\"#b42318\" stroke-width=\"2\"><title>due \(esc(localTime(due, calendar)))</title></line>"
        }
        svg += "<line x1=\"\(labelW)\" y1=\"\(f(axisY))\" x2=\"\(f(width - 10))\" y2=\"\(f(axisY))\" stroke=\"#667085\"/>"
        svg += "<text x=\"\(labelW)\" y=\"\(f(axisY + 14))\" font-size=\"10\" fill=\"#475467\">\(esc(localTime(start, calendar)))</text>"
        svg += "<text x=\"\(f(width - 10))\" y=\"\(f(axisY + 14))\" font-size=\"10\" text-anchor=\"end\" fill=\"#475467\">\(esc(localTime(end, calendar)))</text>"
        svg += "<text x=\"\(f(labelW + plotW / 2))\" y=\"\(f(axisY + 28))\" font-size=\"9\" text-anchor=\"middle\" fill=\"#475467\">bar: held (green within the step budget, red over it) · grey: paused · red line: due</text>"
        return svg + "</svg>\n"
    }
}

extension SiteFooter {
    init(calendar: WorkingCalendar, asOf: Int64, head: Head, ledgerPath: String) {
        self.init(asOf: localTime(asOf, calendar), headSeq: head.seq, headHash: head.hash.hex, ledgerPath: ledgerPath)
    }
}
