import LedgerContract
import Foundation
import ProvinceGenerator
import Testing
import WorkingTime

private func generateLines(dossiers: Int, seed: UInt64, fromYear: Int = 2025, years: Int = 1) -> [String] {
    var o = ProvinceGenerator.Options()
    o.dossiers = dossiers
    o.seed = seed
    o.fromYear = fromYear
    o.years = years
    var out: [String] = []
    _ = ProvinceGenerator(options: o).generate { out.append($0) }
    return out
}

/// "YYYY-MM-DDTHH:MM:SS+07:00", digits where digits belong.
private func isTime(_ s: String?) -> Bool {
    guard let s else { return false }
    let shape = Array("dddd-dd-ddTdd:dd:dd+07:00".utf8)
    let u = Array(s.utf8)
    guard u.count == shape.count else { return false }
    return zip(u, shape).allSatisfy { c, p in p == UInt8(ascii: "d") ? (48...57).contains(c) : c == p }
}
private let finalStates: Set<String> = ["rejected", "returned", "withdrawn", "suspended"]

/// The lifecycle of EVENTS.md, written independently of the generator.
private struct LifecycleChecker {
    var state = "new"
    var resume = "received"

    /// Applies `type` (without the "dossier." prefix); returns false if it is not allowed.
    mutating func apply(_ type: String) -> Bool {
        let s = state
        let allowed: Bool
        switch type {
        case "submitted": allowed = s == "new"
        case "received": allowed = s == "new" || s == "submitted"
        case "rejected": allowed = s == "submitted" || s == "received"
        case "assigned", "supplement_requested", "obligation_requested", "processed": allowed = s == "received" || s == "in_progress"
        case "supplement_received": allowed = s == "awaiting_supplement"
        case "obligation_fulfilled": allowed = s == "awaiting_obligation"
        case "fee_paid", "withdrawn", "suspended": allowed = s != "new" && !finalStates.contains(s)
        case "digitised", "complaint_filed": allowed = s != "new"
        case "apology_issued": allowed = ["received", "in_progress", "awaiting_supplement", "awaiting_obligation"].contains(s)
        case "result_returned": allowed = s == "processed"
        case "rated": allowed = s == "processed" || s == "returned"
        default: allowed = false
        }
        guard allowed else { return false }
        switch type {
        case "submitted": state = "submitted"
        case "received": state = "received"
        case "rejected": state = "rejected"
        case "assigned": state = "in_progress"
        case "supplement_requested": resume = s; state = "awaiting_supplement"
        case "obligation_requested": resume = s; state = "awaiting_obligation"
        case "supplement_received", "obligation_fulfilled": state = resume
        case "processed": state = "processed"
        case "result_returned": state = "returned"
        case "withdrawn": state = "withdrawn"
        case "suspended": state = "suspended"
        default: break
        }
        return true
    }
}

@Suite("ProvinceGenerator")
struct ProvinceGeneratorTests {
    @Test("the same options give byte-identical output; another seed gives another province")
    func deterministic() {
        let a = generateLines(dossiers: 400, seed: 42)
        let b = generateLines(dossiers: 400, seed: 42)
        let c = generateLines(dossiers: 400, seed: 43)
        #expect(a.count > 400 * 5)
        #expect(a == b)
        #expect(a != c)
    }

