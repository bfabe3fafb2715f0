import SystemIO
import Foundation
import Audit
import DossierRules
import LedgerContract
import Projections
import ProvinceGenerator
import ReportSite
import WorkingTime

/// `demo [--dossiers N] [--seed S] [--from Y] [--years K]`: generates a
/// province, imports it into a fresh ledger and prints what a provincial
/// office looks at first.
enum DemoCommand {
    /// A file in the demo ledger's directory marking it as the demo's own, so a re-run may replace it.
    static let marker = "CREATED_BY_DEMO"

    static func run(_ context: CommandContext) throws {
        let args = try Arguments(context.arguments, valued: GenerateCommand.valued.union(["batch"]), flags: [])
        _ = try args.positionals(max: 0, command: "demo")
        let options = try GenerateCommand.options(args)
        let path = context.ledgerGiven ? context.ledgerPath : "./demo-ledger"
        try prepare(path)
        let ledger = try Ledger.create(at: path)
        guard FileManager.default.createFile(atPath: path + "/" + marker, contents: Data("made by dossier-ledger demo\n".utf8)) else {
            throw CommandFailure(.cannotCreate, "cannot mark \(path) as the demo's own")
        }
        let out = context.out

        try out.line("Generating a province (\(options.dossiers) dossiers from \(options.fromYear), seed \(options.seed)) into \(path) …")
        try out.flush()
        let start = Date()
        let progress = Progress(enabled: FileSystem.isTerminal(2))
        var batch: [InputEvent] = []
        var line = 0
        var stored = 0
        let batchSize = try args.integer("batch", in: 1...1_000_000) ?? Ledger.heldBatchSize
        let summary = try ProvinceGenerator(options: options).generate { text in
            line += 1
            do { batch.append(InputEvent(line: line, event: try Event(jsonLine: text))) } catch let error as EventFormatError {
                throw AppendRefusal(.invalid, line: line, dossier: error.dossier, rule: error.rule)
            }
            if batch.count == batchSize {
                stored += try ledger.append(batch).storedCount
                batch.removeAll(keepingCapacity: true)
                progress.update(events: stored, bytes: 0, seconds: Date().timeIntervalSince(start))
            }
        }
        if !batch.isEmpty { stored += try ledger.append(batch).storedCount }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        try out.line(String(format: "Imported %d events (%d dossiers, %d agencies, %d officers, %d procedures) in %.1f s — %.0f events/s.",
                            stored, summary.dossiers, summary.agencies, summary.officers, summary.procedures, seconds, Double(stored) / max(seconds, 0.001)))
        try out.line()
        try report(ledger, path: path, out: out, colour: out.isTerminal && context.environment["NO_COLOR"] == nil)
    }

    /// The province's targets for the last quarter of the data, as they
    /// stood halfway through it (value so far, projection, status) beside
    /// how they stood at its end (or at the last event, when the data stops
    /// before); and how many of its communes' targets were at risk then.
    static func targets(_ ledger: Ledger, reference: ReferenceData, province: String?, lastDataAt: Int64, out: Output, colour: Bool) throws {
        guard let province, let year = reference.targets.map(\.period.year).max() else { return }
        let quarter = TargetPeriod(year: year, quarter: 4)
        let (start, end) = quarter.instants(reference.calendar)
        let middle = start + (end - start) / 2
        guard lastDataAt > middle else { return }
        let last = min(end - 1, lastDataAt)
        var midway = TargetEvaluation(rows: TargetEvaluation.rows(reference: reference, asOf: middle, period: quarter), reference: reference, asOf: middle)
        var final = TargetEvaluation(rows: TargetEvaluation.rows(reference: reference, asOf: last, period: quarter), reference: reference, asOf: last)
        try ledger.read { snapshot in
            try snapshot.forEachDossier { state in
                midway.add(state, reference: reference)
                final.add(state, reference: reference)
            }
        }
        let then = midway.progress(reference: reference), outcome = final.progress(reference: reference)
        let middleDate = reference.calendar.localDate(of: middle)
        let lastText = last == end - 1 ? "at the quarter's end" : "on \(reference.calendar.localDate(of: last)), its last data"
        try out.line("The chairman's targets for \(quarter) (a year's target applies to each quarter): the province on \(middleDate), "
                     + "halfway through, and \(lastText):")
        var table = TextTable(columns: ["measure", "target", "actual", "projected", "status", "actual ", "status "])
        table.groups = [("", 2), ("on \(middleDate)", 3), (last == end - 1 ? "\(quarter) ended" : "on \(reference.calendar.localDate(of: last))", 2)]
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
        func paint(_ s: TargetStatus) -> String { BandColour.paint(s.rawValue, band: TargetsCommand.band(s), colour: colour) }
        for p in then where p.assignment.holder == .agency(province) {
            let later = outcome.first { $0.assignment.holder == p.assignment.holder && $0.assignment.measure == p.assignment.measure }
            table.add([p.assignment.measure.description, percent(p.target), percent(p.actual), percent(p.projected), paint(p.status),
                       percent(later?.actual), later.map { paint($0.status) } ?? "–"])
        }
        try out.write(table.render())
        let communes = Set(reference.agencies.values.filter { $0.level == .commune }.map(\.code))
        func count(_ rows: [TargetProgress], _ status: TargetStatus) -> Int { rows.filter { communes.contains($0.assignment.holder.code) && $0.status == status }.count }
        let communeTargets = then.filter { communes.contains($0.assignment.holder.code) }.count
        let ended = last == end - 1 ? "\(count(outcome, .missed)) were missed at the end" : "\(count(outcome, .atRisk)) still at risk \(lastText)"
        try out.line("Of its communes' \(communeTargets) targets, \(count(then, .atRisk)) were at risk on \(middleDate); \(ended) "
                     + "(`targets --period \(quarter) --as-of DATE` lists them).")
        try out.line()
    }

