import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Projections

/// Writes the ledger as an OCEL 2.0 JSON log (the object-centric event log
/// of ocel-standard.org, read by PM4Py and other process-mining tools).
///
/// **Objects.** Ids carry their type (`dossier:CODE`, `officer:ID`,
/// `agency:CODE`, `procedure:CODE`), so no two objects share an id.
/// - every agency, officer and procedure of the reference data: an agency
///   with `name` and `level`, related to its parent agency (`parent`); an
///   officer with `name`, related to the agency it works for (`works_for`);
///   a procedure with `name`. Each value is timed at the reference event
///   that gave it; a later registration or definition adds a value only
///   when it changed.
/// - every dossier: `procedure`, `agency` and `channel` timed at its
///   reception (its submission when it was not received), and `stage` as
///   the dossier stands, timed at its last event; related to its procedure
///   (`procedure`) and agency (`agency`).
///
/// **Events.** Every event of the log, reference events included, in seq
/// order: id `seq:N`, type the contract's type name (`dossier.received`),
/// time the event's `at` as it was written. Attributes: `seq`, `version`
/// (dossier events), `recordedAt`, `actor`, and each scalar member of
/// `data` as `data.KEY` (lists and objects are left out). Relationships,
/// by qualifier:
/// - `dossier`: the dossier of a dossier event;
/// - `actor`: the event's actor;
/// - `assignee`: the officer a `dossier.assigned` gives the dossier to (`data.to`);
/// - `resource`: the resource of an `activity.recorded`;
/// - `agency`, `officer`, `procedure`: `data.agency`, `data.officer`,
///   `data.procedure`, and the object a reference event registers or
///   defines (`data.code` of `agency.registered` and `procedure.defined`,
///   `data.id` of `officer.registered`);
/// - `parent`: `data.parent` of an `agency.registered`.
/// An event is related only to objects of the log, so every `objectId`
/// names an object; `calendar.declared` and `scorecard.defined` have none.
///
/// **Types.** Attribute values are JSON strings, as the published JSON
/// schema requires; `objectTypes` and `eventTypes` declare their types
/// (`string`, `integer`, `float`, `boolean`, `time`). `eventTypes` names
/// the types that occur, each with the attributes its events carry, and
/// comes last in the document, after the events it describes, so that the
/// log is written in one pass.
///
/// The document is written piece by piece in one read transaction (one
/// snapshot of the ledger). Memory holds the reference data (with the
/// values its events gave) and the event types seen, never the events or
/// the dossiers: dossiers come from a walk of their states, events from a
/// cursor walk of the log.
public enum OCELExport {
    /// Writes the whole log to `emit`, in pieces of about 64 KiB, each made
    /// of whole objects or events (so each piece is valid UTF-8).
    public static func write(_ ledger: Ledger, to emit: (String) throws -> Void) throws {
        try ledger.store.read { txn in
            let reference = try ledger.reference(in: txn)
            var w = JSONWriter(capacity: flushBytes + 4096)
            func flush(always: Bool = false) throws {
                guard always || w.bytes.count >= flushBytes else { return }
                try emit(String(decoding: w.bytes, as: UTF8.self))
                w.bytes.removeAll(keepingCapacity: true)
            }
            var first = true
            func item() {
                w.raw(first ? "\n" : ",\n")
                first = false
            }

            w.raw("{\"objectTypes\":")
            w.raw(objectTypes)
            w.raw(",\n\"objects\":[")
            let history = try referenceHistory(ledger, in: txn)
            for code in reference.agencies.keys.sorted() {
                let id = "agency:" + code
                var relationships: [Relationship] = []
                if let parent = reference.agencies[code]?.parent, reference.agencies[parent] != nil {
                    relationships.append(Relationship(objectID: "agency:" + parent, qualifier: "parent"))
                }
                item()
                object(id: id, type: "agency", attributes: history[id] ?? [], relationships: relationships, into: &w)
            }
            for officerID in reference.officers.keys.sorted() {
                let id = "officer:" + officerID
                var relationships: [Relationship] = []
                if let agency = reference.officers[officerID]?.agency, reference.agencies[agency] != nil {
                    relationships.append(Relationship(objectID: "agency:" + agency, qualifier: "works_for"))
                }
                item()
                object(id: id, type: "officer", attributes: history[id] ?? [], relationships: relationships, into: &w)
            }
            for code in reference.procedures.keys.sorted() {
                let id = "procedure:" + code
                item()
                object(id: id, type: "procedure", attributes: history[id] ?? [], relationships: [], into: &w)
            }
            try flush()
            try ledger.forEachDossier(in: txn) { state in
                var attributes: [TimedValue] = []
                if let seq = state.receivedSeq ?? state.submittedSeq, let start = try ledger.store.event(seq: seq, in: txn) {
                    let at = start.event.at
                    if let p = state.procedure { attributes.append(TimedValue(name: "procedure", value: p, time: at)) }
                    if let a = state.agency { attributes.append(TimedValue(name: "agency", value: a, time: at)) }
                    if let c = state.channel { attributes.append(TimedValue(name: "channel", value: c, time: at)) }
                }
                if state.lastSeq > 0, let last = try ledger.store.event(seq: state.lastSeq, in: txn) {
                    attributes.append(TimedValue(name: "stage", value: state.stage.name, time: last.event.at))
                }
                var relationships: [Relationship] = []
                if let p = state.procedure, reference.procedures[p] != nil {
                    relationships.append(Relationship(objectID: "procedure:" + p, qualifier: "procedure"))
                }
                if let a = state.agency, reference.agencies[a] != nil {
                    relationships.append(Relationship(objectID: "agency:" + a, qualifier: "agency"))
                }
                item()
                object(id: "dossier:" + state.code, type: "dossier", attributes: attributes, relationships: relationships, into: &w)
                try flush()
            }

            w.raw("\n],\n\"events\":[")
            first = true
            var seen = EventTypes()
            // Resident memory is what one stretch of the log maps, not the log.
            var mappedPages = Environment.MappedPageBudget(ledger.store.environment, in: txn, budget: 0, checkingEvery: 1 << 13)
            try ledger.store.forEachRecord(in: txn) { seq, raw in
                let r = try ledger.store.decode(raw, seq: seq, in: txn)
                item()
                event(r, reference: reference, types: &seen, into: &w)
                try flush()
                try mappedPages.step()
                return true
            }

            w.raw("\n],\n\"eventTypes\":[")
            first = true
            for type in EventType.allCases {
                guard let attributes = seen.attributes[type] else { continue }
                item()
                w.raw("{\"name\":")
                w.string(type.name)
                w.raw(",\"attributes\":[")
                for (i, a) in attributes.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.raw("{\"name\":")
                    w.string(a.name)
                    w.raw(",\"type\":")
                    w.string(a.kind.rawValue)
                    w.raw("}")
                }
                w.raw("]}")
            }
            w.raw("\n]}\n")
            try flush(always: true)
        }
    }

    /// Bytes gathered before they are handed to `emit`.
    static let flushBytes = 1 << 16

    static let objectTypes: StaticString = """
    [{"name":"dossier","attributes":[{"name":"procedure","type":"string"},{"name":"agency","type":"string"},\
    {"name":"channel","type":"string"},{"name":"stage","type":"string"}]},
    {"name":"officer","attributes":[{"name":"name","type":"string"}]},
    {"name":"agency","attributes":[{"name":"name","type":"string"},{"name":"level","type":"string"}]},
    {"name":"procedure","attributes":[{"name":"name","type":"string"}]}]
    """

    /// An object attribute's value from `time` on.
    struct TimedValue {
        var name: String
        var value: String
        var time: Timestamp
    }

    struct Relationship: Equatable {
        var objectID: String
        var qualifier: String
    }

    /// OCEL's attribute types.
    enum Kind: String {
        case string, integer, float, boolean, time

        /// The type that holds values of both kinds.
        func merged(with other: Kind) -> Kind {
            if self == other { return self }
            if (self == .integer && other == .float) || (self == .float && other == .integer) { return .float }
            return .string
        }
    }

    /// The event types met so far, each with its attributes in the order first met.
    struct EventTypes {
        var attributes: [EventType: [(name: String, kind: Kind)]] = [:]

        mutating func note(_ type: EventType, _ name: String, _ kind: Kind) {
            var list = attributes[type] ?? []
            if let i = list.firstIndex(where: { $0.name == name }) {
                let merged = list[i].kind.merged(with: kind)
                guard merged != list[i].kind else { return }
                list[i].kind = merged
            } else {
                list.append((name, kind))
            }
            attributes[type] = list
        }
    }

    /// The values reference events gave each agency, officer and procedure,
    /// by object id, in seq order; a value is kept only when it changed.
    static func referenceHistory(_ ledger: Ledger, in txn: Transaction) throws -> [String: [TimedValue]] {
        var history: [String: [TimedValue]] = [:]
        func give(_ id: String, _ name: String, _ value: String?, at time: Timestamp) {
            guard let value else { return }
            if history[id]?.last(where: { $0.name == name })?.value == value { return }
            history[id, default: []].append(TimedValue(name: name, value: value, time: time))
        }
        for seq in try ledger.store.referenceSeqs(in: txn) {
            guard let r = try ledger.store.event(seq: seq, in: txn) else {
                throw LedgerError(.corrupt, "\(ledger.path): reference index names seq \(seq), which is not in the log")
            }
            let d = r.event.data
            let at = r.event.at
            switch r.event.type {
            case .agencyRegistered:
                guard let code = d["code"]?.stringValue else { continue }
                give("agency:" + code, "name", d["name"]?.stringValue, at: at)
                give("agency:" + code, "level", d["level"]?.stringValue, at: at)
            case .officerRegistered:
                guard let id = d["id"]?.stringValue else { continue }
                give("officer:" + id, "name", d["name"]?.stringValue, at: at)
            case .procedureDefined:
                guard let code = d["code"]?.stringValue else { continue }
                give("procedure:" + code, "name", d["name"]?.stringValue, at: at)
            default:
                continue
            }
        }
        return history
    }

    static func object(id: String, type: StaticString, attributes: [TimedValue], relationships: [Relationship],
                       into w: inout JSONWriter) {
        w.raw("{\"id\":")
        w.string(id)
        w.raw(",\"type\":\"")
        w.raw(type)
        w.raw("\",\"attributes\":[")
        for (i, a) in attributes.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(a.name)
            w.raw(",\"time\":")
            w.timestamp(a.time)
            w.raw(",\"value\":")
            w.string(a.value)
            w.raw("}")
        }
        w.raw("]")
        relationshipList(relationships, into: &w)
        w.raw("}")
    }

    static func relationshipList(_ relationships: [Relationship], into w: inout JSONWriter) {
        w.raw(",\"relationships\":[")
        for (i, r) in relationships.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"objectId\":")
            w.string(r.objectID)
            w.raw(",\"qualifier\":")
            w.string(r.qualifier)
            w.raw("}")
        }
        w.raw("]")
    }

    static func event(_ r: RecordedEvent, reference: ReferenceData, types: inout EventTypes, into w: inout JSONWriter) {
        let e = r.event
        w.raw("{\"id\":\"seq:")
        w.int(Int64(r.seq))
        w.raw("\",\"type\":")
        w.string(e.type.name)
        w.raw(",\"time\":")
        w.timestamp(e.at)

        w.raw(",\"attributes\":[")
        var count = 0
        func attribute(_ name: String, _ kind: Kind, _ write: (inout JSONWriter) -> Void) {
            w.raw(count == 0 ? "{\"name\":" : ",{\"name\":")
            w.string(name)
            w.raw(",\"value\":")
            write(&w)
            w.raw("}")
            count += 1
            types.note(e.type, name, kind)
        }
        attribute("seq", .integer) { $0.raw("\""); $0.int(Int64(r.seq)); $0.raw("\"") }
        if let version = r.version {
            attribute("version", .integer) { $0.raw("\""); $0.int(Int64(version)); $0.raw("\"") }
        }
        attribute("recordedAt", .time) { $0.timestamp(r.recordedAt) }
        if let actor = e.actor { attribute("actor", .string) { $0.string(actor) } }
        for m in e.data.members {
            switch m.value {
            case .string(let s):
                let kind: Kind = (try? Timestamp(rfc3339: s)) != nil ? .time : .string
                attribute("data." + m.key, kind) { $0.string(s) }
            case .int(let i):
                attribute("data." + m.key, .integer) { $0.raw("\""); $0.int(i); $0.raw("\"") }
            case .double(let d):
                attribute("data." + m.key, .float) { $0.raw("\""); $0.double(d); $0.raw("\"") }
            case .bool(let b):
                attribute("data." + m.key, .boolean) { $0.raw(b ? "\"true\"" : "\"false\"") }
            case .null, .array, .object:
                continue
            }
        }
        w.raw("]")
        relationshipList(relationships(of: e, reference: reference), into: &w)
        w.raw("}")
    }

    /// The objects an event touches, each an object of the log.
    static func relationships(of e: Event, reference: ReferenceData) -> [Relationship] {
        var out: [Relationship] = []
        func relate(_ prefix: String, _ key: String?, _ qualifier: String) {
            guard let key else { return }
            let known = switch prefix {
            case "agency": reference.agencies[key] != nil
            case "officer": reference.officers[key] != nil
            case "procedure": reference.procedures[key] != nil
            default: true
            }
            let r = Relationship(objectID: prefix + ":" + key, qualifier: qualifier)
            if known && !out.contains(r) { out.append(r) }
        }
        let d = e.data
        relate("dossier", e.dossier, "dossier")
        relate("officer", e.actor, "actor")
        switch e.type {
        case .dossierAssigned: relate("officer", d["to"]?.stringValue, "assignee")
        case .activityRecorded: relate("officer", d["resource"]?.stringValue, "resource")
        case .agencyRegistered:
            relate("agency", d["code"]?.stringValue, "agency")
            relate("agency", d["parent"]?.stringValue, "parent")
        case .officerRegistered: relate("officer", d["id"]?.stringValue, "officer")
        case .procedureDefined: relate("procedure", d["code"]?.stringValue, "procedure")
        default: break
        }
        relate("agency", d["agency"]?.stringValue, "agency")
        relate("officer", d["officer"]?.stringValue, "officer")
        relate("procedure", d["procedure"]?.stringValue, "procedure")
        return out
    }
}