    @Test("each year's targets come in January, districts get none once abolished, one is revised in July")
    func targets() throws {
        let lines = sharedAcrossAbolition.lines.filter { $0.type == "target.assigned" }
        func key(_ l: Line) -> String { (l.data["agency"]?.string ?? l.data["officer"]!.string!) + " " + l.data["measure"]!.string! + " " + l.data["period"]!.string! }
        for year in ["2024", "2025"] {
            let ofYear = lines.filter { $0.data["period"]?.string?.hasPrefix(year) == true }
            #expect(ofYear.contains { $0.at.hasPrefix("\(year)-01-02T08:00:00") && $0.data["agency"]?.string == "H40" && $0.data["period"]?.string == year })
            let periods = Set(ofYear.compactMap { $0.data["period"]?.string })
            #expect(periods.isSuperset(of: ["\(year)-Q1", "\(year)-Q4"]), "a quarterly roadmap")
            #expect(ofYear.contains { $0.data["officer"] != nil }, "targets for officers too")
        }
        let districts2025 = lines.filter { $0.data["period"]?.string == "2025" && ($0.data["agency"]?.string?.split(separator: ".").count ?? 0) == 2 }
        let districts2024 = lines.filter { $0.data["period"]?.string == "2024" && ($0.data["agency"]?.string?.split(separator: ".").count ?? 0) == 2 }
        #expect(!districts2024.isEmpty && districts2025.allSatisfy { $0.at < "2025-07-01" }, "districts exist until July 2025")
        let revised = Dictionary(grouping: lines, by: key).values.filter { $0.count > 1 }
        #expect(revised.count == 1, "one revision")
        let revision = try #require(revised.first?.last)
        #expect(revision.at.hasPrefix("2025-07-01T08:00:00") && revision.data["measure"]?.string == "onlineShare")
        #expect((revision.data["value"]?.number ?? 0) > (revised.first?.first?.data["value"]?.number ?? 1), "revised upward")
    }

    @Test("targets stay fractions from 0 to 1 over the longest history generate writes")
    func targetsStayFractionsOverTwentyYears() throws {
        let lines = Corpus(dossiers: 200, seed: 11, fromYear: 2016, years: 20).lines
        let values = lines.filter { $0.type == "target.assigned" }.compactMap { $0.data["value"]?.number }
        #expect(values.count > 20 * 8)
        #expect(values.allSatisfy { (0...1).contains($0) }, "\(values.filter { !(0...1).contains($0) })")
    }

    @Test("every line is one JSON object with the fields its type requires")
    func contractShape() throws {
        let refTypes: Set = ["agency.registered", "officer.registered", "procedure.defined", "calendar.declared", "target.assigned"]
        let citizenTypes: Set = ["dossier.submitted", "dossier.fee_paid", "dossier.supplement_received",
                                 "dossier.obligation_fulfilled", "dossier.withdrawn", "dossier.rated", "dossier.complaint_filed"]
        for line in shared.lines {
            let j = line.json
            try #require(j.isObject, "not a JSON object: \(line.text)")
            #expect(!line.text.contains("\n"))
            #expect(isTime(line.at), "at: \(line.text)")
            #expect(isTime(j["recordedAt"]?.string), "recordedAt: \(line.text)")
            #expect((j["recordedAt"]?.string ?? "") >= line.at, "recorded before it happened: \(line.text)")
            #expect(j["id"]?.string?.isEmpty == false)
            #expect(line.data.isObject, "data: \(line.text)")
            let d = line.data
            func text(_ k: String) -> Bool { d[k]?.string?.isEmpty == false }
            if refTypes.contains(line.type) {
                #expect(line.dossier == nil && line.actor == nil, "reference event with dossier or actor: \(line.text)")
            } else {
                let code = try #require(line.dossier, "dossier event without dossier: \(line.text)")
                #expect(!code.isEmpty && code.utf8.count <= 64)
                if citizenTypes.contains(line.type) {
                    #expect(line.actor == nil, "citizen action with an actor: \(line.text)")
                } else {
                    #expect(line.actor?.isEmpty == false, "officer action without actor: \(line.text)")
                }
            }
            let ok: Bool
            switch line.type {
            case "agency.registered":
                ok = text("code") && text("name") && ["province", "district", "commune"].contains(d["level"]?.string ?? "")
                    && (d["level"]?.string == "province") == (d["parent"] == nil)
            case "officer.registered": ok = text("id") && text("name") && text("agency")
            case "procedure.defined":
                let days = d["processingDays"]?.number, hours = d["processingHours"]?.number
                let steps = d["steps"]?.array ?? []
                let budget = steps.compactMap { $0["budgetHours"]?.number }.reduce(0, +)
                let total = days.map { $0 * 8 } ?? hours ?? -1
                ok = text("code") && text("name") && (days == nil) != (hours == nil) && total > 0
                    && ["full", "partial", "none"].contains(d["online"]?.string ?? "")
                    && !steps.isEmpty && steps.allSatisfy { $0["name"]?.string?.isEmpty == false && ($0["budgetHours"]?.number ?? -1) > 0 }
                    && abs(budget - total) < 1e-9 && d["obligationPauses"]?.bool != nil
            case "calendar.declared":
                ok = d["year"]?.number != nil && d["holidays"]?.array != nil && d["workdays"]?.array != nil
            case "target.assigned":
                ok = (text("agency") != text("officer")) && text("measure") && text("period")
                    && (0...1).contains(d["value"]?.number ?? -1)
            case "dossier.submitted":
                ok = text("procedure") && text("agency") && ["online", "postal"].contains(d["channel"]?.string ?? "")
            case "dossier.received":
                ok = text("procedure") && text("agency") && ["direct", "online", "postal"].contains(d["channel"]?.string ?? "")
            case "dossier.rejected", "dossier.withdrawn", "dossier.suspended": ok = text("reason")
            case "dossier.assigned": ok = text("to") && text("step")
            case "dossier.supplement_requested":
                ok = !(d["items"]?.array ?? []).isEmpty && (d["items"]?.array ?? []).allSatisfy { $0.string?.isEmpty == false } && text("reason")
            case "dossier.supplement_received": ok = true
            case "dossier.obligation_requested": ok = (d["amount"]?.number ?? 0) > 0
            case "dossier.obligation_fulfilled": ok = d["online"]?.bool != nil
            case "dossier.fee_paid": ok = (d["amount"]?.number ?? 0) > 0 && d["online"]?.bool != nil
            case "dossier.digitised": ok = ["input", "result"].contains(d["part"]?.string ?? "")
            case "dossier.apology_issued": ok = isTime(d["newDueAt"]?.string) && text("reason")
            case "dossier.processed": ok = ["approved", "denied"].contains(d["outcome"]?.string ?? "")
            case "dossier.result_returned": ok = ["counter", "postal", "online"].contains(d["channel"]?.string ?? "")
            case "dossier.rated":
                let s = d["score"]?.number ?? 0
                ok = s == s.rounded() && (1...5).contains(s)
            case "dossier.complaint_filed": ok = text("text")
            default: ok = false
            }
            #expect(ok, "bad \(line.type): \(line.text)")
        }
    }

