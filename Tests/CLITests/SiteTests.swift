import Foundation
import Testing

/// `site` and `audit dossier --format html`, read in a real headless browser
/// as a provincial office and an inspection team would read them.
@Suite struct SiteTests {
    static let asOf = "2025-12-31T23:59:00+07:00"

    func province(dossiers: Int = 800, seed: Int = 5) throws -> String { try Tool.generatedProvince(dossiers: dossiers, seed: seed) }

    func siteDirectory(beside ledger: String) -> String { (ledger as NSString).deletingLastPathComponent + "/site" }

    /// Screenshots kept for a person to look at, under the build folder (not in git).
    static let artefacts: String = {
        let dir = Tool.packageRoot.appendingPathComponent(".build/site-artefacts").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    func htmlFiles(_ site: String) -> [String] {
        (FileManager.default.subpaths(atPath: site) ?? []).filter { $0.hasSuffix(".html") }.sorted()
    }

    @Test func theSiteShowsTheFiguresTheCommandLineGives() throws {
        let ledger = try province()
        defer { Tool.remove(ledger) }
        let site = siteDirectory(beside: ledger)
        let r = try Tool.run(["site", "--out", site, "--as-of", Self.asOf], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("open ") && r.stdout.contains("index.html"))

        // The scorecard: the province's score on the index, each agency's in the ranking, as `scorecard` says.
        let scores = Tool.objects(try Tool.run(["scorecard", "--rollup", "--period", "quarter", "--as-of", Self.asOf, "--format", "ndjson"],
                                               ledger: ledger).stdout)
        let lastPeriod = try #require(scores.compactMap { $0["period"] as? String }.max())
        #expect(lastPeriod == "2025-Q4")
        let last = scores.filter { $0["period"] as? String == lastPeriod }
        let index = try Browser.open(site + "/index.html")
        #expect(index.console.isEmpty, "console: \(index.console)")
        #expect(!index.dom.contains("\u{FFFD}"), "a replacement character: text was not UTF-8")
        let province = try #require(last.first { ($0["agency"] as? String)?.contains(".") == false })
        let provinceCode = province["agency"] as! String
        let shownScore = DOM.matches(index.dom, #"<strong class="score"[^>]*>([^<]*)</strong>"#).first
        #expect(shownScore == String(format: "%.2f", province["score"] as! Double))
        #expect(index.dom.contains(String(format: "%.2f%%", province["scorePercent"] as! Double)))
        #expect(DOM.text(index.dom).contains("\(province["band"] as! String)"), "the band is written, not only coloured")
        let ranked = DOM.tableRows(index.dom, after: "id=\"agencies\"").dropFirst()
        #expect(ranked.count == last.count - 1, "every agency measured in \(lastPeriod) but the province is ranked")
        for row in ranked {
            let code = try #require(DOM.matches(row[1], #"\(([^()]*)\)$"#).first, "agency cell \(row[1])")
            let cli = try #require(last.first { $0["agency"] as? String == code })
            #expect(row[3] == String(format: "%.2f", cli["score"] as! Double), "\(code) score")
            #expect(row[4] == String(format: "%.2f", cli["scorePercent"] as! Double), "\(code) percent")
            #expect(row[5] == cli["band"] as! String, "\(code) band")
        }
        #expect(index.dom.contains("Nghệ An") || index.dom.contains("Ủy ban"), "Vietnamese names render")
        #expect(index.dom.contains("<svg"), "the trend chart")

        // Form 06a on the province's page, period by period, as `report 06a` says.
        let forms = Tool.objects(try Tool.run(["report", "06a", "--rollup", "--period", "quarter", "--as-of", Self.asOf, "--format", "ndjson"],
                                              ledger: ledger).stdout)
        let provincePage = try Browser.open(site + "/agency/\(provinceCode).html")
        #expect(provincePage.console.isEmpty, "console: \(provincePage.console)")
        let rows = DOM.tableRows(provincePage.dom, after: "class=\"form06a\"").dropFirst()
        let expected = forms.filter { $0["agency"] as? String == provinceCode }
        #expect(rows.count == expected.count && !rows.isEmpty)
        for (row, cli) in zip(rows, expected) {
            #expect(row[0] == cli["period"] as? String)
            #expect(Array(row.dropFirst()) == ReportCommandTests.columns.map { String(cli[$0] as! Int) }, "06a of \(row[0])")
        }
        // Each indicator's numerator and denominator; the dossiers that cost points are linked.
        let indicators = DOM.tableRows(provincePage.dom, after: "id=\"scorecard\"").dropFirst()
        for cli in province["indicators"] as! [[String: Any]] {
            let row = try #require(indicators.first { $0[0] == cli["code"] as? String })
            #expect(row[3] == String(cli["numerator"] as! Int) && row[4] == String(cli["denominator"] as! Int), "\(row[0])")
        }
        #expect(provincePage.dom.contains("id=\"cost-P1\""), "the late dossiers behind P1")

        // Every link leads to a page of the site; nothing is loaded from outside.
        let files = htmlFiles(site)
        #expect(files.contains("index.html") && files.contains { $0.hasPrefix("dossier/") } && files.contains { $0.hasPrefix("officer/") })
        for file in files {
            let html = try String(contentsOfFile: site + "/" + file, encoding: .utf8)
            #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("), "\(file) loads nothing")
            let folder = (file as NSString).deletingLastPathComponent
            for href in DOM.links(html) where !href.hasPrefix("#") {
                #expect(!href.contains("://") && !href.hasPrefix("/"), "\(file): \(href) is relative")
                let target = ((folder.isEmpty ? href : folder + "/" + href) as NSString).standardizingPath
                let path = target.split(separator: "#").first.map(String.init) ?? target
                #expect(FileManager.default.fileExists(atPath: site + "/" + path), "\(file) links to \(href), which is not in the site")
            }
        }
        let dossierPages = files.filter { $0.hasPrefix("dossier/") }
        let dossiers = Tool.objects(try Tool.run(["dossiers", "--format", "ndjson"], ledger: ledger).stdout).count
        #expect(dossierPages.count < dossiers / 2, "pages for the dossiers listed, not for every dossier")

        // A dossier page: each hold's working hours as the audit gives them; one or two A4 pages in print.
        let overdue = try #require(DOM.matches(provincePage.dom, #"href="../(dossier/[^"]+)""#).first)
        let code = String(overdue.dropFirst("dossier/".count).dropLast(".html".count))
        let audit = try JSONSerialization.jsonObject(with: Data(try Tool.run(["audit", "dossier", code, "--as-of", Self.asOf, "--format", "json"],
                                                                                  ledger: ledger).stdout.utf8)) as! [String: Any]
        let page = try Browser.open(site + "/" + overdue)
        #expect(page.console.isEmpty, "console: \(page.console)")
        #expect(!page.dom.contains("\u{FFFD}"))
        let held = DOM.matches(page.dom, #"<span class="held-hours">([^<]*)</span>"#)
        let holds = audit["holds"] as! [[String: Any]]
        #expect(!holds.isEmpty && held == holds.map { String(format: "%.1f", $0["heldHours"] as! Double) })
        #expect(page.dom.contains("class=\"gantt\""))
        let head = try Tool.run(["stats"], ledger: ledger).stdout
        let seq = try #require(DOM.matches(page.dom, #"<span class="head-seq">(\d+)</span>"#).first)
        #expect(head.contains(seq))
        let pdf = Self.artefacts + "/dossier-\(UUID().uuidString).pdf"
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        try Browser.printToPDF(site + "/" + overdue, to: pdf)
        let pages = PDFPages(try Data(contentsOf: URL(fileURLWithPath: pdf)))
        #expect((1...2).contains(pages.count), "the timeline prints on one or two pages, not \(pages.count)")
        #expect(!pages.sizes.isEmpty && pages.sizes.allSatisfy { abs($0.0 - 595) < 2 && abs($0.1 - 842) < 2 }, "A4: \(pages.sizes)")

        // Officers' pages: the all-time record as `audit officer` gives it.
        let officerPages = files.filter { $0.hasPrefix("officer/") }
        #expect(officerPages.count >= 2)
        for file in officerPages.prefix(2) {
            let id = String(file.dropFirst("officer/".count).dropLast(".html".count))
            let cli = try JSONSerialization.jsonObject(with: Data(try Tool.run(["audit", "officer", id, "--as-of", Self.asOf, "--format", "json"],
                                                                                ledger: ledger).stdout.utf8)) as! [String: Any]
            let officerPage = try Browser.open(site + "/" + file)
            #expect(officerPage.console.isEmpty, "console: \(officerPage.console)")
            let record = DOM.tableRows(officerPage.dom, after: "id=\"record\"").dropFirst()
            func allTime(_ title: String) -> String? { record.first { $0.first == title }.map { $0[2] } }
            #expect(allTime("Dossiers handled") == String(cli["dossiersHandled"] as! Int), "\(id)")
            #expect(allTime("Steps held") == String(cli["stepsHeld"] as! Int), "\(id)")
            #expect(allTime("Median hours per step") == String(format: "%.1f", ((cli["medianHeldHours"] as! Double) * 10).rounded() / 10), "\(id)")
            #expect(allTime("Dossiers that went late while held") == String((cli["wentLateWhileHeld"] as! [String]).count), "\(id)")
        }

        try Browser.screenshot(site + "/index.html", to: Self.artefacts + "/index.png")
        try Browser.screenshot(site + "/" + overdue, to: Self.artefacts + "/dossier.png", width: 1000, height: 1600)
        #expect(FileManager.default.fileExists(atPath: Self.artefacts + "/index.png"))
        #expect(FileManager.default.fileExists(atPath: Self.artefacts + "/dossier.png"))
    }

    @Test func anInspectorPrintsOneDossierAndProvesTheHead() throws {
        let ledger = try province(dossiers: 200, seed: 9)
        defer { Tool.remove(ledger) }
        let late = Tool.objects(try Tool.run(["violations", "--code", "late", "--format", "ndjson", "--as-of", Self.asOf], ledger: ledger).stdout)
        let code = try #require(late.first?["dossier"] as? String)
        let r = try Tool.run(["audit", "dossier", code, "--as-of", Self.asOf, "--format", "html"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("<!DOCTYPE html>") && r.stdout.hasSuffix("</html>\n"))
        #expect(r.stdout.contains(code) && r.stdout.contains("form 05") && r.stdout.contains("late"))
        #expect(!r.stdout.contains("href=\"../"), "a page on its own links nowhere else")
        let file = (ledger as NSString).deletingLastPathComponent + "/\(code).html"
        try r.stdout.write(toFile: file, atomically: false, encoding: .utf8)
        let page = try Browser.open(file)
        #expect(page.console.isEmpty, "console: \(page.console)")
        #expect(DOM.text(page.dom).contains("late"))
        // The footer's command proves the head the page was made from.
        let command = try #require(DOM.matches(page.dom, #"verify --head (\d+:[0-9a-f]{64})"#).first)
        let verified = try Tool.run(["verify", "--head", command], ledger: ledger)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(try Tool.run(["audit", "dossier", code, "--format", "xml"], ledger: ledger).status == 64)
    }

    @Test func followRewritesChangedPagesWholeAfterACommitByAnotherProcess() throws {
        let ledger = try province(dossiers: 150, seed: 3)
        defer { Tool.remove(ledger) }
        let site = siteDirectory(beside: ledger)
        let output = (ledger as NSString).deletingLastPathComponent + "/follow.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let follower = Process()
        follower.executableURL = Tool.executable
        follower.arguments = ["--ledger", ledger, "site", "--out", site, "--follow"]
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        follower.standardOutput = log
        follower.standardError = log
        try follower.run()
        defer { kill(follower.processIdentifier, SIGKILL); follower.waitUntilExit() }
        func waitFor(_ timeout: Double, _ done: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline { if done() { return true }; usleep(20_000) }
            return done()
        }
        let index = site + "/index.html"
        #expect(waitFor(60) { (try? String(contentsOfFile: output, encoding: .utf8))?.contains("wrote") == true })
        let before = try String(contentsOfFile: index, encoding: .utf8)
        let headBefore = try #require(DOM.matches(before, #"<span class="head-seq">(\d+)</span>"#).first)

        // Another process receives a new dossier like the last one received: the index changes.
        let received = try #require(Tool.objects(try Tool.run(["export"], ledger: ledger).stdout)
            .last { $0["type"] as? String == "dossier.received" })
        var copy = received
        copy["id"] = "site-follow-1"
        copy["dossier"] = "FOLLOW-1"
        copy["at"] = ISO8601DateFormatter().string(from: Date())
        copy.removeValue(forKey: "seq")
        copy.removeValue(forKey: "recordedAt")
        copy.removeValue(forKey: "hash")
        copy.removeValue(forKey: "version")
        let event = String(decoding: try JSONSerialization.data(withJSONObject: copy), as: UTF8.self)
        // Meanwhile a reader keeps reading the index: every read is a whole page.
        var partial = 0, reads = 0
        let appended = try Tool.run(["append"], ledger: ledger, stdin: Data((event + "\n").utf8))
        let committed = Date()
        #expect(appended.status == 0, "\(appended.stderr)")
        let rewritten = waitFor(10) {
            reads += 1
            guard let text = try? String(contentsOfFile: index, encoding: .utf8) else { return false }
            if !text.hasSuffix("</html>\n") { partial += 1 }
            return DOM.matches(text, #"<span class="head-seq">(\d+)</span>"#).first != headBefore
        }
        #expect(rewritten, "the index was rewritten after the commit; the follower said: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        #expect(Date().timeIntervalSince(committed) < 2.5, "within 2 s of the commit (\(Date().timeIntervalSince(committed)) s)")
        #expect(partial == 0, "\(partial) of \(reads) reads saw half a page")
        #expect(!(FileManager.default.subpaths(atPath: site) ?? []).contains { $0.hasSuffix(".tmp") }, "no temporary file left")
        // The follower reports the pages after it has renamed them into place: the line can trail the index.
        #expect(waitFor(10) { (try? String(contentsOfFile: output, encoding: .utf8))?.contains("pages written") == true })
    }

    @Test func badRequestsWriteNothing() throws {
        let ledger = try province(dossiers: 60, seed: 2)
        defer { Tool.remove(ledger) }
        #expect(try Tool.run(["site"], ledger: ledger).status == 64)
        let site = siteDirectory(beside: ledger)
        #expect(try Tool.run(["site", "--out", site, "--period", "day"], ledger: ledger).status == 64)
        #expect(try Tool.run(["site", "--out", site, "--follow", "--as-of", Self.asOf], ledger: ledger).status == 64)
        #expect(!FileManager.default.fileExists(atPath: site))
        // A directory holding someone else's files is not overwritten.
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: site + "/notes.txt", contents: Data("mine".utf8))
        let refused = try Tool.run(["site", "--out", site], ledger: ledger)
        #expect(refused.status != 0 && refused.stderr.contains("not a site"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site) == ["notes.txt"])
    }
}
