import DossierRules

/// Inline SVG charts: no script, no external resource, readable in print.
enum SiteCharts {
    /// A line chart of percentages (0–100) over labelled periods; nil values leave a gap.
    /// Horizontal guides at the bands' lower bounds when given.
    static func percentLines(title: String, labels: [String], series: [(name: String, colour: String, values: [Double?])],
                             guides: [(value: Double, band: String)] = []) -> String {
        let width = 640.0, height = 220.0, left = 44.0, right = 30.0, top = 14.0, bottom = 34.0
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ i: Int) -> Double { labels.count <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(labels.count - 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - min(max(v, 0), 100) / 100) }
        var svg = "<svg role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>\(esc(title))</title>"
        for tick in stride(from: 0.0, through: 100.0, by: 25.0) {
            svg += "<line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(width - right)\" y2=\"\(y(tick))\" stroke=\"#eaecf0\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" font-size=\"10\" text-anchor=\"end\" fill=\"#475467\">\(Int(tick))%</text>"
        }
        let guideColour = ["green": "#12b76a", "yellow": "#f79009", "orange": "#ef6820", "red": "#f04438"]
        for g in guides {
            svg += "<line x1=\"\(left)\" y1=\"\(y(g.value))\" x2=\"\(width - right)\" y2=\"\(y(g.value))\" stroke=\"\(guideColour[g.band] ?? "#98a2b3")\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(width - right - 2)\" y=\"\(y(g.value) - 3)\" font-size=\"9\" text-anchor=\"end\" fill=\"#475467\">\(esc(g.band)) ≥ \(decimal(g.value, 0))%</text>"
        }
        let every = max(1, labels.count / 12)
        for (i, label) in labels.enumerated() where i % every == 0 || i == labels.count - 1 {
            svg += "<text x=\"\(x(i))\" y=\"\(height - bottom + 16)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#475467\">\(esc(label))</text>"
        }
        for s in series {
            var path = "", pen = false
            for (i, v) in s.values.enumerated() {
                guard let v else { pen = false; continue }
                path += (pen ? " L" : " M") + "\(decimal(x(i), 1)) \(decimal(y(v), 1))"
                pen = true
                svg += "<circle cx=\"\(decimal(x(i), 1))\" cy=\"\(decimal(y(v), 1))\" r=\"3\" fill=\"\(s.colour)\"><title>\(esc(s.name)) \(esc(labels[i])): \(decimal(v, 2))%</title></circle>"
            }
            if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>" }
        }
        var lx = left
        for s in series {
            svg += "<rect x=\"\(lx)\" y=\"\(height - 12)\" width=\"10\" height=\"3\" fill=\"\(s.colour)\"/>"
            svg += "<text x=\"\(lx + 14)\" y=\"\(height - 8)\" font-size=\"10\" fill=\"#1b1b1b\">\(esc(s.name))</text>"
            lx += 24 + Double(s.name.count) * 6
        }
        return svg + "</svg>\n"
    }
}