    @Test("every dossier's history is allowed by the lifecycle of EVENTS.md")
    func lifecycle() {
        for corpus in [shared, sharedAcrossAbolition] {
            for (code, events) in corpus.byDossier {
                var checker = LifecycleChecker()
                for e in events {
                    let ok = checker.apply(String(e.type.dropFirst("dossier.".count)))
                    #expect(ok, "\(code): \(e.type) not allowed in \(checker.state)")
                    if !ok { break }
                }
            }
        }
    }

    @Test("ids are unique; at never goes back, per dossier or over the stream")
    func idsAndOrder() {
        for corpus in [shared, sharedAcrossAbolition] {
            let ids = corpus.lines.compactMap { $0.json["id"]?.string }
            #expect(ids.count == corpus.lines.count)
            #expect(Set(ids).count == ids.count)
            #expect(ids.first == "g\(corpus.options.seed)-000000001")
            var previous = ""
            var lastOfDossier: [String: String] = [:]
            for line in corpus.lines {
                // Same offset everywhere, so the text order is the time order.
                #expect(line.at >= previous, "stream goes back in time at \(line.text)")
                previous = line.at
                if let d = line.dossier {
                    #expect(line.at >= lastOfDossier[d, default: ""], "dossier \(d) goes back in time")
                    lastOfDossier[d] = line.at
                }
            }
        }
    }

    @Test("the summary counts what was emitted")
    func summary() {
        let s = shared.summary
        #expect(s.events == shared.lines.count)
        #expect(s.dossiers == 3000)
        #expect(shared.byDossier.count == 3000)
        #expect(s.officers == shared.lines.filter { $0.type == "officer.registered" }.count)
        #expect((200...600).contains(s.officers))
        #expect(s.agencies == Set(shared.lines.filter { $0.type == "agency.registered" }.compactMap { $0.data["code"]?.string }).count)
        #expect(s.agencies == 1 + 8 + 60)
        #expect(s.procedures == Set(shared.lines.filter { $0.type == "procedure.defined" }.compactMap { $0.data["code"]?.string }).count)
        #expect((20...60).contains(s.procedures))
    }

