import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import DossierRules
import LedgerStore
import LedgerContract

/// Reads XES logs exported by other case-handling systems (plain or gzip)
/// into contract events: each trace becomes a dossier, each event an
/// `activity.recorded` with `activity` (concept:name), `resource`
/// (org:resource) and the other attributes kept under `attributes`.
/// Resources that are not registered officers are registered, under
/// `agency`, so the audit commands work on these histories too.
public enum XESImport {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// One trace as read.
    public struct Trace {
        public var name: String?
        public var events: [[String: JSONValue]] = []
    }

    /// Parses XES text (gzip detected by its magic number).
    public static func traces(from raw: [UInt8]) throws -> [Trace] {
        let bytes = Gzip.isGzip(raw) ? try Gzip.decompress(raw, maxOutput: 1 << 31) : raw
        let delegate = Reader()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse(), delegate.failure == nil else {
            let where_ = "line \(parser.lineNumber), column \(parser.columnNumber)"
            throw Failure(message: "not a readable XES log (\(where_)): \(delegate.failure ?? parser.parserError?.localizedDescription ?? "XML error")")
        }
        guard !delegate.traces.isEmpty else { throw Failure(message: "the log has no traces") }
        return delegate.traces
    }

    /// The contract events for `traces`: agency and officer registrations
    /// first (only for what `reference` lacks), then each trace's activities
    /// in time order. Ids are derived from the trace and position, so
    /// importing the same log again stores nothing new.
    public static func events(_ traces: [Trace], reference: ReferenceData, agency: String, now: Timestamp) throws -> [Event] {
        var out: [Event] = []
        let start = Timestamp(seconds: 0, offsetMinutes: 420)
        if reference.agencies[agency] == nil {
            out.append(Event(type: .agencyRegistered, at: start,
                             data: ["code": .string(agency), "name": .string("Imported from XES"), "level": .string("province")],
                             id: "xes-agency:\(agency)", recordedAt: now))
        }
        var registered = Set(reference.officers.keys)
        var activities: [Event] = []
        for (t, trace) in traces.enumerated() {
            guard let name = trace.name, !name.isEmpty else { throw Failure(message: "trace \(t + 1) has no concept:name") }
            guard name.utf8.count <= Event.maxDossierCodeBytes else {
                throw Failure(message: "trace \(name): concept:name is longer than \(Event.maxDossierCodeBytes) bytes, too long for a dossier code")
            }
            var dated: [(Timestamp, Int, [String: JSONValue])] = []
            for (i, attributes) in trace.events.enumerated() {
                guard let text = attributes["time:timestamp"]?.stringValue else {
                    throw Failure(message: "trace \(name), event \(i + 1): no time:timestamp")
                }
                let at: Timestamp
                do { at = try Timestamp(rfc3339: text) } catch {
                    throw Failure(message: "trace \(name), event \(i + 1): time:timestamp \"\(text)\": \(error.description)")
                }
                dated.append((at, i, attributes))
            }
            dated.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            for (at, i, attributes) in dated {
                var data = JSONObject()
                data["activity"] = .string(attributes["concept:name"]?.stringValue ?? "(unnamed)")
                if let resource = attributes["org:resource"]?.stringValue, !resource.isEmpty {
                    data["resource"] = .string(resource)
                    if !registered.contains(resource) {
                        registered.insert(resource)
                        out.append(Event(type: .officerRegistered, at: start,
                                         data: ["id": .string(resource), "name": .string(resource), "agency": .string(agency)],
                                         id: "xes-officer:\(resource)", recordedAt: now))
                    }
                }
                var rest = JSONObject()
                for key in attributes.keys.sorted() where !["concept:name", "org:resource", "time:timestamp"].contains(key) {
                    rest[key] = attributes[key]
                }
                if !rest.isEmpty { data["attributes"] = .object(rest) }
                // The source system recorded its history as it happened.
                activities.append(Event(type: .activityRecorded, dossier: name, at: at, data: data,
                                        id: "xes:\(name):\(i + 1)", recordedAt: at))
            }
        }
        return out + activities
    }

    /// SAX reader keeping each trace's name and each event's top-level attributes.
    final class Reader: NSObject, XMLParserDelegate {
        var traces: [Trace] = []
        var failure: String?
        private var trace: Trace?
        private var event: [String: JSONValue]?
        private var depth = 0          // nesting below the current trace or event
        private var sawLog = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch name {
            case "log": sawLog = true
            case "trace": trace = Trace(); depth = 0
            case "event" where trace != nil: event = [:]; depth = 0
            default:
                depth += 1
                guard depth == 1, let key = attributes["key"], let value = attributes["value"] else { return }
                let typed: JSONValue = switch name {
                case "int": Int64(value).map(JSONValue.int) ?? .string(value)
                case "float": Double(value).map(JSONValue.double) ?? .string(value)
                case "boolean": .bool(value == "true")
                default: .string(value)
                }
                if event != nil { event![key] = typed } else if trace != nil, key == "concept:name" { trace!.name = value }
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch name {
            case "trace":
                if let trace { traces.append(trace) }
                trace = nil
            case "event":
                if let event, trace != nil { trace!.events.append(event) }
                event = nil
                depth = 0
            case "log": break
            default: depth -= 1
            }
        }

        func parserDidEndDocument(_ parser: XMLParser) {
            if !sawLog { failure = "no <log> element" }
            if trace != nil || event != nil { failure = "the log ends inside a trace" }
        }
    }
}
