import Audit
import DossierRules
import LedgerContract
import Projections
import WorkingTime

/// Renders the pages of a site from one state of the ledger and hands each
/// (path, HTML) to a sink; `SiteWriter` decides what to write.
enum SiteRenderer {
    static func render(ledger: Ledger, options: SiteOptions, update: inout SiteUpdate,
                       _ sink: (_ path: String, _ html: String) throws -> Void) throws {
        try ledger.read { snapshot in
            let head = try snapshot.head()
            update.head = head
            let source = try options.past.map { try snapshot.dossierSource(as: $0) } ?? snapshot.dossierSource()
            let reference = source.reference
            var collector = SiteCollector(reference: reference, kind: options.period, asOf: options.asOf, limit: options.listLimit)
            try source.forEach { collector.add($0, reference: reference) }
            var site = SiteContent(collector: collector, reference: reference, options: options, head: head, ledgerPath: ledger.path)

            // The dossier pages first, each written as soon as it is rendered: the
            // registered officers they name get pages too, so they link to them.
            var officersNamed = site.officersListed
            var holdsListed: [String: [(dossier: String, hold: DossierAudit.Hold)]] = [:]
            let links = SiteLinks(root: "../", officers: Set(reference.officers.keys), agencies: Set(reference.agencies.keys))
            for code in site.dossiersListed.map(\.text).sorted(by: Key.precedes) {
                guard let audit = try DossierAudit.build(code, in: ledger, as: options.past, asOf: options.asOf, reference: reference) else { continue }
                for h in audit.holds {
                    officersNamed.insert(h.officer)
                    holdsListed[h.officer, default: []].append((code, h))
                }
                for v in audit.violations { if let o = v.officer { officersNamed.insert(o) } }
                for e in audit.entries { if let a = e.event.event.actor { officersNamed.insert(a) } }
                site.dossiers.insert(ExactText(code))
                try sink(SitePaths.dossier(code), audit.renderPage(links: links, head: head, ledgerPath: ledger.path))
                // Each dossier's events lie anywhere in the log: the pages read for them are let go past the budget.
                try ledger.releaseMappedPagesOverBudget()
            }
            site.officers = officersNamed.filter { reference.officers[$0] != nil }
            update.dossierPages = site.dossiers.count

            let period = collector.shown
            let records = try OfficerAccountability.build(site.officers, source: source, asOf: options.asOf,
                                                          periods: [(period.start(of: period.last), period.end(of: period.last)), (.min, .max)],
                                                          lateListLimit: SiteContent.lateListed)
            let (inPeriod, allTime) = (records[0], records[1])
            for id in site.officers.sorted() {
                try sink(SitePaths.officer(id), site.officerPage(id, inPeriod: inPeriod[id]!, allTime: allTime[id]!, held: holdsListed[id] ?? []))
            }
            update.officerPages = site.officers.count
            for code in reference.agencies.keys.sorted() { try sink(SitePaths.agency(code), site.agencyPage(code)) }
            update.agencyPages = reference.agencies.count
            try sink(SitePaths.index, site.indexPage())
        }
    }
}

/// The figures of a site and the pages made of them.
struct SiteContent {
    let collector: SiteCollector
    let reference: ReferenceData
    let options: SiteOptions
    let head: Head
    let ledgerPath: String
    /// Scorecard rows of every agency (with the agencies under it) and period.
    let scores: [ScorecardRow]
    /// Form 06a rows of every agency (with the agencies under it) and period.
    let forms: [Form06aRow]
    /// The periods with figures, in order.
    let periodIndices: [Int]
    private struct RowKey: Hashable { var agency: String; var period: Int }
    private let scoreOf: [RowKey: ScorecardRow]
    private let formOf: [RowKey: Form06aRow]
    let province: String?
    /// Pages that exist (set once the dossier pages are built).
    var officers: Set<String> = []
    /// Dossiers by the bytes of their codes (`ExactText`), as their pages are named.
    var dossiers: Set<ExactText> = []
    let thresholds = BandThresholds()
    /// The dossiers that went late while held named on an officer's page, the first in code order.
    static let lateListed = 50

