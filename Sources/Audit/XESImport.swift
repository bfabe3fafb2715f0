import DossierRules
import Foundation
import LedgerContract
import Projections
import SystemIO

/// Reads XES logs (IEEE 1849) written by other case-handling systems, plain
/// or gzip (one member or several), into contract events, streaming: the
/// file is read, inflated and parsed a piece at a time and each trace is
/// turned into events as soon as it ends, so memory holds one trace, not
/// the log. Each trace becomes a dossier (its `concept:name` the code), each
/// event an `activity.recorded` with `activity` (`concept:name`), `resource`
/// (`org:resource`) and every other attribute under `attributes`, typed as
/// `XESAttribute` says; the trace's own attributes go with its first event
/// (`traceAttributes`). Resources that are not registered officers are
/// registered under the import's agency, so the audit commands work on
/// these histories too.
public enum XESImport {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    /// How a log is imported.
    public struct Options: Sendable {
        /// The agency new resources are registered under (registered itself when missing).
        public var agency = "XES"
        /// The UTC offset, in minutes, of timestamps written without one (nil: such a log is refused).
        public var timezoneMinutes: Int16?
        /// Events per atomic batch.
        public var batchSize = Ledger.heldBatchSize
        public init() {}
    }

    /// An import stopped by the ledger after some batches were stored: what
    /// was stored, and why it stopped. Running the same import again after
    /// the cause is fixed stores exactly what is missing.
    public struct Interrupted: Error, CustomStringConvertible {
        public let summary: Summary
        public let cause: any Error
        public var description: String {
            let stored = summary.first.map { "the events of seq \($0)–\(summary.last ?? $0) were stored" } ?? "nothing was stored"
            return "\(stored), then the ledger refused a batch: \(cause)"
        }
    }

    /// What an import stored.
    public struct Summary: Sendable {
        public var traces = 0
        public var events = 0
        public var stored = 0
        public var alreadyStored = 0
        public var first: UInt64?
        public var last: UInt64?
    }

    /// What an import is doing, for progress reports.
    public enum Phase: Sendable { case checking, appending }

    /// Imports the log at `path` (nil or "-": stdin) into `ledger`.
    ///
    /// The whole log is read and checked first — XML well-formedness, every
    /// trace's name and every event's timestamp — so a damaged or truncated
    /// file is refused with its line and column and nothing written; then
    /// it is read again and appended in atomic batches of `batchSize`. In
    /// both readings a second thread reads and parses while the calling
    /// thread checks or appends, with at most two chunks of about
    /// `batchSize` events waiting between them. Event ids come from the
    /// trace's name, its position among the log's traces and the event's
    /// position in it (`xes:NAME#TRACE:EVENT`) — nothing to remember per
    /// trace, and two traces of one name stay apart — so running the same
    /// import of the same file again (after an interruption) stores only
    /// what is missing. Stdin is
    /// copied to a temporary file for the second reading.
    /// - Parameter progress: called after each chunk with the phase, the events done in it and the bytes of input read.
    public static func importLog(path: String?, into ledger: Ledger, options: Options = .init(),
                                 progress: (_ phase: Phase, _ events: Int, _ bytes: Int) -> Void = { _, _, _ in }) throws -> Summary {
        let log = try LogFile(path: path)
        defer { log.close() }
        let reference = try ledger.read { try $0.reference() }
        var summary = try check(log, against: ledger, reference: reference, options: options, progress: progress)
        // Second reading: the producer parses, converts and prepares, this thread appends.
        let batches = BatchPrefetch<(events: [PreparedEvent], read: Int, bytes: Int)>(depth: 2, producingAll: { put, _ in
            var converter = Converter(reference: reference, options: options)
            var batch: [PreparedEvent] = []
            var read = 0
            try log.forEachTrace(spooling: false) { trace, bytesRead in
                let (events, activities) = try converter.events(of: trace)
                read += activities
                batch.append(contentsOf: events.map(PreparedEvent.init))
                if batch.count >= options.batchSize {
                    try put((batch, read, bytesRead))
                    batch = []
                }
            }
            if !batch.isEmpty { try put((batch, read, 0)) }
        })
        defer { batches.stop() }
        var bytes = 0
        while let batch = try batches.next() {
            let report: AppendReport
            do { report = try ledger.append(batch.events) } catch { throw Interrupted(summary: summary, cause: error) }
            summary.stored += report.storedCount
            summary.alreadyStored += report.alreadyStored.count
            if let r = report.stored { summary.first = summary.first ?? r.lowerBound; summary.last = r.upperBound }
            try ledger.releaseMappedPagesOverBudget()
            bytes = max(bytes, batch.bytes)
            progress(.appending, batch.read, bytes)
            batches.dispose(batch)
        }
        return summary
    }

