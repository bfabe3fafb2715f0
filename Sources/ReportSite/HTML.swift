import Audit
import Foundation
import LedgerContract

/// Text escaped for HTML element content and double-quoted attribute values (`Markup.escaped`).
func esc(_ text: String) -> String { Markup.escaped(text) }

/// A page of the site being written: a head with the one stylesheet (screen
/// and print) and the optional sorting script, a breadcrumb, the body, and
/// the footer naming the ledger's head that proves what the page shows.
///
/// Every resource is inline: the page reads the same from `file://` or a web
/// server, with or without scripts.
struct HTMLPage {
    var title: String
    /// From this page to the site's root: "" at the root, "../" one folder down.
    var root: String
    var body = ""

    init(title: String, root: String) {
        self.title = title
        self.root = root
    }

    mutating func add(_ html: String) { body += html }

    /// `<h2>` with an id to link to.
    mutating func section(_ title: String, id: String? = nil) {
        body += "<h2" + (id.map { " id=\"\(esc($0))\"" } ?? "") + ">\(esc(title))</h2>\n"
    }

    mutating func paragraph(_ html: String) { body += "<p>\(html)</p>\n" }

    func render(breadcrumb: [(title: String, href: String?)], footer: SiteFooter) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <nav class="crumbs">
        """
        out += breadcrumb.map { c in c.href.map { "<a href=\"\(esc($0))\">\(esc(c.title))</a>" } ?? esc(c.title) }.joined(separator: " › ")
        out += "</nav>\n<main>\n<h1>\(esc(title))</h1>\n"
        out += body
        out += "</main>\n<footer>\n"
        out += "<p>As of \(esc(footer.asOf)). Ledger head: seq <span class=\"head-seq\">\(footer.headSeq)</span>, hash <code class=\"head-hash\">\(esc(footer.headHash))</code>. "
        out += "Prove the log still holds it: <code>dossier-ledger --ledger \(esc(footer.ledgerPath)) verify --head \(footer.headSeq):\(esc(footer.headHash))</code></p>\n"
        out += "</footer>\n"
        out += "<script>\(Self.sortScript)</script>\n</body>\n</html>\n"
        return out
    }

    /// Screen: readable tables, band cells coloured (the band's name is always written too).
    /// Print: A4 portrait, no navigation, tables kept whole where they fit.
    static let style = """
    body{font-family:"Noto Sans","DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:0;color:#1b1b1b;background:#fff;font-size:14px;line-height:1.4}
    main{padding:0 1.5rem 1rem}
    nav.crumbs{padding:.5rem 1.5rem;background:#f2f4f7;border-bottom:1px solid #d0d5dd;font-size:13px}
    h1{font-size:1.5rem;margin:.8rem 0 .4rem}h2{font-size:1.15rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d0d5dd}
    table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:13px}
    th,td{border:1px solid #d0d5dd;padding:.2rem .45rem;text-align:left;vertical-align:top}
    th{background:#f2f4f7;font-weight:600}th[data-sort]{cursor:pointer}
    td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
    .band{display:inline-block;padding:0 .4rem;border-radius:3px;font-weight:600}
    .band-green{background:#d1fadf;color:#05603a}.band-yellow{background:#fef0c7;color:#93370d}
    .band-orange{background:#fddcab;color:#9c2a10}.band-red{background:#fee4e2;color:#912018}
    .band-overdue{background:#fee4e2;color:#912018}.band-due_soon{background:#fef0c7;color:#93370d}.band-not_due{background:#d1fadf;color:#05603a}
    .summary{display:flex;flex-wrap:wrap;gap:1rem}.summary div{border:1px solid #d0d5dd;border-radius:4px;padding:.4rem .8rem}
    .muted{color:#667085}code{font-size:12px;word-break:break-all}
    footer{border-top:1px solid #d0d5dd;margin-top:1.5rem;padding:.4rem 1.5rem;font-size:12px;color:#475467}
    svg{max-width:100%;height:auto}svg text{font-family:inherit}
    @page{size:A4 portrait;margin:12mm}
    @media print{nav.crumbs{display:none}main{padding:0}body{font-size:10.5px}table{font-size:9.5px}th,td{padding:.1rem .3rem}
    h1{font-size:15px;margin:0 0 4px}h2{font-size:12px;margin:8px 0 3px}footer{padding:4px 0;font-size:9px}
    table,svg{page-break-inside:avoid}.band{border:1px solid #667085}.noprint{display:none}}
    """

    /// Sorts a table by a header cell clicked: numbers as numbers, text by Vietnamese collation.
    static let sortScript = """
    document.querySelectorAll("table.sortable").forEach(function(t){t.querySelectorAll("th[data-sort]").forEach(function(th,i){
    th.addEventListener("click",function(){var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),up=th.dataset.dir!=="up";
    th.dataset.dir=up?"up":"down";var k=function(r){var c=r.cells[i];return c?(c.dataset.v||c.textContent.trim()):""};
    rows.sort(function(x,y){var a=k(x),c=k(y),na=parseFloat(a),nc=parseFloat(c);
    var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c,"vi");return up?r:-r});rows.forEach(function(r){b.appendChild(r)})})})});
    """
}

/// What every page's footer states.
struct SiteFooter {
    var asOf: String
    var headSeq: UInt64
    var headHash: String
    var ledgerPath: String
}

/// A table with header cells, built row by row.
struct HTMLTable {
    struct Column { var title: String; var numeric: Bool }
    var columns: [Column]
    var rows: [String] = []
    var sortable = true
    /// Whether the table has a header row (a two-column list of facts has none: its first column heads each row).
    var showsHeader = true
    var caption: String?

    init(_ columns: [(String, Bool)], caption: String? = nil) {
        self.columns = columns.map { Column(title: $0.0, numeric: $0.1) }
        self.caption = caption
    }

    /// Cells as HTML (escape text before); the first is a row header.
    mutating func add(_ cells: [String], values: [String?] = []) {
        var row = "<tr>"
        for (i, cell) in cells.enumerated() {
            let numeric = i < columns.count && columns[i].numeric
            let v = i < values.count ? values[i].map { " data-v=\"\(esc($0))\"" } ?? "" : ""
            let cls = numeric ? " class=\"n\"" : ""
            row += i == 0 ? "<th scope=\"row\"\(cls)\(v)>\(cell)</th>" : "<td\(cls)\(v)>\(cell)</td>"
        }
        rows.append(row + "</tr>")
    }

    var html: String {
        var out = "<table" + (sortable ? " class=\"sortable\"" : "") + ">"
        if let caption { out += "<caption>\(esc(caption))</caption>" }
        if showsHeader {
            out += "<thead><tr>"
            for c in columns {
                out += "<th scope=\"col\"" + (sortable ? " data-sort" : "") + (c.numeric ? " class=\"n\"" : "") + ">\(esc(c.title))</th>"
            }
            out += "</tr></thead>"
        }
        out += "<tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table>\n"
        return out
    }
}

/// A band (green, yellow, orange, red; or a deadline bucket) as a coloured label that says its name.
func bandLabel(_ band: String) -> String {
    "<span class=\"band band-\(esc(band))\">\(esc(band.replacingOccurrences(of: "_", with: " ")))</span>"
}

/// A fixed-point number as text ("12.3"), rounded half away from zero like the NDJSON output.
func decimal(_ value: Double, _ digits: Int = 1) -> String {
    let scale = [1.0, 10, 100, 1000, 10_000][min(max(digits, 0), 4)]
    return String(format: "%.\(digits)f", (value * scale).rounded() / scale)
}

/// Working seconds as hours with one decimal.
func hours(_ seconds: Int64?) -> String { seconds.map { decimal(Double($0) / 3600) } ?? "–" }

/// A ratio as a percentage with one decimal ("–" over zero).
func percent(_ ratio: Double?) -> String { ratio.map { decimal(100 * $0) + "%" } ?? "–" }