    init(collector: SiteCollector, reference: ReferenceData, options: SiteOptions, head: Head, ledgerPath: String) {
        self.collector = collector
        self.reference = reference
        self.options = options
        self.head = head
        self.ledgerPath = ledgerPath
        scores = collector.tally.scorecardRows(reference: reference, rollup: true)
        forms = collector.tally.form06aRows(reference: reference, rollup: true)
        periodIndices = Array(Set(forms.map(\.periodIndex) + scores.map(\.periodIndex))).sorted()
        scoreOf = Dictionary(scores.map { (RowKey(agency: $0.agency, period: $0.periodIndex), $0) }, uniquingKeysWith: { a, _ in a })
        formOf = Dictionary(forms.map { (RowKey(agency: $0.agency, period: $0.periodIndex), $0) }, uniquingKeysWith: { a, _ in a })
        province = reference.agencies.values.filter { $0.parent == nil }.map(\.code).min()
    }

    var calendar: WorkingCalendar { reference.calendar }
    var shownIndex: Int { collector.shown.last }
    var shownLabel: String { collector.periods.label(of: shownIndex) }

    func score(_ agency: String, _ period: Int) -> ScorecardRow? { scoreOf[RowKey(agency: agency, period: period)] }
    func form(_ agency: String, _ period: Int) -> Form06aRow? { formOf[RowKey(agency: agency, period: period)] }

    /// The dossiers the pages list.
    var dossiersListed: Set<ExactText> {
        var out = Set<ExactText>()
        for list in collector.overdue.values { out.formUnion(list.items.map { ExactText($0.dossier) }) }
        for list in collector.dueSoon.values { out.formUnion(list.items.map { ExactText($0.dossier) }) }
        for list in collector.late.values { out.formUnion(list.items.map { ExactText($0.dossier) }) }
        for byCode in collector.costs.values { for list in byCode.values { out.formUnion(list.items.map(ExactText.init)) } }
        for list in collector.violationExamples.values { out.formUnion(list.items.map { ExactText($0.dossier) }) }
        return out
    }

    /// The officers the agency pages list: those most over budget, and the holders of the dossiers listed as overdue or due soon.
    var officersListed: Set<String> {
        var out = Set<String>()
        for code in reference.agencies.keys { out.formUnion(overBudget(code).map(\.id)) }
        for list in collector.overdue.values { out.formUnion(list.items.compactMap(\.holder)) }
        for list in collector.dueSoon.values { out.formUnion(list.items.compactMap(\.holder)) }
        return out
    }

    /// Officers of `agency` or the agencies under it with hours over budget in the period shown, most first.
    func overBudget(_ agency: String) -> [(id: String, holds: OfficerHolds)] {
        collector.officerHolds.compactMap { id, holds -> (id: String, holds: OfficerHolds)? in
            guard holds.overBudgetSeconds > 0, let officer = reference.officers[id],
                  officer.agency == agency || reference.lineage(of: officer.agency).contains(agency) else { return nil }
            return (id, holds)
        }.sorted { ($0.holds.overBudgetSeconds, $1.id) > ($1.holds.overBudgetSeconds, $0.id) }.prefix(collector.limit).map { $0 }
    }

    func footer() -> SiteFooter { SiteFooter(calendar: calendar, asOf: options.asOf, head: head, ledgerPath: ledgerPath) }

    func agencyName(_ code: String) -> String { reference.agencies[code]?.name ?? code }

    func agencyLink(_ code: String, root: String) -> String {
        link("\(agencyName(code)) (\(code))", reference.agencies[code] == nil ? nil : root + SitePaths.agency(code))
    }

    func officerLink(_ id: String, root: String) -> String {
        link(reference.officers[id].map { "\($0.name) (\(id))" } ?? id, officers.contains(id) ? root + SitePaths.officer(id) : nil)
    }

    func dossierLink(_ code: String, root: String) -> String {
        link(code, dossiers.contains(ExactText(code)) ? root + SitePaths.dossier(code) : nil)
    }

    // MARK: - Shared sections