    /// Refuses to touch a directory that is not the demo's own.
    static func prepare(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard FileManager.default.fileExists(atPath: path + "/" + marker) else {
            throw CommandFailure(.cannotCreate, "\(path) exists and was not made by the demo; pass --ledger with a new directory")
        }
        try FileManager.default.removeItem(atPath: path)
    }

    static func report(_ ledger: Ledger, path: String, out: Output, colour: Bool) throws {
        let (reference, lastAt) = try ledger.read { snapshot -> (ReferenceData, Int64) in
            (try snapshot.reference(), try snapshot.event(seq: try snapshot.head().seq)?.event.at.seconds ?? 0)
        }
        let asOf = lastAt
        let asOfText = reference.calendar.localTimestamp(asOf).text
        let province = reference.agencies.values.first { $0.parent == nil }?.code

        try out.line("KPIs by year, each agency with the agencies under it (as of \(asOfText)):")
        var rows = try ledger.kpiRows(rollup: true, period: .year, asOf: asOf)
        rows.sort { a, b in
            if (a.agency == province) != (b.agency == province) { return a.agency == province }
            return (a.counters[.received], a.agency) > (b.counters[.received], b.agency)
        }
        let top = Array(rows.filter { reference.agencies[$0.agency]?.level != .commune || $0.agency == province }.prefix(12))
        try RowOutput.write(top.map { $0.json(bands: [:]) }, columns: ["agency", "period", "received", "processed", "onTimeRate", "late",
                                                                       "overdueInProgress", "onlineShare", "onlinePaymentRate", "inputDigitisationRate", "satisfaction"],
                            format: .table, to: out) { column, row in
            KPICommand.bandCell(column, row, colour: colour)
        }
        try out.line()

        // The 766 scorecard of the last quarter, each agency with the agencies under it.
        let quarters = ReportPeriods(kind: .quarter, calendar: reference.calendar, asOf: asOf)
        var tally = ReportTally(periods: ReportPeriods(kind: .quarter, calendar: reference.calendar,
                                                      from: quarters.firstDay(of: quarters.last), asOf: asOf))
        var warnings: [DeadlineWarning] = []
        try ledger.read { snapshot in
            try snapshot.forEachDossier { state in
                tally.add(state, reference: reference)
                if let w = state.deadlineWarning(at: asOf, reference: reference) { warnings.append(w) }
            }
        }
        let scores = tally.scorecardRows(reference: reference, rollup: true)
        if let top = scores.first(where: { $0.agency == province }) {
            try out.line("The 766 scorecard of \(top.period): the province scores "
                         + String(format: "%.1f of %g measured points (%.1f%%, ", top.score, top.measuredMax, top.scorePercent)
                         + BandColour.paint(top.band, band: top.band, colour: colour) + "); the five best and five worst of its "
                         + "\(scores.count - 1) agencies (each with the agencies under it):")
            let others = scores.filter { $0.agency != province }
            let shown = [top] + others.prefix(5) + others.suffix(max(0, min(5, others.count - 5)))
            try out.write(ScorecardCommand.table(shown, colour: colour).render())
            try out.line()
        }
        try targets(ledger, reference: reference, province: province, lastDataAt: asOf, out: out, colour: colour)

        warnings.sort(by: DeadlineWarning.moreUrgent)
        try out.line("The ten most urgent deadline warnings (as of \(asOfText)):")
        try DeadlinesCommand.write(warnings.prefix(10), calendar: reference.calendar, format: .table, to: out, colour: colour)
        try out.line()

        var counts: [Violation.Code: Int] = [:]
        var overBudget: [String: (hours: Double, steps: Int)] = [:]
        var lateDossier: (code: String, late: Double)?
        try ledger.read { snapshot in
            try snapshot.forEachDossier { state in
                for v in state.violations(reference: reference, asOf: asOf) {
                    counts[v.code, default: 0] += 1
                    if v.code == .stepOverdue, let officer = v.officer, let held = v.heldHours, let budget = v.budgetHours {
                        overBudget[officer, default: (0, 0)].hours += held - budget
                        overBudget[officer, default: (0, 0)].steps += 1
                    }
                    if v.code == .late, let due = state.dueInstant(calendar: reference.calendar), let done = state.processedAt {
                        let late = Double(done - due)
                        if lateDossier == nil || late > lateDossier!.late { lateDossier = (state.code, late) }
                    }
                }
            }
        }
        try out.line("Most common violations:")
        var table = TextTable(columns: ["violation", "count"])
        for (code, n) in counts.sorted(by: { $0.value > $1.value }) { table.add([code.rawValue, String(n)]) }
        try out.write(table.render())
        try out.line()

        try out.line("Officers with the most working hours over step budgets:")
        var officers = TextTable(columns: ["officer", "name", "agency", "steps over budget", "hours over"])
        for (id, v) in overBudget.sorted(by: { $0.value.hours > $1.value.hours }).prefix(5) {
            let o = reference.officers[id]
            officers.add([id, o?.name ?? "", o?.agency ?? "", String(v.steps), String(format: "%.1f", v.hours)])
        }
        try out.write(officers.render())
        try out.line()

        if let late = lateDossier {
            try out.line("The dossier that finished latest after its due instant, \(late.code):")
            if let audit = try DossierAudit.build(late.code, in: ledger, asOf: asOf) { try out.write(audit.text) }
            try out.line()
        }
        // The province as a provincial office sees it in a browser.
        let sitePath = path + "-site"
        let siteStart = Date()
        var site = try SiteWriter(ledger: ledger, directory: sitePath)
        let written = try site.write(SiteOptions(period: .quarter, asOf: asOf))
        try out.line(String(format: "Wrote the province's report site (%d pages: %d agencies, %d officers, %d dossiers) in %.1f s. Open it in a browser:",
                            written.pages, written.agencyPages, written.officerPages, written.dossierPages, Date().timeIntervalSince(siteStart)))
        try out.line("  " + URL(fileURLWithPath: sitePath).appendingPathComponent("index.html").absoluteString)
        try out.line()

        try out.line("Try next (DOSSIER_LEDGER=\(path)):")
        let tool = "dossier-ledger --ledger \(path)"
        for hint in ["\(tool) scorecard --rollup --explain P1 --agency \(province ?? "H40")",
                     "\(tool) report 06a --rollup --period month", "\(tool) deadlines --as-of \(asOfText) --bucket due_soon",
                     "\(tool) targets --agency \(province ?? "H40") --period \(reference.targets.map(\.period.year).max().map { "\($0)-Q4" } ?? "2025-Q4") --as-of \(asOfText)",
                     "\(tool) kpi --period month --rollup", "\(tool) violations --code step_overdue --as-of \(asOfText)",
                     "\(tool) dossiers --state in_progress", late(lateDossier?.code, tool),
                     "\(tool) audit delays --by officer", "\(tool) audit handovers",
                     "\(tool) site --out \(sitePath) --follow", "\(tool) verify", "\(tool) stats"] where !hint.isEmpty {
            try out.line("  " + hint)
        }
    }

    private static func late(_ code: String?, _ tool: String) -> String {
        guard let code else { return "" }
        return "\(tool) audit dossier \(code)"
    }
}