    /// The first reading: checks everything and writes nothing — the XML,
    /// each trace's name and events, personal data, and that no trace is a
    /// dossier of this ledger that did not come from another system.
    private static func check(_ log: LogFile, against ledger: Ledger, reference: ReferenceData, options: Options,
                              progress: (Phase, Int, Int) -> Void) throws -> Summary {
        let chunks = BatchPrefetch<(traces: [XESTrace], bytes: Int)>(depth: 2, producingAll: { put, _ in
            var chunk: [XESTrace] = []
            var events = 0
            try log.forEachTrace(spooling: true) { trace, bytesRead in
                chunk.append(trace)
                events += trace.events.count
                if events >= options.batchSize {
                    try put((chunk, bytesRead))
                    chunk = []
                    events = 0
                }
            }
            if !chunk.isEmpty { try put((chunk, 0)) }
        })
        defer { chunks.stop() }
        var check = Converter(reference: reference, options: options)
        var summary = Summary()
        var bytes = 0
        try ledger.read { snapshot in
            while let chunk = try chunks.next() {
                for trace in chunk.traces {
                    summary.traces += 1
                    let (events, activities) = try check.events(of: trace)
                    summary.events += activities
                    if let name = trace.name, let existing = try snapshot.dossier(name), existing.stage != .external {
                        throw Failure("line \(trace.line): trace \(name) is a dossier of this ledger (\(existing.stage.name)), not a history imported from another system")
                    }
                    func refusal(_ e: InputEvent, _ rule: String) -> Failure { Failure("line \(e.line): trace \(trace.name ?? ""): \(rule)") }
                    for e in events {
                        do throws(EventFormatError) { try e.event.checkStorable() } catch { throw refusal(e, error.rule) }
                        do throws(RuleViolation) { try DossierEventRules.checkTimes(e.event, calendar: reference.calendar) } catch {
                            throw refusal(e, error.rule)
                        }
                    }
                    guard !ledger.allowsPersonalData else { continue }
                    for e in events where e.event.type == .activityRecorded {
                        do throws(RuleViolation) { try DossierEventRules.checkNoPersonalData(e.event.data) } catch { throw refusal(e, error.rule) }
                    }
                }
                bytes = max(bytes, chunk.bytes)
                progress(.checking, summary.events, bytes)
                chunks.dispose(chunk)
            }
        }
        guard summary.traces > 0 else { throw Failure("\(log.name): the log has no traces") }
        return summary
    }

    /// Parses a whole log held in memory (plain or gzip) into its traces.
    public static func traces(from raw: [UInt8]) throws -> [XESTrace] {
        var reader = XESTraceReader(detecting: MemorySource(raw))
        var out: [XESTrace] = []
        while let trace = try reader.next() { out.append(trace) }
        guard !out.isEmpty else { throw Failure("the log has no traces") }
        return out
    }

    /// Turns traces into contract events: an agency registration when the
    /// agency is missing, an officer registration before the first event of
    /// each new resource, and each trace's activities in time order.
    struct Converter {
        let options: Options
        private var agencyRegistered: Bool
        private var officers: Set<String>
        private static let epoch = Timestamp(seconds: 0, offsetMinutes: 7 * 60)