    /// The scorecard of `row`: each indicator's numerator and denominator, ratio, points and the dossiers that cost points.
    func scorecardTable(_ row: ScorecardRow, root: String, costAnchors: Bool) -> String {
        var table = HTMLTable([("Indicator", false), ("Group", false), ("Measure", false), ("Numerator", true), ("Denominator", true),
                               ("Ratio", true), ("Target", true), ("Points", true), ("Dossiers that cost points", true)])
        table.sortable = false
        let costs = collector.costs[row.agency] ?? [:]
        for s in row.indicators {
            let costCell: String
            if collector.costIndicators.contains(s.indicator.code) {
                let n = costs[s.indicator.code]?.total ?? 0
                costCell = costAnchors && n > 0 ? "<a href=\"#cost-\(esc(s.indicator.code))\">\(n)</a>" : String(n)
            } else {
                costCell = "<span class=\"muted\">pairs</span>"
            }
            table.add([esc(s.indicator.code), esc(s.indicator.group), esc(s.indicator.measure.rawValue),
                       String(s.numerator), String(s.denominator), percent(s.ratio), percent(s.indicator.target),
                       s.points.map { decimal($0, 2) + " / " + decimal(s.indicator.points, 0) } ?? "– / " + decimal(s.indicator.points, 0),
                       costCell])
        }
        return table.html
    }

    func scoreSummary(_ row: ScorecardRow) -> String {
        var out = "<div class=\"summary\">"
        out += "<div>Score <strong class=\"score\" data-agency=\"\(esc(row.agency))\" data-period=\"\(esc(row.period))\">\(decimal(row.score, 2))</strong> of \(decimal(row.measuredMax, 2)) measured points</div>"
        out += "<div><strong class=\"score-percent\">\(decimal(row.scorePercent, 2))%</strong> \(bandLabel(row.band))</div>"
        for g in row.groups { out += "<div>\(esc(g.name)): \(decimal(g.points, 2)) points</div>" }
        return out + "</div>\n"
    }

    /// On-time share of the dossiers processed, and the share received online, from form 06a's columns.
    func kpis(_ row: Form06aRow?) -> (onTime: Double?, online: Double?) {
        guard let row else { return (nil, nil) }
        let processed = row[.processedEarly] + row[.processedOnTime] + row[.processedLate]
        let received = row[.receivedOnline] + row[.receivedDirect] + row[.receivedPostal]
        return (processed > 0 ? Double(row[.processedEarly] + row[.processedOnTime]) / Double(processed) : nil,
                received > 0 ? Double(row[.receivedOnline]) / Double(received) : nil)
    }

    func kpiCell(_ rate: Double?) -> String {
        guard let rate, let band = thresholds.band(rate) else { return "–" }
        return percent(rate) + " " + bandLabel(band.rawValue)
    }

    func trendChart(_ agency: String) -> String {
        let indices = periodIndices
        let labels = indices.map { collector.periods.label(of: $0) }
        let rules = reference.scorecard(forPeriodEndingAt: collector.periods.end(of: shownIndex))
        return SiteCharts.percentLines(
            title: "Scorecard and on-time share of \(agencyName(agency)) by \(options.period.rawValue)", labels: labels,
            series: [("score %", "#1570ef", indices.map { score(agency, $0)?.scorePercent }),
                     ("processed on time %", "#12b76a", indices.map { p in kpis(form(agency, p)).onTime.map { $0 * 100 } })],
            guides: [(rules.green, "green"), (rules.yellow, "yellow"), (rules.orange, "orange")])
    }

    func warningsTable(_ list: BoundedList<DeadlineWarning>?, root: String) -> String {
        guard let list, !list.items.isEmpty else { return "<p class=\"muted\">None.</p>\n" }
        var table = HTMLTable([("Dossier", false), ("Agency", false), ("Bucket", false), ("Due", false), ("Working h left", true),
                               ("Holder", false), ("Step", false)])
        for w in list.items {
            table.add([dossierLink(w.dossier, root: root), w.agency.map { agencyLink($0, root: root) } ?? "–", bandLabel(w.bucket.rawValue),
                       esc(localTime(w.dueAt, calendar)), hours(w.secondsLeft), w.holder.map { officerLink($0, root: root) } ?? "–",
                       esc(w.step ?? "–")], values: [nil, nil, nil, nil, String(w.secondsLeft)])
        }
        return shownOf(list) + table.html
    }

    func shownOf<T>(_ list: BoundedList<T>) -> String {
        list.total > list.items.count ? "<p class=\"muted\">The \(list.items.count) most urgent of \(list.total).</p>\n" : ""
    }