    @Test("the stream has every kind of dossier event")
    func variety() {
        let types = Set(shared.lines.map(\.type))
        for t in ["submitted", "received", "rejected", "assigned", "supplement_requested", "supplement_received",
                  "obligation_requested", "obligation_fulfilled", "fee_paid", "digitised", "apology_issued", "processed",
                  "result_returned", "withdrawn", "suspended", "rated", "complaint_filed"] {
            #expect(types.contains("dossier.\(t)"), "no dossier.\(t)")
        }
        let twice = shared.byDossier.values.filter { $0.filter { $0.type == "dossier.supplement_requested" }.count > 1 }
        let once = shared.byDossier.values.filter { $0.contains { $0.type == "dossier.supplement_requested" } }
        #expect(!twice.isEmpty && twice.count * 4 < once.count)
        let open = shared.byDossier.values.filter { events in
            !events.contains { ["dossier.processed", "dossier.rejected", "dossier.withdrawn", "dossier.suspended"].contains($0.type) }
        }
        #expect(!open.isEmpty, "dossiers received near the end stay open")
        #expect(open.count < 300)
    }

    @Test("online share about 35 % in the first year, growing to about 60 %")
    func channelShares() {
        func shares(_ c: Corpus, year: String) -> (online: Double, postal: Double) {
            let received = c.lines.filter { $0.type == "dossier.received" && $0.at.hasPrefix(year) }
            let online = received.filter { $0.data["channel"]?.string == "online" }.count
            let postal = received.filter { $0.data["channel"]?.string == "postal" }.count
            return (Double(online) / Double(received.count), Double(postal) / Double(received.count))
        }
        let one = shares(shared, year: "2025")
        #expect((0.29...0.41).contains(one.online), "online \(one.online)")
        #expect((0.02...0.07).contains(one.postal), "postal \(one.postal)")
        let first = shares(sharedAcrossAbolition, year: "2024"), last = shares(sharedAcrossAbolition, year: "2025")
        #expect((0.29...0.41).contains(first.online), "2024 online \(first.online)")
        #expect((0.53...0.67).contains(last.online), "2025 online \(last.online)")
        // Direct filings are received over the counter; online and postal ones are submitted first.
        for (_, events) in shared.byDossier {
            let first = events[0]
            if first.type == "dossier.received" { #expect(first.data["channel"]?.string == "direct") }
            else { #expect(first.type == "dossier.submitted") }
        }
    }

    @Test("most receptions fall in working hours, with a morning peak")
    func receptionHours() {
        let cal = shared.calendar
        let received = shared.lines.filter { $0.type == "dossier.received" }
        let inHours = received.filter { cal.nextWorkingMoment(atOrAfter: seconds($0.at, cal)) == seconds($0.at, cal) }
        #expect(Double(inHours.count) / Double(received.count) > 0.97)
        let morning = received.filter { $0.at.dropFirst(11).prefix(2) < "12" }
        #expect(morning.count * 2 > received.count)
    }

    @Test("a few online and postal filings are received late or rejected")
    func lateReception() {
        let cal = shared.calendar
        var submitted = 0, late = 0, rejected = 0
        for (_, events) in shared.byDossier where events[0].type == "dossier.submitted" {
            submitted += 1
            let start = seconds(events[0].at, cal)
            guard let answer = events.first(where: { $0.type == "dossier.received" || $0.type == "dossier.rejected" }) else { continue }
            if answer.type == "dossier.rejected" { rejected += 1 }
            if cal.workingSeconds(from: start, to: seconds(answer.at, cal)) > 8 * 3600 { late += 1 }
        }
        #expect(late > 0 && Double(late) / Double(submitted) < 0.1, "late receptions \(late) of \(submitted)")
        #expect(rejected > 0 && Double(rejected) / Double(submitted) < 0.1, "rejections \(rejected) of \(submitted)")
    }

    @Test("5–10 % of processed dossiers are late; most apologies come before the due instant")
    func lateness() throws {
        let cal = shared.calendar
        var definitions: [String: [(at: String, data: JSON)]] = [:]
        for l in shared.lines where l.type == "procedure.defined" {
            definitions[l.data["code"]!.string!, default: []].append((l.at, l.data))
        }
        var processed = 0, late = 0, apologies = 0, apologiesBeforeDue = 0, onTimeWithApology = 0
        for (_, events) in shared.byDossier {
            guard let reception = events.first(where: { $0.type == "dossier.received" }),
                  let processing = events.first(where: { $0.type == "dossier.processed" }) else { continue }
            let code = reception.data["procedure"]!.string!
            let def = try #require(definitions[code]?.last { $0.at <= reception.at }).data
            let processingSeconds = try #require(cal.processingSeconds(days: def["processingDays"]?.number, hours: def["processingHours"]?.number))
            var pauses: [Pause] = []
            var pauseStart: Int64?
            for e in events {
                switch e.type {
                case "dossier.supplement_requested": pauseStart = seconds(e.at, cal)
                case "dossier.obligation_requested": pauseStart = def["obligationPauses"]?.bool == true ? seconds(e.at, cal) : nil
                case "dossier.supplement_received", "dossier.obligation_fulfilled":
                    if let s = pauseStart { pauses.append(Pause(start: s, end: seconds(e.at, cal))) }
                    pauseStart = nil
                default: break
                }
            }
            let due = try #require(cal.dueInstant(receivedAt: seconds(reception.at, cal), processingSeconds: processingSeconds, pauses: pauses))
            let isLate = cal.outcome(processedAt: seconds(processing.at, cal), due: due) == .late
            processed += 1
            if isLate { late += 1 }
            if let apology = events.first(where: { $0.type == "dossier.apology_issued" }) {
                apologies += 1
                if seconds(apology.at, cal) < due { apologiesBeforeDue += 1 }
                if !isLate { onTimeWithApology += 1 }
            }
        }
        let share = Double(late) / Double(processed)
        #expect((0.04...0.11).contains(share), "late share \(share)")
        #expect(apologies > 0 && apologies <= late)
        #expect(onTimeWithApology == 0)
        #expect(Double(apologiesBeforeDue) > 0.7 * Double(apologies) && apologiesBeforeDue < apologies,
                "\(apologiesBeforeDue) of \(apologies) apologies before the due instant")
    }

    @Test("reference data is emitted before it is used; actors, assignees and steps are valid")
    func references() throws {
        for corpus in [shared, sharedAcrossAbolition] {
            var parent: [String: String?] = [:]
            var officerAgency: [String: String] = [:]
            var definitions: [String: [String]] = [:] // code → step names of the latest definition
            var dossierAgency: [String: String] = [:]
            var dossierSteps: [String: [String]] = [:]
            var sawDossier = false
            func serves(_ officer: String, _ agency: String) -> Bool {
                guard let home = officerAgency[officer] else { return false }
                var current: String? = agency
                var hops = 0
                while let c = current, hops < 10 {
                    if c == home { return true }
                    current = parent[c] ?? nil
                    hops += 1
                }
                return false
            }
            for line in corpus.lines {
                let d = line.data
                switch line.type {
                case "calendar.declared":
                    #expect(!sawDossier, "calendar declared after dossiers started")
                case "agency.registered":
                    let p = d["parent"]?.string
                    if let p { #expect(parent[p] != nil, "parent \(p) not registered before \(line.text)") }
                    parent[d["code"]!.string!] = .some(p)
                case "officer.registered":
                    #expect(parent[d["agency"]!.string!] != nil)
                    officerAgency[d["id"]!.string!] = d["agency"]!.string!
                case "procedure.defined":
                    definitions[d["code"]!.string!] = d["steps"]!.array!.map { $0["name"]!.string! }
                case "target.assigned":
                    if let a = d["agency"]?.string { #expect(parent[a] != nil, "target of an unregistered agency: \(line.text)") }
                    if let o = d["officer"]?.string { #expect(officerAgency[o] != nil, "target of an unregistered officer: \(line.text)") }
                default:
                    sawDossier = true
                    let code = try #require(line.dossier)
                    if line.type == "dossier.submitted" || line.type == "dossier.received" {
                        let agency = d["agency"]!.string!, procedure = d["procedure"]!.string!
                        #expect(parent[agency] != nil, "unregistered agency: \(line.text)")
                        #expect(definitions[procedure] != nil, "undefined procedure: \(line.text)")
                        if let earlier = dossierAgency[code] { #expect(earlier == agency) }
                        dossierAgency[code] = agency
                        if line.type == "dossier.received" { dossierSteps[code] = definitions[procedure] }
                    }
                    let agency = try #require(dossierAgency[code])
                    if let actor = line.actor {
                        #expect(serves(actor, agency), "actor \(actor) does not serve \(agency): \(line.text)")
                    }
                    if line.type == "dossier.assigned" {
                        #expect(serves(d["to"]!.string!, agency), "assignee does not serve \(agency): \(line.text)")
                        #expect(dossierSteps[code]?.contains(d["step"]!.string!) == true, "unknown step: \(line.text)")
                    }
                }
            }
        }
    }

    @Test("each dossier's steps are handed over in the procedure's order, the first at reception")
    func stepOrder() {
        var stepsOf: [String: [String]] = [:]
        for l in shared.lines where l.type == "procedure.defined" {
            stepsOf[l.data["code"]!.string!] = l.data["steps"]!.array!.map { $0["name"]!.string! }
        }
        for (code, events) in shared.byDossier {
            guard let reception = events.first(where: { $0.type == "dossier.received" }) else { continue }
            let steps = stepsOf[reception.data["procedure"]!.string!]!
            let assigned = events.filter { $0.type == "dossier.assigned" }
            guard !assigned.isEmpty else { continue }
            #expect(assigned[0].at == reception.at && assigned[0].actor == reception.actor, "\(code)")
            #expect(assigned.map { $0.data["step"]!.string! } == Array(steps.prefix(assigned.count)), "\(code)")
            if events.contains(where: { $0.type == "dossier.processed" }) { #expect(assigned.count == steps.count, "\(code)") }
        }
    }

    @Test("district level abolished on 2025-07-01: communes re-registered under the province, districts stop receiving")
    func districtAbolition() {
        let c = sharedAcrossAbolition
        let reparented = c.lines.filter { $0.type == "agency.registered" && $0.at == "2025-07-01T00:00:00+07:00" }
        #expect(reparented.count == 60)
        #expect(reparented.allSatisfy { $0.data["level"]?.string == "commune" && $0.data["parent"]?.string == "H40" })
        let index = c.lines.firstIndex { $0.at == "2025-07-01T00:00:00+07:00" && $0.type == "agency.registered" }!
        #expect(c.lines[..<index].allSatisfy { $0.at < "2025-07-01T00:00:00+07:00" || $0.dossier == nil })
        let districts = Set(c.lines.filter { $0.type == "agency.registered" && $0.data["level"]?.string == "district" }.map { $0.data["code"]!.string! })
        #expect(districts.count == 8)
        let receivedAtDistricts = c.lines.filter { $0.type == "dossier.received" && districts.contains($0.data["agency"]!.string!) }
        #expect(!receivedAtDistricts.isEmpty)
        #expect(receivedAtDistricts.allSatisfy { $0.at < "2025-07-01" })
        // A period starting after the abolition has no districts at all.
        let later = generateLines(dossiers: 50, seed: 3, fromYear: 2026)
        #expect(!later.contains { $0.contains(#""level":"district""#) })
    }

    @Test("one procedure is redefined mid-period with a shorter processing time")
    func redefinition() {
        let defs = shared.lines.filter { $0.type == "procedure.defined" }
        let codes = defs.map { $0.data["code"]!.string! }
        let repeated = Set(codes.filter { c in codes.filter { $0 == c }.count > 1 })
        #expect(repeated.count == 1)
        let pair = defs.filter { repeated.contains($0.data["code"]!.string!) }
        #expect(pair.count == 2)
        #expect(pair[0].at == "2025-01-01T00:00:00+07:00")
        #expect(pair[1].at > "2025-06-01" && pair[1].at < "2025-09-01")
        #expect(pair[1].data["processingDays"]!.number! < pair[0].data["processingDays"]!.number!)
        #expect(defs.filter { $0.at > "2025-01-01T00:00:00+07:00" }.count == 1)
    }

    @Test("the calendar declares the announced holidays, bridge days and make-up Saturdays")
    func calendar() {
        let declared = shared.lines.filter { $0.type == "calendar.declared" }
        #expect(declared.map { $0.data["year"]!.number! } == [2025, 2026])
        let y2025 = declared[0].data
        let holidays = Set(y2025["holidays"]!.array!.map { $0.string! })
        let workdays = Set(y2025["workdays"]!.array!.map { $0.string! })
        #expect(holidays.isSuperset(of: ["2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
                                         "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"]))
        #expect(workdays == ["2025-02-08", "2025-04-26"])
        for l in declared {
            for h in l.data["holidays"]!.array! { #expect(LocalDate(iso: h.string!)!.weekday <= 5, "holiday on a weekend: \(h)") }
            for w in l.data["workdays"]!.array! { #expect(LocalDate(iso: w.string!)!.weekday >= 6, "make-up day on a weekday: \(w)") }
        }
        let y2024 = sharedAcrossAbolition.lines.first { $0.type == "calendar.declared" }!.data
        #expect(y2024["holidays"]!.array!.contains(.string("2024-04-29")))
        #expect(y2024["workdays"]!.array! == [.string("2024-05-04")])
        // Outside the table: only the fixed-date holidays that fall on weekdays.
        let far = generateLines(dossiers: 1, seed: 1, fromYear: 2031).first!
        #expect(far.contains(#""year":2031,"holidays":["2031-01-01","2031-04-30","2031-05-01","2031-09-02"],"workdays":[]"#))
    }

    @Test("dossier codes are agency-YYMMDD-counter, dated by the first event")
    func dossierCodes() {
        let pattern = /^(H40(?:\.\d{2}){0,2})-(\d{6})-(\d{4,})$/
        for (code, events) in shared.byDossier {
            guard let m = code.wholeMatch(of: pattern) else { Issue.record("bad code \(code)"); continue }
            #expect(String(m.1) == events[0].data["agency"]?.string, "\(code)")
            let at = events[0].at
            #expect(String(m.2) == String(at.dropFirst(2).prefix(8)).replacingOccurrences(of: "-", with: ""), "\(code) first at \(at)")
        }
    }

    @Test("recordedAt follows at by seconds to minutes; about 0.1 % are backdated by days")
    func recordedAt() {
        let lines = sharedAcrossAbolition.lines
        let cal = sharedAcrossAbolition.calendar
        var backdated = 0
        for l in lines {
            let lag = seconds(l.json["recordedAt"]!.string!, cal) - seconds(l.at, cal)
            if lag > 86_400 {
                backdated += 1
                #expect(lag <= 10 * 86_400 && l.dossier != nil)
            } else {
                #expect(lag >= 1 && lag <= 600)
            }
        }
        let share = Double(backdated) / Double(lines.count)
        #expect(backdated > 0 && share < 0.004, "backdated share \(share)")
    }

    @Test("memory grows with the active dossiers, not with the total")
    func boundedMemory() {
        func peak(dossiers: Int, years: Int) -> ProvinceGenerator.Summary {
            var o = ProvinceGenerator.Options()
            o.dossiers = dossiers
            o.years = years
            o.fromYear = 2023
            return ProvinceGenerator(options: o).generate { _ in }
        }
        let oneYear = peak(dossiers: 1500, years: 1)
        let fourYears = peak(dossiers: 6000, years: 4)
        #expect(fourYears.dossiers == 6000)
        #expect(oneYear.peakActiveDossiers > 0 && oneYear.peakActiveDossiers < 1500 / 5)
        // Four times the dossiers at the same daily rate: the peak stays about the same.
        #expect(Double(fourYears.peakActiveDossiers) < 1.6 * Double(oneYear.peakActiveDossiers),
                "peak \(fourYears.peakActiveDossiers) vs \(oneYear.peakActiveDossiers)")
    }

    @Test("write(toFileDescriptor:) writes the generated lines, one per line")
    func writeToFile() throws {
        var o = ProvinceGenerator.Options()
        o.dossiers = 300
        o.seed = 9
        let expected = generateLines(dossiers: 300, seed: 9).joined(separator: "\n") + "\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("province-\(UUID().uuidString).ndjson").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let summary = try ProvinceGenerator(options: o).write(toFileDescriptor: fd)
        close(fd)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == expected)
        #expect(summary.events == expected.split(separator: "\n").count)
    }
}
