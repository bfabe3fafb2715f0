/// Text for XML and HTML, in element content and in double-quoted
/// attribute values: `&`, `<`, `>` and `"` as entities; newline, carriage
/// return and tab as character references (kept in attributes); other
/// control characters, which XML 1.0 cannot hold at all, as U+FFFD.
package enum Markup {
    package static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default:
                // Other control characters cannot appear in XML 1.0 at all.
                if c.value < 0x20 { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