    func bucketSummary(_ agency: String) -> String {
        let counts = collector.bucketCounts[agency] ?? [:]
        var out = "<div class=\"summary buckets\">"
        for b in DeadlineBucket.allCases {
            out += "<div>\(bandLabel(b.rawValue)) <strong class=\"bucket-\(b.rawValue)\">\(counts[b] ?? 0)</strong> open dossiers</div>"
        }
        return out + "</div>\n"
    }

    func violationTable(_ agency: String, root: String, examples: Bool) -> String {
        let counts = collector.violationCounts[agency] ?? [:]
        guard !counts.isEmpty else { return "<p class=\"muted\">None.</p>\n" }
        var table = HTMLTable([("Rule broken", false), ("Dossiers", true)] + (examples ? [("For example", false)] : []))
        for (code, n) in counts.sorted(by: { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }) {
            var cells = [esc(code.rawValue), String(n)]
            if examples {
                cells.append((collector.violationExamples[code]?.items ?? []).map { dossierLink($0.dossier, root: root) }.joined(separator: ", "))
            }
            table.add(cells)
        }
        return table.html
    }

    // MARK: - Pages

    func indexPage() -> String {
        let root = ""
        let title = province.map { "\(agencyName($0)) — the province at a glance" } ?? "The province at a glance"
        var page = HTMLPage(title: title, root: root)
        page.paragraph("Figures as of \(esc(localTime(options.asOf, calendar))), by \(esc(options.period.rawValue)); "
                       + "the period shown is <strong>\(esc(shownLabel))</strong>"
                       + (options.past.map { _ in " (a replay of the log as it stood then)" } ?? "") + ".")
        if let province {
            page.section("Scorecard (Decision 766), \(shownLabel)", id: "scorecard")
            if let row = score(province, shownIndex) {
                page.add(scoreSummary(row))
                page.add(scorecardTable(row, root: root, costAnchors: false))
                page.paragraph("The dossiers behind each figure: " + agencyLink(province, root: root) + ".")
            } else {
                page.paragraph("Nothing measured in \(esc(shownLabel)) yet.")
            }
            page.section("Trend", id: "trend")
            page.add(trendChart(province))
        }
        page.section("Agencies ranked, \(shownLabel)", id: "agencies")
        page.paragraph("Each agency with the agencies under it; bands in words and colour. Click a column to sort.")
        var table = HTMLTable([("Rank", true), ("Agency", false), ("Level", false), ("Score", true), ("Score %", true), ("Band", false),
                               ("Processed on time", true), ("Online share", true), ("Overdue now", true)])
        var rank = 0
        for row in scores where row.periodIndex == shownIndex && row.agency != province {
            rank += 1
            let k = kpis(form(row.agency, shownIndex))
            table.add([String(rank), agencyLink(row.agency, root: root), esc(reference.agencies[row.agency]?.level.rawValue ?? "–"),
                       decimal(row.score, 2), decimal(row.scorePercent, 2), bandLabel(row.band), kpiCell(k.onTime), kpiCell(k.online),
                       String(collector.bucketCounts[row.agency]?[.overdue] ?? 0)],
                      values: [nil, nil, nil, nil, nil, nil, k.onTime.map { String($0) }, k.online.map { String($0) }])
        }
        page.add(rank == 0 ? "<p class=\"muted\">No agency measured in \(esc(shownLabel)).</p>\n" : table.html)
        if let province {
            page.section("Deadline warnings now", id: "warnings")
            page.add(bucketSummary(province))
            page.add("<h3>Overdue</h3>\n" + warningsTable(collector.overdue[province], root: root))
            page.add("<h3>Due within a working day</h3>\n" + warningsTable(collector.dueSoon[province], root: root))
            page.section("Most common violations", id: "violations")
            page.add(violationTable(province, root: root, examples: true))
        }
        return page.render(breadcrumb: [("Province", nil)], footer: footer())
    }