        init(reference: ReferenceData, options: Options) {
            self.options = options
            agencyRegistered = reference.agencies[options.agency] != nil
            officers = Set(reference.officers.keys)
        }

        /// The events of `trace`, each with the line of the log it comes from,
        /// and how many of them are its activities.
        mutating func events(of trace: XESTrace) throws -> (events: [InputEvent], activities: Int) {
            let at = "trace at line \(trace.line)"
            guard let name = trace.name, !name.isEmpty else { throw Failure("\(at) has no concept:name") }
            guard name.utf8.count <= Event.maxDossierCodeBytes else {
                throw Failure("\(at) (\(name)): concept:name is longer than \(Event.maxDossierCodeBytes) bytes, too long for a dossier code")
            }
            var out: [InputEvent] = []
            out.reserveCapacity(trace.events.count + 1)
            if !agencyRegistered {
                out.append(InputEvent(line: trace.line, event: Event(
                    type: .agencyRegistered, at: Self.epoch,
                    data: ["code": .string(options.agency), "name": .string("Imported from XES"), "level": .string("province")],
                    id: "xes-agency:\(options.agency)", recordedAt: Self.epoch)))
                agencyRegistered = true
            }
            var dated: [(at: Timestamp, index: Int)] = []
            dated.reserveCapacity(trace.events.count)
            var ordered = true
            for (i, event) in trace.events.enumerated() {
                guard let text = event.attributes.first(where: { $0.key == "time:timestamp" })?.value else {
                    throw Failure("line \(event.line): event \(i + 1) of trace \(name) has no time:timestamp")
                }
                let stamp = try timestamp(text, line: event.line)
                if let previous = dated.last, previous.at > stamp { ordered = false }
                dated.append((stamp, i))
            }
            if !ordered { dated.sort { ($0.at, $0.index) < ($1.at, $1.index) } }
            for (position, (stamp, i)) in dated.enumerated() {
                let event = trace.events[i]
                var activity: String?, resource: String?
                var rest = JSONObject()
                for a in event.attributes {
                    switch a.key {
                    case "concept:name": if activity == nil { activity = a.value }
                    case "org:resource": if resource == nil { resource = a.value }
                    case "time:timestamp": continue
                    default: if !a.key.hasPrefix("ledger:") { rest[a.key] = a.json }
                    }
                }
                var data = JSONObject()
                data.members.reserveCapacity(4)
                data["activity"] = .string(activity ?? "(unnamed)")
                if let resource, !resource.isEmpty {
                    guard resource.utf8.count <= Event.maxCodeBytes else {
                        throw Failure("line \(event.line): org:resource is longer than \(Event.maxCodeBytes) bytes, too long for an officer id")
                    }
                    data["resource"] = .string(resource)
                    if officers.insert(resource).inserted {
                        out.append(InputEvent(line: event.line, event: Event(
                            type: .officerRegistered, at: Self.epoch,
                            data: ["id": .string(resource), "name": .string(resource), "agency": .string(options.agency)],
                            id: "xes-officer:\(resource)", recordedAt: Self.epoch)))
                    }
                }
                if !rest.isEmpty { data["attributes"] = .object(rest) }
                if position == 0 {
                    let traceAttributes = XESAttribute.object(trace.attributes.filter { $0.key != "concept:name" })
                    if !traceAttributes.isEmpty { data["traceAttributes"] = .object(traceAttributes) }
                }
                // The source system recorded its history as it happened.
                out.append(InputEvent(line: event.line, event: Event(
                    type: .activityRecorded, dossier: name, at: stamp, data: data, id: "xes:\(name)#\(trace.ordinal):\(i + 1)", recordedAt: stamp)))
            }
            return (out, dated.count)
        }

