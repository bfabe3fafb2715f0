import Audit
import DossierRules
import LedgerContract
import Projections
import SystemIO
import WorkingTime

/// Where each page of the site lives, relative to its root. File names keep
/// letters, digits, `-`, `_` and (not first) `.` of a code and write any
/// other byte as `~XX`, so a name is safe in a file system and in a URL
/// alike, and two codes never share a page.
enum SitePaths {
    static let index = "index.html"
    static func agency(_ code: String) -> String { "agency/" + name(code) + ".html" }
    static func officer(_ id: String) -> String { "officer/" + name(id) + ".html" }
    static func dossier(_ code: String) -> String { "dossier/" + name(code) + ".html" }
    static let folders = ["agency", "officer", "dossier"]

    static func name(_ code: String) -> String {
        var out = ""
        for byte in code.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where !out.isEmpty:
                out += "."
            default:
                let hex = Array("0123456789ABCDEF")
                out += "~" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out.isEmpty ? "~" : out
    }
}

/// What a site shows: the period kind its tables and charts go by, the
/// instant it is as of, and how many dossiers each list names.
public struct SiteOptions: Sendable {
    public var period: KPIPeriod
    /// A replay (`--as-of`, `--known-at`); nil: the live projections.
    public var past: PastInstant?
    /// The instant deadlines, hours held and violations are evaluated at.
    public var asOf: Int64
    /// Dossiers named per list (late, overdue, due soon, costing an indicator's points).
    public var listLimit: Int

    public init(period: KPIPeriod = .quarter, past: PastInstant? = nil, asOf: Int64, listLimit: Int = 10) {
        self.period = period
        self.past = past
        self.asOf = asOf
        self.listLimit = listLimit
    }
}

/// What one writing of the site did.
public struct SiteUpdate: Sendable {
    public var agencyPages = 0
    public var officerPages = 0
    public var dossierPages = 0
    /// Pages whose contents changed (or were new), written by temporary file and rename.
    public var written = 0
    /// Pages of an earlier writing no longer listed, removed.
    public var removed = 0
    public var head = Head(seq: 0, hash: SHA256.Digest.zero)
    public var pages: Int { 1 + agencyPages + officerPages + dossierPages }
}

/// A static HTML report site of a ledger in a directory: `index.html` (the
/// province at a glance), one page per agency, one per officer and one per
/// dossier listed on those pages — never one per dossier of the province:
/// at most `agencies × (3 + indicators) × listLimit + 15` dossier pages
/// (each agency's late, overdue, due-soon and point-costing lists, and the
/// index's violation examples), and one page per registered officer named on
/// any page.
///
/// Each page is written to a temporary file and renamed over the old one,
/// so a web server or browser never reads half a page; a page whose
/// contents (all but its footer) did not change since the last writing by
/// this value is left as it is. Pages listed no more are removed. Pages
/// link to each other relatively and load nothing from outside.
///
/// Not thread-safe; one writer per directory.
public struct SiteWriter {
    public let ledger: Ledger
    public let directory: String
    /// A file marking the directory as a site written by this tool (so it may be rewritten and pruned).
    public static let marker = ".dossier-ledger-site"
    private var signatures: [String: Int] = [:]

    /// Prepares `directory`: created when missing; refused when it holds files but is not a site written by this tool.
    public init(ledger: Ledger, directory: String) throws {
        self.ledger = ledger
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        switch FileSystem.kind(at: self.directory) {
        case false?:
            throw LedgerError(.invalidArgument, "\(directory) is a file, not a directory for the site")
        case true?:
            let entries = try FileSystem.entries(ofDirectory: self.directory)
            if !entries.isEmpty && !entries.contains(Self.marker) {
                throw LedgerError(.alreadyExists, "\(directory) holds files and is not a site written by dossier-ledger; give a new or empty directory")
            }
        case nil:
            break
        }
        for folder in [""] + SitePaths.folders.map({ "/" + $0 }) { try FileSystem.createDirectories(self.directory + folder) }
        try FileSystem.replaceFile(self.directory + "/" + Self.marker, with: Array("site written by dossier-ledger\n".utf8))
    }

    /// Renders every page as the options say and writes those that changed.
    /// - Complexity: two visits of every dossier (one more with a replay),
    ///   plus one range read per dossier page.
    @discardableResult
    public mutating func write(_ options: SiteOptions) throws -> SiteUpdate {
        var update = SiteUpdate()
        var keep = Set<String>()
        var written = 0
        try SiteRenderer.render(ledger: ledger, options: options, update: &update) { path, html in
            keep.insert(path)
            let content = html.range(of: "\n<footer>").map { String(html[..<$0.lowerBound]) } ?? html
            let signature = content.hashValue
            guard signatures[path] != signature || !FileSystem.exists(directory + "/" + path) else { return }
            try FileSystem.replaceFile(directory + "/" + path, with: Array(html.utf8))
            signatures[path] = signature
            written += 1
        }
        update.written = written
        for folder in SitePaths.folders {
            for entry in try FileSystem.entries(ofDirectory: directory + "/" + folder) where entry.hasSuffix(".html") {
                let path = folder + "/" + entry
                if !keep.contains(path) {
                    FileSystem.remove(directory + "/" + path)
                    signatures[path] = nil
                    update.removed += 1
                }
            }
        }
        return update
    }
}
