import Foundation
import Testing

/// `export --format ocel` checked against the published OCEL 2.0 JSON schema
/// and the rules the schema cannot state: referential integrity, declared
/// types, one OCEL event per ledger event.
///
/// Tests/Fixtures/ocel20-schema.json is https://www.ocel-standard.org/2.0/ocel20-schema-json.json
/// (OCEL 2.0 specification, section 8.2), copied verbatim from PM4Py's
/// pm4py/pm4py-core tests/input_data/ocel/schema_ocel2.json (commit f663598a, "JSON-OCEL2 validation schema").
@Suite struct OCELTests {
    /// The published schema, read from the fixture.
    static var schema: [String: Any] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Tool.fixture("ocel20-schema.json")))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static let attributeTypes: Set<String> = ["string", "time", "integer", "float", "boolean"]

    func province(dossiers: Int = 200, seed: Int = 11) throws -> String { try Tool.generatedProvince(dossiers: dossiers, seed: seed) }

    /// The ledger's OCEL log, parsed.
    func ocel(_ ledger: String) throws -> (text: String, log: [String: Any]) {
        let r = try Tool.run(["export", "--format", "ocel"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let log = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return (r.stdout, log)
    }

    @Test func aProvinceIsAValidObjectCentricLog() throws {
        let ledger = try province()
        defer { Tool.remove(ledger) }
        let (text, log) = try ocel(ledger)

        let errors = JSONSchemaValidator(root: Self.schema).errors(in: log)
        #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")

        let objects = try #require(log["objects"] as? [[String: Any]])
        let events = try #require(log["events"] as? [[String: Any]])
        let objectTypes = try #require(log["objectTypes"] as? [[String: Any]])
        let eventTypes = try #require(log["eventTypes"] as? [[String: Any]])
        func declared(_ types: [[String: Any]]) -> [String: [String: String]] {
            Dictionary(uniqueKeysWithValues: types.map { t in
                (t["name"] as! String, Dictionary(uniqueKeysWithValues: (t["attributes"] as! [[String: Any]]).map { ($0["name"] as! String, $0["type"] as! String) }))
            })
        }
        let objectAttributes = declared(objectTypes)
        let eventAttributes = declared(eventTypes)
        #expect(Set(objectAttributes.keys) == ["dossier", "officer", "agency", "procedure"])
        for (type, attributes) in objectAttributes.merging(eventAttributes, uniquingKeysWith: { a, _ in a }) {
            for (name, kind) in attributes { #expect(Self.attributeTypes.contains(kind), "\(type).\(name): \(kind)") }
        }

        // Objects: unique ids prefixed by their type, attributes declared by it.
        var objectsByID: [String: [String: Any]] = [:]
        for o in objects {
            let id = o["id"] as! String, type = o["type"] as! String
            #expect(objectsByID.updateValue(o, forKey: id) == nil, "object \(id) twice")
            #expect(id.hasPrefix(type + ":"), "\(id) of type \(type)")
            let declaredNames = try #require(objectAttributes[type], "object type \(type) is declared")
            for a in o["attributes"] as? [[String: Any]] ?? [] {
                #expect(declaredNames[a["name"] as! String] != nil, "\(id): attribute \(a["name"]!) is declared")
            }
        }

        // Referential integrity: every relationship names an object of the log.
        for item in objects + events {
            for r in item["relationships"] as? [[String: Any]] ?? [] {
                let target = r["objectId"] as! String
                #expect(objectsByID[target] != nil, "\(item["id"]!) relates to \(target), which is not an object")
            }
        }
        for o in objects where o["type"] as? String == "officer" {
            let works = (o["relationships"] as? [[String: Any]] ?? []).filter { $0["qualifier"] as? String == "works_for" }
            #expect(works.count == 1 && (works[0]["objectId"] as? String)?.hasPrefix("agency:") == true, "\(o["id"]!) works for one agency")
        }

        // One OCEL event per ledger event, in seq order, at the instant as written.
        let lines = Tool.objects(try Tool.run(["export"], ledger: ledger).stdout)
        #expect(lines.count > 1_000)
        #expect(events.count == lines.count)
        let dossierCodes = Set(lines.compactMap { $0["dossier"] as? String })
        #expect(objects.filter { $0["type"] as? String == "dossier" }.count == dossierCodes.count)
        var assignments = 0
        for (line, event) in zip(lines, events) {
            let seq = line["seq"] as! Int
            let type = line["type"] as! String
            #expect(event["id"] as? String == "seq:\(seq)")
            #expect(event["type"] as? String == type)
            #expect(event["time"] as? String == line["at"] as? String, "seq \(seq)")
            let declaredNames = try #require(eventAttributes[type], "event type \(type) is declared")
            var values: [String: String] = [:]
            for a in event["attributes"] as? [[String: Any]] ?? [] {
                let name = a["name"] as! String
                #expect(declaredNames[name] != nil, "seq \(seq): attribute \(name) is declared by \(type)")
                values[name] = a["value"] as? String
            }
            #expect(values["seq"] == String(seq))
            #expect(values["recordedAt"] == line["recordedAt"] as? String)
            let relationships = (event["relationships"] as? [[String: Any]] ?? []).map { "\($0["qualifier"]!) \($0["objectId"]!)" }
            if let dossier = line["dossier"] as? String {
                #expect(relationships.contains("dossier dossier:\(dossier)"), "seq \(seq)")
            }
            if let actor = line["actor"] as? String {
                #expect(relationships.contains("actor officer:\(actor)"), "seq \(seq)")
            }
            if type == "dossier.assigned" {
                let to = try #require((line["data"] as? [String: Any])?["to"] as? String)
                #expect(relationships.contains("assignee officer:\(to)"), "seq \(seq): \(relationships)")
                assignments += 1
            }
            if type == "dossier.received", let agency = (line["data"] as? [String: Any])?["agency"] as? String {
                #expect(relationships.contains("agency agency:\(agency)"), "seq \(seq)")
            }
        }
        #expect(assignments > 100)
        #expect(Set(events.map { $0["type"] as! String }) == Set(eventAttributes.keys), "eventTypes names exactly the types that occur")

        // Vietnamese names intact: each officer's and agency's registered name is an attribute value of its object.
        var accented = 0
        for line in lines where ["officer.registered", "agency.registered"].contains(line["type"] as! String) {
            let data = line["data"] as! [String: Any]
            let name = data["name"] as! String
            let id = line["type"] as! String == "officer.registered" ? "officer:\(data["id"]!)" : "agency:\(data["code"]!)"
            let object = try #require(objectsByID[id])
            let names = (object["attributes"] as! [[String: Any]]).filter { $0["name"] as? String == "name" }.map { $0["value"] as? String }
            #expect(names.contains(name), "\(id): \(name)")
            if name.unicodeScalars.contains(where: { $0.value > 0x7F }) { accented += 1 }
        }
        #expect(accented > 10)
        #expect(text.contains("Nghệ An"))
    }

    /// Histories imported from XES keep their resources: each activity
    /// relates to the officer registered for it.
    @Test func importedActivitiesRelateToTheirResources() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        let path = (ledger as NSString).deletingLastPathComponent + "/log.xes"
        let generated = try XESImportTests.generate(traces: 20, to: path)
        let r = try Tool.run(["import", "--format", "xes", path, "--agency", "OLD"], ledger: ledger)
        #expect(r.status == 0, "\(r.stderr)")
        let (_, log) = try ocel(ledger)
        #expect(JSONSchemaValidator(root: Self.schema).errors(in: log).isEmpty)
        let objects = Set((log["objects"] as! [[String: Any]]).map { $0["id"] as! String })
        let activities = (log["events"] as! [[String: Any]]).filter { $0["type"] as? String == "activity.recorded" }
        #expect(activities.count == generated.events)
        for event in activities {
            let relationships = event["relationships"] as! [[String: Any]]
            let resource = relationships.first { $0["qualifier"] as? String == "resource" }?["objectId"] as? String
            #expect(resource?.hasPrefix("officer:res-") == true, "\(event["id"]!)")
            #expect(relationships.allSatisfy { objects.contains($0["objectId"] as! String) })
        }
    }

    @Test func theWholeLogOrNothing() throws {
        let ledger = try Tool.initialisedLedger()
        defer { Tool.remove(ledger) }
        for extra in [["--from", "1"], ["--to", "5"], ["--dossier", "H40-250102-0002"]] {
            let r = try Tool.run(["export", "--format", "ocel"] + extra, ledger: ledger)
            #expect(r.status == 64, "\(extra)")
            #expect(r.stderr.contains("ocel"), "\(r.stderr)")
        }
        let unknown = try Tool.run(["export", "--format", "ocel1"], ledger: ledger)
        #expect(unknown.status == 64 && unknown.stderr.contains("xes or ocel"), "\(unknown.stderr)")
        // A ledger without dossiers is a log without dossiers, valid all the same.
        let (_, log) = try ocel(ledger)
        #expect(JSONSchemaValidator(root: Self.schema).errors(in: log).isEmpty)
        #expect((log["events"] as? [Any])?.count == Tool.objects(try Tool.run(["export"], ledger: ledger).stdout).count)
        #expect((log["objects"] as? [[String: Any]])?.contains { $0["type"] as? String == "dossier" } == false)
    }

    /// The validator can fail: what the schema forbids is reported, and so
    /// is a keyword it does not understand.
    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let valid: [String: Any] = [
            "objectTypes": [["name": "dossier", "attributes": [["name": "stage", "type": "string"]]]],
            "eventTypes": [["name": "dossier.received", "attributes": [["name": "seq", "type": "integer"]]]],
            "objects": [["id": "dossier:A", "type": "dossier",
                         "attributes": [["name": "stage", "time": "2025-01-02T08:00:00+07:00", "value": "received"]]]],
            "events": [["id": "seq:1", "type": "dossier.received", "time": "2025-01-02T08:00:00+07:00",
                        "attributes": [["name": "seq", "value": "1"]], "relationships": [["objectId": "dossier:A", "qualifier": "dossier"]]]],
        ]
        let validator = JSONSchemaValidator(root: Self.schema)
        #expect(validator.errors(in: valid).isEmpty)

        var events = valid["events"] as! [[String: Any]]
        events[0].removeValue(forKey: "time")
        var missingTime = valid
        missingTime["events"] = events
        #expect(validator.errors(in: missingTime).contains { $0.contains("/events/0") && $0.contains("time") })

        events = valid["events"] as! [[String: Any]]
        events[0]["time"] = "2 January 2025"
        var badTime = valid
        badTime["events"] = events
        #expect(validator.errors(in: badTime).contains { $0.contains("/events/0/time") })

        events = valid["events"] as! [[String: Any]]
        events[0]["attributes"] = [["name": "seq", "value": 1]]
        var numericValue = valid
        numericValue["events"] = events
        #expect(validator.errors(in: numericValue).contains { $0.contains("/events/0/attributes/0/value") })

        var noObjects = valid
        noObjects.removeValue(forKey: "objects")
        #expect(!validator.errors(in: noObjects).isEmpty)

        let unknownKeyword: [String: Any] = ["type": "object", "patternProperties": ["^x": ["type": "string"]]]
        #expect(JSONSchemaValidator(root: unknownKeyword).errors(in: ["x": "y"]).contains { $0.contains("patternProperties") })
    }

    /// The keywords the fixture does not use work too.
    @Test func theValidatorsOtherKeywords() throws {
        let schema: [String: Any] = [
            "$defs": ["level": ["enum": ["province", "district", "commune"]]],
            "definitions": ["code": ["type": "string"]],
            "type": "object",
            "required": ["level", "codes"],
            "additionalProperties": false,
            "properties": [
                "level": ["$ref": "#/$defs/level"],
                "codes": ["type": "array", "minItems": 1, "items": ["$ref": "#/definitions/code"]],
                "version": ["const": 2],
                "parent": ["type": ["string", "null"]],
                "budget": ["anyOf": [["type": "integer"], ["type": "string"]]],
                "step": ["oneOf": [["type": "number"], ["type": "integer"]]],
                "name": ["allOf": [["type": "string"], ["enum": ["Nghệ An", "Vinh"]]]],
                "open": ["type": "boolean"],
            ],
        ]
        let v = JSONSchemaValidator(root: schema)
        let good: [String: Any] = ["level": "commune", "codes": ["H40.22"], "version": 2, "parent": NSNull(), "budget": "8",
                                   "step": 1.5, "name": "Nghệ An", "open": true]
        #expect(v.errors(in: good).isEmpty, "\(v.errors(in: good))")
        let bad: [(String, Any)] = [
            ("level", "hamlet"), ("codes", [String]()), ("codes", [7]), ("version", 3), ("parent", 5),
            ("budget", 1.5), ("step", 2), ("name", "Hà Nội"), ("open", 1), ("other", "x"),
        ]
        for (key, value) in bad {
            var document = good
            document[key] = value
            #expect(!v.errors(in: document).isEmpty, "\(key): \(value) is refused")
        }
        var missing = good
        missing.removeValue(forKey: "codes")
        #expect(v.errors(in: missing).contains { $0.contains("codes") })
        #expect(!JSONSchemaValidator(root: ["$ref": "#/definitions/none"]).errors(in: 1).isEmpty)
    }
}