        /// An `xs:dateTime`; one without an offset takes `--timezone`'s.
        private func timestamp(_ text: String, line: Int) throws -> Timestamp {
            if let stamp = try? Timestamp(rfc3339: text) { return stamp }
            var full = text
            if !Self.hasOffset(text) {
                guard let minutes = options.timezoneMinutes else {
                    throw Failure("line \(line): time:timestamp \"\(text)\" has no UTC offset; give the offset the log's times are in with --timezone, e.g. --timezone +01:00")
                }
                full += Self.offsetText(minutes)
            }
            do { return try Timestamp(rfc3339: full) } catch {
                throw Failure("line \(line): time:timestamp \"\(text)\": \(error.description)")
            }
        }

        static func hasOffset(_ text: String) -> Bool {
            let u = Array(text.utf8)
            guard let t = u.firstIndex(of: UInt8(ascii: "T")) else { return false }
            if u.last == UInt8(ascii: "Z") || u.last == UInt8(ascii: "z") { return true }
            return u[t...].contains(UInt8(ascii: "+")) || u[t...].contains(UInt8(ascii: "-"))
        }

        static func offsetText(_ minutes: Int16) -> String {
            let m = Int(minutes.magnitude)
            return (minutes < 0 ? "-" : "+") + String(format: "%02d:%02d", m / 60, m % 60)
        }
    }

    /// Parses `--timezone` (`+01:00`, `-05:30`, `Z`) into minutes east of UTC.
    public static func timezoneMinutes(_ text: String) -> Int16? {
        if text == "Z" || text == "z" { return 0 }
        let u = Array(text.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-"), u[3] == UInt8(ascii: ":"),
              let h = Int(String(text.dropFirst().prefix(2))), let m = Int(String(text.suffix(2))), h < 24, m < 60 else { return nil }
        let minutes = Int16(h * 60 + m)
        return u[0] == UInt8(ascii: "-") ? -minutes : minutes
    }
}

/// One attribute of an XES log: its type (the element's name: `string`,
/// `date`, `int`, `float`, `boolean`, `id`, `list`, `container`), key,
/// value, and nested attributes (a list's values in order).
public struct XESAttribute: Sendable, Equatable {
    public var type: String
    public var key: String
    public var value: String?
    public var children: [XESAttribute] = []

    /// How deep attributes may nest inside one another: each level takes up
    /// to three levels of an event's `data`, which `Event.maxDataDepth` bounds.
    static let maxNesting = 16

    /// Whether `name` is an XES attribute type (an element that holds an attribute).
    static func isType(_ name: String) -> Bool {
        switch name {
        case "string", "date", "int", "float", "boolean", "id", "list", "container": true
        default: false
        }
    }

    /// Attributes as a JSON object, keyed by key (a later one of the same key wins), each as `json`.
    static func object(_ attributes: [XESAttribute]) -> JSONObject {
        var o = JSONObject()
        for a in attributes where !a.key.hasPrefix("ledger:") { o[a.key] = a.json }
        return o
    }

    /// The attribute as stored in an event's `data`: a string, int, float or
    /// boolean with no nested attributes is the plain JSON value; anything
    /// else (a date, an id, a list, a container, nested attributes, a value
    /// that does not read as its type) is an object `{"xes": type, "value":
    /// text, "attributes": {…}}` — for a list `"values": [{"key", "value"}…]`
    /// — so that an export writes back the same attribute.
    var json: JSONValue {
        if children.isEmpty, let value {
            switch type {
            case "string": return .string(value)
            case "int": if let i = Int64(value) { return .int(i) }
            case "float": if let d = Double(value), d.isFinite, !value.contains(where: { $0.isLetter }) { return .double(d) }
            case "boolean": if value == "true" || value == "false" { return .bool(value == "true") }
            default: break
            }
        }
        var o = JSONObject()
        o["xes"] = .string(type)
        if let value { o["value"] = .string(value) }
        if type == "list" {
            o["values"] = .array(children.map { .object(["key": .string($0.key), "value": $0.json]) })
        } else if !children.isEmpty {
            o["attributes"] = .object(XESAttribute.object(children))
        }
        return .object(o)
    }
}

/// One event of a trace: its attributes, and the line it starts on.
public struct XESEvent: Sendable {
    public var attributes: [XESAttribute] = []
    public var line: Int
}

/// One trace as read: its name (`concept:name`), its other attributes, its
/// events, the line it starts on and its position among the log's traces.
public struct XESTrace: Sendable {
    public var name: String? { attributes.first { $0.key == "concept:name" }?.value }
    public var attributes: [XESAttribute] = []
    public var events: [XESEvent] = []
    public var line: Int
    /// 1 for the log's first trace.
    public var ordinal: Int
}

/// Reads the traces of an XES log one at a time, from a plain or gzip source.
struct XESTraceReader: ~Copyable {
    private var xml: XMLReader
    private var sawLog = false
    /// Traces begun so far.
    private var traces = 0

