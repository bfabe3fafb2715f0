import DossierRules
import LMDB
import LedgerStore
import LedgerContract
import Projections

/// Writes the ledger as an IEEE 1849 XES log: one trace per dossier
/// (`concept:name` = the dossier code, with its procedure, agency and due
/// instant as trace attributes), one event per ledger event with
/// `concept:name`, `time:timestamp` (in the offset it was written),
/// `org:resource` and `lifecycle:transition`, plus the event's data.
///
/// Assignments are named by their step, with the assigned officer as the
/// resource and `start` as transition, so process-mining tools see the
/// handover-of-work network; every other ledger event is `complete`. An
/// event imported from XES (`activity.recorded`) gives back the attributes
/// it came with, its transition among them, and its trace the trace's;
/// what the ledger adds is under `ledger:` keys, which an import leaves out.
public enum XESExport {
    public static func write(_ ledger: Ledger, dossier: String? = nil, to emit: (String) throws -> Void) throws {
        try emit("""
        <?xml version="1.0" encoding="UTF-8" ?>
        <log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
          <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
          <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
          <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
          <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
          <global scope="trace">
            <string key="concept:name" value="__INVALID__"/>
          </global>
          <global scope="event">
            <string key="concept:name" value="__INVALID__"/>
            <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
          </global>
          <classifier name="Activity" keys="concept:name"/>
          <string key="concept:name" value="\(Markup.escaped(ledger.path))"/>

        """)
        try ledger.store.read { txn in
            let reference = try ledger.reference(in: txn)
            func trace(_ state: DossierState) throws {
                let events = try ledger.store.events(ofDossier: state.code, in: txn)
                var t = "  <trace>\n    <string key=\"concept:name\" value=\"\(Markup.escaped(state.code))\"/>\n"
                // The trace attributes of an imported log, as it gave them.
                if let imported = events.first(where: { $0.event.type == .activityRecorded })?.event.data["traceAttributes"]?.objectValue {
                    for m in imported.members { t += attribute(m.key, m.value, indent: "    ") }
                }
                if let p = state.procedure { t += "    <string key=\"ledger:procedure\" value=\"\(Markup.escaped(p))\"/>\n" }
                if let a = state.agency { t += "    <string key=\"ledger:agency\" value=\"\(Markup.escaped(a))\"/>\n" }
                if let due = state.dueInstant(calendar: reference.calendar) {
                    t += "    <date key=\"ledger:dueAt\" value=\"\(xesDate(reference.calendar.localTimestamp(due)))\"/>\n"
                }
                t += "    <string key=\"ledger:state\" value=\"\(state.stage.name)\"/>\n"
                for e in events { t += event(e) }
                t += "  </trace>\n"
                try emit(t)
            }
            if let dossier {
                guard let state = try ledger.dossier(dossier, in: txn) else { return }
                try trace(state)
            } else {
                try ledger.forEachDossier(in: txn, trace)
            }
        }
        try emit("</log>\n")
    }

    static func event(_ r: RecordedEvent) -> String {
        let e = r.event
        var name = e.type.name
        var resource = e.actor
        var transition: String? = "complete"
        // An imported event gives back its own attributes (its transition among them).
        let imported = e.type == .activityRecorded ? e.data["attributes"]?.objectValue : nil
        if e.type == .dossierAssigned {
            name = e.data["step"]?.stringValue ?? name
            resource = e.data["to"]?.stringValue ?? resource
            transition = "start"
        } else if e.type == .activityRecorded {
            name = e.data["activity"]?.stringValue ?? name
            resource = e.data["resource"]?.stringValue ?? resource
            transition = nil   // an imported event's transition, if it had one, is among its attributes
        }
        var s = "    <event>\n"
        s += "      <string key=\"concept:name\" value=\"\(Markup.escaped(name))\"/>\n"
        s += "      <date key=\"time:timestamp\" value=\"\(xesDate(e.at))\"/>\n"
        if let resource { s += "      <string key=\"org:resource\" value=\"\(Markup.escaped(resource))\"/>\n" }
        if let transition { s += "      <string key=\"lifecycle:transition\" value=\"\(transition)\"/>\n" }
        s += "      <string key=\"ledger:type\" value=\"\(e.type.name)\"/>\n"
        s += "      <int key=\"ledger:seq\" value=\"\(r.seq)\"/>\n"
        s += "      <date key=\"ledger:recordedAt\" value=\"\(xesDate(r.recordedAt))\"/>\n"
        if let imported {
            for m in imported.members { s += attribute(m.key, m.value, indent: "      ") }
        }
        let own: Set<String> = e.type == .activityRecorded ? ["activity", "resource", "attributes", "traceAttributes"] : []
        for m in e.data.members where !own.contains(m.key) {
            s += attribute(m.key, m.value, indent: "      ")
        }
        s += "    </event>\n"
        return s
    }

    /// One data member as an XES attribute (lists and objects nested; an
    /// attribute an import kept as `{"xes": type, …}` written back as it came).
    static func attribute(_ key: String, _ value: JSONValue, indent: String) -> String {
        let k = Markup.escaped(key)
        if case .object(let o) = value, let type = o["xes"]?.stringValue, XESAttribute.isType(type) {
            let v = o["value"]?.stringValue.map { " value=\"\(Markup.escaped($0))\"" } ?? ""
            var inner = ""
            if let values = o["values"]?.arrayValue {
                inner += "\(indent)  <values>\n"
                for item in values {
                    guard let entry = item.objectValue, let itemValue = entry["value"] else { continue }
                    inner += attribute(entry["key"]?.stringValue ?? "", itemValue, indent: indent + "    ")
                }
                inner += "\(indent)  </values>\n"
            }
            for m in o["attributes"]?.objectValue?.members ?? [] { inner += attribute(m.key, m.value, indent: indent + "  ") }
            return inner.isEmpty ? "\(indent)<\(type) key=\"\(k)\"\(v)/>\n" : "\(indent)<\(type) key=\"\(k)\"\(v)>\n\(inner)\(indent)</\(type)>\n"
        }
        switch value {
        case .null: return ""
        case .bool(let b): return "\(indent)<boolean key=\"\(k)\" value=\"\(b)\"/>\n"
        case .int(let i): return "\(indent)<int key=\"\(k)\" value=\"\(i)\"/>\n"
        case .double(let d): return "\(indent)<float key=\"\(k)\" value=\"\(d)\"/>\n"
        case .string(let s): return "\(indent)<string key=\"\(k)\" value=\"\(Markup.escaped(s))\"/>\n"
        case .array(let items):
            var s = "\(indent)<list key=\"\(k)\">\n\(indent)  <values>\n"
            for (i, item) in items.enumerated() { s += attribute(String(i), item, indent: indent + "    ") }
            return s + "\(indent)  </values>\n\(indent)</list>\n"
        case .object(let o):
            var s = "\(indent)<string key=\"\(k)\" value=\"\">\n"
            for m in o.members { s += attribute(m.key, m.value, indent: indent + "  ") }
            return s + "\(indent)</string>\n"
        }
    }

    /// XES dates: RFC 3339 with milliseconds, in the event's own offset.
    static func xesDate(_ t: Timestamp) -> String {
        var ms = t
        ms.fractionDigits = 3
        ms.isZulu = false
        return ms.text
    }
}