/// A JSON Schema validator over `JSONSerialization` values: the Draft-07 /
/// 2020-12 keywords `type` (a name or a list), `properties`, `required`,
/// `items` (one schema), `additionalProperties` (a boolean or a schema),
/// `enum`, `const`, `$ref` into `#/definitions` or `#/$defs`, `anyOf`,
/// `oneOf`, `allOf`, `minItems` and `format` `date-time` (RFC 3339, checked
/// loosely). Annotations (`$schema`, `$id`, `title`, …) are ignored. Any other
/// keyword or format is reported as an error, so a schema it cannot fully
/// check fails instead of passing.
struct JSONSchemaValidator {
    let root: [String: Any]
    var maxErrors = 50

    static let keywords: Set<String> = ["type", "properties", "required", "items", "additionalProperties", "enum", "const",
                                        "$ref", "anyOf", "oneOf", "allOf", "minItems", "format"]
    static let ignored: Set<String> = ["$schema", "$id", "$comment", "title", "description", "default", "examples",
                                       "definitions", "$defs"]

    /// Each violation as `pointer: what is wrong`; empty when `instance` is valid.
    func errors(in instance: Any) -> [String] {
        var errors: [String] = []
        check(instance, against: root, at: "", errors: &errors)
        return errors
    }

    private func check(_ value: Any, against schema: Any, at path: String, errors: inout [String]) {
        guard errors.count < maxErrors else { return }
        guard let s = schema as? [String: Any] else {
            if let allowed = Self.boolean(schema) {
                if !allowed { errors.append("\(path): not allowed here") }
            } else {
                errors.append("\(path): the schema \(schema) is neither an object nor a boolean")
            }
            return
        }
        for key in s.keys.sorted() where !Self.keywords.contains(key) && !Self.ignored.contains(key) {
            errors.append("\(path): unsupported schema keyword \(key)")
        }
        if let ref = s["$ref"] {
            if let target = resolve(ref) {
                check(value, against: target, at: path, errors: &errors)
            } else {
                errors.append("\(path): unsupported or dangling $ref \(ref)")
            }
        }
        if let type = s["type"] {
            let names = (type as? String).map { [$0] } ?? (type as? [String]) ?? []
            if names.isEmpty { errors.append("\(path): unsupported type \(type)") }
            for name in names where !["null", "boolean", "integer", "number", "string", "array", "object"].contains(name) {
                errors.append("\(path): unsupported type \(name)")
            }
            if !names.contains(where: { Self.value(value, is: $0) }) {
                errors.append("\(path): \(Self.kind(value)) where the schema wants \(names.joined(separator: " or "))")
            }
        }
        if let options = s["enum"] {
            if let list = options as? [Any] {
                if !list.contains(where: { Self.equal($0, value) }) { errors.append("\(path): \(value) is not one of \(list)") }
            } else {
                errors.append("\(path): enum must be a list")
            }
        }
        if let constant = s["const"], !Self.equal(constant, value) {
            errors.append("\(path): \(value) is not \(constant)")
        }
        if let format = s["format"] {
            if format as? String == "date-time" {
                if let text = value as? String, !Self.isDateTime(text) { errors.append("\(path): \"\(text)\" is not an RFC 3339 date-time") }
            } else {
                errors.append("\(path): unsupported format \(format)")
            }
        }
        if let object = value as? [String: Any] {
            if let required = s["required"] {
                if let names = required as? [String] {
                    for name in names where object[name] == nil { errors.append("\(path): missing required \(name)") }
                } else {
                    errors.append("\(path): required must be a list of names")
                }
            }
            let properties = s["properties"] as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                if let property = properties[key] {
                    check(object[key]!, against: property, at: path + "/" + key, errors: &errors)
                } else if let additional = s["additionalProperties"] {
                    check(object[key]!, against: additional, at: path + "/" + key, errors: &errors)
                }
            }
        }
        if let array = value as? [Any] {
            if let minimum = s["minItems"] {
                if let n = minimum as? Int {
                    if array.count < n { errors.append("\(path): \(array.count) items, fewer than \(n)") }
                } else {
                    errors.append("\(path): minItems must be a whole number")
                }
            }
            if let items = s["items"] {
                if items is [Any] {
                    errors.append("\(path): unsupported items form (a list of schemas)")
                } else {
                    for (i, item) in array.enumerated() { check(item, against: items, at: path + "/\(i)", errors: &errors) }
                }
            }
        }
        func passes(_ schema: Any) -> Bool {
            var sub: [String] = []
            check(value, against: schema, at: path, errors: &sub)
            return sub.isEmpty
        }
        if let all = s["allOf"] {
            if let list = all as? [Any] {
                for schema in list { check(value, against: schema, at: path, errors: &errors) }
            } else {
                errors.append("\(path): allOf must be a list")
            }
        }
        if let any = s["anyOf"] {
            if let list = any as? [Any] {
                if !list.contains(where: passes) { errors.append("\(path): matches none of anyOf") }
            } else {
                errors.append("\(path): anyOf must be a list")
            }
        }
        if let one = s["oneOf"] {
            if let list = one as? [Any] {
                let matched = list.filter(passes).count
                if matched != 1 { errors.append("\(path): matches \(matched) of oneOf, not exactly one") }
            } else {
                errors.append("\(path): oneOf must be a list")
            }
        }
    }

    /// `#/definitions/NAME` or `#/$defs/NAME` (any depth of `/` segments) in the root schema.
    private func resolve(_ ref: Any) -> Any? {
        guard let text = ref as? String, text.hasPrefix("#/") else { return nil }
        let segments = text.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        guard let first = segments.first, first == "definitions" || first == "$defs" else { return nil }
        var node: Any = root
        for segment in segments {
            guard let object = node as? [String: Any], let next = object[segment] else { return nil }
            node = next
        }
        return node
    }

    /// A boolean: Swift's, or the `NSNumber` JSONSerialization makes of `true` and `false` (whose type is `char`).
    static func boolean(_ value: Any) -> Bool? {
        if type(of: value) == Bool.self { return value as? Bool }
        guard type(of: value) != Int.self, type(of: value) != Double.self, value as? String == nil,
              let n = value as? NSNumber, String(cString: n.objCType) == "c" else { return nil }
        return n.boolValue
    }

    /// A number that is not a boolean.
    static func number(_ value: Any) -> Double? {
        if type(of: value) == Int.self { return Double(value as! Int) }
        if type(of: value) == Double.self { return value as? Double }
        guard boolean(value) == nil, value as? String == nil, let n = value as? NSNumber else { return nil }
        return n.doubleValue
    }

    static func kind(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if value as? String != nil { return "string" }
        if boolean(value) != nil { return "boolean" }
        if let d = number(value) { return d.rounded() == d ? "integer" : "number" }
        if value is [Any] { return "array" }
        if value is [String: Any] { return "object" }
        return "\(type(of: value))"
    }

    static func value(_ value: Any, is type: String) -> Bool {
        let k = kind(value)
        return k == type || (type == "number" && k == "integer")
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (kind(a), kind(b)) {
        case ("null", "null"): return true
        case ("string", "string"): return a as? String == b as? String
        case ("boolean", "boolean"): return boolean(a) == boolean(b)
        case ("integer", "integer"), ("number", "number"): return number(a) == number(b)
        case ("array", "array"):
            let x = a as! [Any], y = b as! [Any]
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case ("object", "object"):
            let x = a as! [String: Any], y = b as! [String: Any]
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { equal(x[$0]!, y[$0]!) }
        default: return false
        }
    }

    /// RFC 3339 `date-time`: a full date, `T`, a time with optional fraction and a `Z` or `±hh:mm` offset.
    static func isDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }
}