    init(detecting source: some ByteSource) {
        xml = XMLReader(AnySource.detectingGzip(source))
    }

    var bytesRead: Int { xml.bytesRead }

    /// The next trace, or nil after the last.
    /// - Throws: `XESImport.Failure` naming the line and column of damage.
    mutating func next() throws -> XESTrace? {
        do { return try readTrace() } catch let f as XMLReader.Failure {
            throw XESImport.Failure("not a readable XES log (\(f))")
        } catch let g as Gzip.Error {
            let (line, column) = xml.position
            throw XESImport.Failure("not a readable XES log (line \(line), column \(column) of the decompressed text): \(g)")
        }
    }

    /// The name without its namespace prefix.
    private static func localName(_ name: String) -> String {
        if XESAttribute.isType(name) { return name }
        guard let colon = name.utf8.lastIndex(of: UInt8(ascii: ":")) else { return name }
        return String(name[name.utf8.index(after: colon)...])
    }

    private mutating func readTrace() throws -> XESTrace? {
        var trace: XESTrace?
        var event: XESEvent?
        var stack: [XESAttribute] = []   // attributes being read, innermost last
        var skipping = 0                 // depth inside an element whose content is not data (extension, global, classifier…)
        func attach(_ a: XESAttribute) {
            if let parent = stack.indices.last { stack[parent].children.append(a) } else if event != nil { event!.attributes.append(a) } else if trace != nil { trace!.attributes.append(a) }
        }
        while true {
            switch try xml.next() {
            case .endOfDocument:
                guard sawLog else { throw XESImport.Failure("not a readable XES log: no <log> element") }
                return nil
            case let .start(rawName, selfClosing):
                if skipping > 0 { if !selfClosing { skipping += 1 }; continue }
                let name = Self.localName(rawName)
                if !sawLog {
                    guard name == "log" else { throw XESImport.Failure("not a readable XES log: the root element is <\(rawName)>, not <log>") }
                    sawLog = true
                    continue
                }
                if XESAttribute.isType(name) {
                    var key = "", value: String?
                    for (n, v) in xml.attributes {
                        if n == "key" { key = v } else if n == "value" { value = v }
                    }
                    let a = XESAttribute(type: name, key: key, value: value)
                    if selfClosing { attach(a) } else {
                        guard stack.count < XESAttribute.maxNesting else {
                            let (line, column) = xml.position
                            throw XESImport.Failure("line \(line), column \(column): attributes nested deeper than \(XESAttribute.maxNesting) levels")
                        }
                        stack.append(a)
                    }
                    continue
                }
                switch name {
                case "values" where !stack.isEmpty:
                    continue   // a list's values: attached to the list itself
                case "trace" where trace == nil && stack.isEmpty:
                    traces += 1
                    trace = XESTrace(line: xml.line, ordinal: traces)
                    trace!.events.reserveCapacity(16)
                    if selfClosing { return trace }
                case "event" where trace != nil && event == nil && stack.isEmpty:
                    event = XESEvent(line: xml.line)
                    event!.attributes.reserveCapacity(8)
                    if selfClosing { trace!.events.append(event!); event = nil }
                default:
                    if !selfClosing { skipping = 1 }
                }
            case .end(let rawName):
                if skipping > 0 { skipping -= 1; continue }
                let name = Self.localName(rawName)
                if XESAttribute.isType(name), let a = stack.popLast() {
                    attach(a)
                    continue
                }
                switch name {
                case "event" where event != nil:
                    trace!.events.append(event!)
                    event = nil
                case "trace" where trace != nil:
                    return trace
                default:
                    continue
                }
            }
        }
    }
}

/// A byte source of any kind, chosen at run time (a file or memory, plain or gzip).
struct AnySource: ByteSource {
    private var base: any ByteSource