    func agencyPage(_ code: String) -> String {
        let root = "../"
        var page = HTMLPage(title: "\(agencyName(code)) (\(code))", root: root)
        let agency = reference.agencies[code]
        var facts = [esc(agency?.level.rawValue ?? "agency")]
        if let parent = agency?.parent { facts.append("under " + agencyLink(parent, root: root)) }
        let children = reference.agencies.values.filter { $0.parent == code }.map(\.code).sorted()
        page.paragraph(facts.joined(separator: ", ") + ". Figures include the agencies under it; the period shown is <strong>\(esc(shownLabel))</strong>.")

        page.section("Scorecard, \(shownLabel)", id: "scorecard")
        if let row = score(code, shownIndex) {
            let rank = scores.filter { $0.periodIndex == shownIndex && $0.agency != province }.firstIndex { $0.agency == code }
            page.add(scoreSummary(row))
            if let rank { page.paragraph("Rank \(rank + 1) of the province's agencies.") }
            page.add(scorecardTable(row, root: root, costAnchors: true))
            let costs = collector.costs[code] ?? [:]
            for s in row.indicators where (costs[s.indicator.code]?.total ?? 0) > 0 {
                let list = costs[s.indicator.code]!
                page.add("<h3 id=\"cost-\(esc(s.indicator.code))\">\(esc(s.indicator.code)): dossiers that cost points</h3>\n")
                page.paragraph((list.total > list.items.count ? "\(list.items.count) of \(list.total): " : "")
                               + list.items.map { dossierLink($0, root: root) }.joined(separator: ", ")
                               + ". <span class=\"muted\">All of them: <code>dossier-ledger scorecard --agency \(esc(code)) --rollup --period \(esc(options.period.rawValue)) --explain \(esc(s.indicator.code))</code></span>")
            }
        } else {
            page.paragraph("Nothing measured in \(esc(shownLabel)).")
        }

        page.section("Trends", id: "trend")
        page.add(trendChart(code))
        var kpiTable = HTMLTable([("Period", false), ("Score %", true), ("Band", false), ("Processed on time", true), ("Online share", true)])
        for p in periodIndices {
            let s = score(code, p), k = kpis(form(code, p))
            guard s != nil || form(code, p) != nil else { continue }
            kpiTable.add([esc(collector.periods.label(of: p)), s.map { decimal($0.scorePercent, 2) } ?? "–", s.map { bandLabel($0.band) } ?? "–",
                          kpiCell(k.onTime), kpiCell(k.online)])
        }
        page.add(kpiTable.html)

        page.section("Form 06a by \(options.period.rawValue)", id: "form06a")
        var form06a = HTMLTable([("Period", false), ("Carried over", true), ("Received online", true), ("Received direct", true),
                              ("Received postal", true), ("Processed early", true), ("Processed on time", true), ("Processed late", true),
                              ("Ended otherwise", true), ("In progress, not due", true), ("In progress, overdue", true),
                              ("Paused, not due", true), ("Paused, overdue", true)])
        form06a.sortable = false
        for row in forms where row.agency == code {
            form06a.add([esc(row.period)] + row.columns.map(String.init))
        }
        page.add(form06a.rows.isEmpty ? "<p class=\"muted\">No dossiers.</p>\n" : "<div class=\"form06a\">" + form06a.html + "</div>")

        page.section("Deadline warnings now", id: "warnings")
        page.add(bucketSummary(code))
        page.add("<h3>Overdue</h3>\n" + warningsTable(collector.overdue[code], root: root))
        page.add("<h3>Due within a working day</h3>\n" + warningsTable(collector.dueSoon[code], root: root))

        page.section("Processed late in \(shownLabel)", id: "late")
        if let list = collector.late[code], !list.items.isEmpty {
            var table = HTMLTable([("Dossier", false), ("Agency", false), ("Procedure", false), ("Due", false), ("Processed", false), ("Working h late", true)])
            for l in list.items {
                table.add([dossierLink(l.dossier, root: root), agencyLink(l.agency, root: root), esc(l.procedure ?? "–"),
                           esc(localTime(l.dueAt, calendar)), esc(localTime(l.processedAt, calendar)), hours(l.lateSeconds)],
                          values: [nil, nil, nil, nil, nil, String(l.lateSeconds)])
            }
            page.add((list.total > list.items.count ? "<p class=\"muted\">The \(list.items.count) latest of \(list.total).</p>\n" : "") + table.html)
        } else {
            page.paragraph("None.")
        }

        page.section("Officers with hours over budget, \(shownLabel)", id: "officers")
        let over = overBudget(code)
        if over.isEmpty {
            page.paragraph("None.")
        } else {
            var table = HTMLTable([("Officer", false), ("Steps held", true), ("Over budget", true), ("Hours over budget", true), ("Hours held", true)])
            for (id, h) in over {
                table.add([officerLink(id, root: root), String(h.steps), String(h.stepsOverBudget), hours(h.overBudgetSeconds), hours(h.heldSeconds)],
                          values: [nil, nil, nil, String(h.overBudgetSeconds), String(h.heldSeconds)])
            }
            page.add(table.html)
        }
        page.section("Violations", id: "violations")
        page.add(violationTable(code, root: root, examples: false))
        if !children.isEmpty {
            page.section("Agencies under it, \(shownLabel)", id: "children")
            var table = HTMLTable([("Agency", false), ("Score %", true), ("Band", false), ("Processed on time", true), ("Overdue now", true)])
            for child in children {
                let s = score(child, shownIndex)
                table.add([agencyLink(child, root: root), s.map { decimal($0.scorePercent, 2) } ?? "–", s.map { bandLabel($0.band) } ?? "–",
                           kpiCell(kpis(form(child, shownIndex)).onTime), String(collector.bucketCounts[child]?[.overdue] ?? 0)])
            }
            page.add(table.html)
        }
        var crumbs: [(title: String, href: String?)] = [("Province", root + SitePaths.index)]
        for a in reference.lineage(of: code).dropFirst().reversed() where a != province { crumbs.append((agencyName(a), root + SitePaths.agency(a))) }
        crumbs.append((agencyName(code), nil))
        return page.render(breadcrumb: crumbs, footer: footer())
    }

