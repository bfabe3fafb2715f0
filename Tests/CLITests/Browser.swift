import Foundation
import Testing

/// Debian's Chromium, headless, as the tests' person in front of a page:
/// the DOM after scripts ran, the console messages, a screenshot, a PDF.
/// `Tools/test.sh` installs it when missing.
enum Browser {
    static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/local/bin/chromium"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Page {
        var dom: String
        /// Messages the page wrote to the console, and script errors.
        var console: [String]
    }

    /// Runs Chromium headless on `url` with `extra` flags; a fresh profile each time, so runs in parallel do not meet.
    @discardableResult
    static func run(_ url: URL, _ extra: [String]) throws -> (stdout: String, stderr: String) {
        guard let executable else {
            Issue.record("chromium is not installed (Tools/ensure-chromium.sh installs it)")
            return ("", "")
        }
        let profile = NSTemporaryDirectory() + "chromium-profile-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                             "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0", "--hide-scrollbars"] + extra + [url.absoluteString]
        let out = Pipe()
        let errPath = profile + ".stderr"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (String(decoding: data, as: UTF8.self), stderr)
    }

    /// The page's DOM after its scripts ran, and what it wrote to the console.
    static func open(_ file: String) throws -> Page {
        let r = try run(URL(fileURLWithPath: file), ["--dump-dom"])
        let console = r.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }.map(String.init)
        return Page(dom: r.stdout, console: console)
    }

    static func screenshot(_ file: String, to png: String, width: Int = 1280, height: Int = 2000) throws {
        try run(URL(fileURLWithPath: file), ["--screenshot=\(png)", "--window-size=\(width),\(height)"])
    }

    static func printToPDF(_ file: String, to pdf: String) throws {
        try run(URL(fileURLWithPath: file), ["--print-to-pdf=\(pdf)", "--no-pdf-header-footer"])
    }
}

/// Reading what a person sees in a dumped DOM.
enum DOM {
    /// The text of an element's content, tags removed, entities decoded, spaces collapsed.
    static func text(_ html: some StringProtocol) -> String {
        var s = String(html).replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: c)
        }
        return s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The rows of the first table after `marker` (an id or class in the page), each row's cells as text.
    static func tableRows(_ dom: String, after marker: String) -> [[String]] {
        guard let start = dom.range(of: marker) else { return [] }
        let rest = dom[start.upperBound...]
        guard let tableStart = rest.range(of: "<table"), let tableEnd = rest.range(of: "</table>", range: tableStart.upperBound..<rest.endIndex) else { return [] }
        let table = String(rest[tableStart.lowerBound..<tableEnd.upperBound])
        return matches(table, #"<tr>(.*?)</tr>"#).map { row in matches(row, #"<t[hd][^>]*>(.*?)</t[hd]>"#).map(text) }
    }

    /// The first capture group of every match of `pattern`.
    static func matches(_ text: String, _ pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Every href of the page.
    static func links(_ html: String) -> [String] { matches(html, #"href="([^"]*)""#) }
}

/// A PDF's pages and their size, from its page objects.
struct PDFPages {
    var count: Int
    /// Width and height in points of each page's media box.
    var sizes: [(Double, Double)]

    init(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        count = DOM.matches(text, #"/Type\s*/Page(?!s)()"#).count
        sizes = DOM.matches(text, #"/MediaBox\s*\[([^\]]*)\]"#).map { box in
            let n = box.split(separator: " ").compactMap { Double($0) }
            return n.count == 4 ? (n[2] - n[0], n[3] - n[1]) : (0, 0)
        }
    }
}