    init(_ base: any ByteSource) { self.base = base }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try base.read(into: buffer) }

    /// `source` itself, or decompressed when it starts with gzip's magic number.
    static func detectingGzip(_ source: some ByteSource) -> AnySource {
        var source = source
        var prefix = [UInt8](repeating: 0, count: 2)
        var have = 0
        while have < 2, let n = try? prefix.withUnsafeMutableBytes({ try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[have...])) }), n > 0 {
            have += n
        }
        let replayed = Replay(prefix: Array(prefix[..<have]), rest: source)
        return Gzip.isGzip(Array(prefix[..<have])) ? AnySource(GzipReader(replayed)) : AnySource(replayed)
    }

    /// Bytes already read, then the rest of the source.
    private struct Replay<Rest: ByteSource>: ByteSource {
        var prefix: [UInt8]
        var rest: Rest
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            if !prefix.isEmpty {
                let n = min(prefix.count, buffer.count)
                prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
                prefix.removeFirst(n)
                return n
            }
            return try rest.read(into: buffer)
        }
    }
}

/// The log being imported: a file read twice, or stdin copied to a
/// temporary file during the first reading.
struct LogFile: Sendable {
    let name: String
    private let path: String?
    /// Where stdin is copied (nil for a file).
    private let spool: String?

    init(path: String?) throws {
        if let path, path != "-" {
            switch FileSystem.kind(at: path) {
            case nil: throw XESImport.Failure("\(path): no such file")
            case true?: throw XESImport.Failure("\(path) is a directory, not an XES log")
            case false?: break
            }
            self.path = path
            name = path
            spool = nil
        } else {
            self.path = nil
            name = "stdin"
            spool = NSTemporaryDirectory() + "dossier-ledger-xes-" + UUID().uuidString
        }
    }

    /// Reads every trace of the log, giving each with the bytes of input read so far.
    /// The first reading of stdin (`spooling`) keeps a copy to read again.
    func forEachTrace(spooling: Bool, _ body: (XESTrace, _ bytesRead: Int) throws -> Void) throws {
        let fd: Int32
        var copy: Int32 = -1
        if let path {
            fd = try FileSystem.openForReading(path)
        } else if let spool, !spooling {
            fd = try FileSystem.openForReading(spool)
        } else {
            fd = 0
            copy = try FileSystem.createForWriting(spool!)
        }
        defer {
            if fd != 0 { FileSystem.close(fd) }
            if copy >= 0 { FileSystem.close(copy) }
        }
        var reader = XESTraceReader(detecting: Tee(source: FileSource(fd: fd, name: name), copy: copy))
        do {
            while let trace = try reader.next() { try body(trace, reader.bytesRead) }
        } catch let f as XESImport.Failure {
            throw XESImport.Failure("\(name): \(f.message)")
        }
    }

    func close() {
        if let spool { FileSystem.remove(spool) }
    }

    /// A source that also writes what it reads to `copy` (when ≥ 0).
    private struct Tee: ByteSource {
        var source: FileSource
        let copy: Int32
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = try source.read(into: buffer)
            if copy >= 0, n > 0 { try FileSystem.writeAll(copy, buffer.baseAddress!, n, subject: "a copy of stdin") }
            return n
        }
    }
}