    func officerPage(_ id: String, inPeriod: OfficerAccountability, allTime: OfficerAccountability,
                     held: [(dossier: String, hold: DossierAudit.Hold)]) -> String {
        let root = "../"
        let officer = reference.officers[id]
        var page = HTMLPage(title: "\(officer?.name ?? id) (\(id)) — accountability", root: root)
        if let officer { page.paragraph("Officer of " + agencyLink(officer.agency, root: root) + ".") }
        page.section("Accountability record", id: "record")
        var table = HTMLTable([("", false), (shownLabel, true), ("All time", true)])
        table.sortable = false
        func row(_ title: String, _ f: (OfficerAccountability) -> String) { table.add([esc(title), f(inPeriod), f(allTime)]) }
        row("Dossiers handled") { String($0.dossiersHandled) }
        row("Steps held") { String($0.stepsHeld) }
        row("Working hours held") { hours($0.totalHeldSeconds) }
        row("Median hours per step") { hours($0.medianHeldSeconds) }
        row("Steps over budget") { String($0.stepsOverBudget) }
        row("Hours over budget") { hours($0.overBudgetSeconds) }
        row("Supplement requests") { String($0.supplementRequests) }
        row("Repeated supplement requests") { String($0.repeatedSupplementRequests) }
        row("Dossiers that went late while held") { String($0.wentLateWhileHeldCount) }
        page.add(table.html)
        let shown = allTime.wentLateWhileHeld, late = allTime.wentLateWhileHeldCount
        if late > 0 {
            page.section("Dossiers that went late while held", id: "late")
            page.paragraph(shown.map { dossierLink($0, root: root) }.joined(separator: ", ")
                           + (late > shown.count ? " … (\(late) in all: <code>dossier-ledger audit officer \(esc(id))</code>)" : ""))
        }
        if !held.isEmpty {
            page.section("Holds on the dossiers listed in this site", id: "holds")
            var holds = HTMLTable([("Dossier", false), ("Step", false), ("From", false), ("To", false), ("Held h", true), ("Budget h", true)])
            for (dossier, h) in held.sorted(by: { ($0.hold.from, $0.dossier) < ($1.hold.from, $1.dossier) }) {
                holds.add([dossierLink(dossier, root: root), esc(h.step), esc(localTime(h.from, calendar)), h.to.map { esc(localTime($0, calendar)) } ?? "(holding)",
                           hours(h.heldSeconds), hours(h.budgetSeconds)])
            }
            page.add(holds.html)
        }
        var crumbs: [(title: String, href: String?)] = [("Province", root + SitePaths.index)]
        if let officer { crumbs.append((agencyName(officer.agency), root + SitePaths.agency(officer.agency))) }
        crumbs.append((officer?.name ?? id, nil))
        return page.render(breadcrumb: crumbs, footer: footer())
    }
}
