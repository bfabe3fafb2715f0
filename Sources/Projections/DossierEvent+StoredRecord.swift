import DossierRules
import LedgerContract
import LedgerStore

extension DossierEvent {
    /// Reads dossier events straight from stored records, without building
    /// JSON values: string ids resolve through one snapshot of the string
    /// table taken in the scan's transaction.
    ///
    /// Valid for records of that transaction's snapshot only.
    package struct Reader {
        private var texts: [String]
        /// String id → the `Field` of that name (nil: not a field).
        private var fieldOfString: [Field?]

        /// - Parameter texts: the string table (`EventStore.stringTexts(in:)`), `texts[id - 1]` for id `id`.
        package init(strings texts: some Collection<String>) {
            self.texts = []
            fieldOfString = [nil]
            catchUp(with: texts)
        }

        /// The number of string ids known.
        var stringCount: Int { texts.count }

        /// Learns the string table's entries past those known: `table` is the
        /// whole table, or at least everything up to its newest entry.
        mutating func catchUp(with table: some Collection<String>) {
            guard table.count > texts.count else { return }
            learn(table.dropFirst(texts.count))
        }

        /// Learns the texts of the next string ids, in id order (strings interned since).
        mutating func learn(_ more: some Sequence<String>) {
            for text in more {
                texts.append(text)
                fieldOfString.append(Field(name: text))
            }
        }

        /// Forgets the ids past `count` (strings of an undone batch, whose ids will be given again).
        mutating func truncate(to count: Int) {
            guard texts.count > count else { return }
            texts.removeLast(texts.count - count)
            fieldOfString.removeLast(fieldOfString.count - count - 1)
        }

        @inline(__always) private func text(_ id: UInt32) throws(RecordDecodingError) -> String {
            guard id >= 1, Int(id) <= texts.count else { throw RecordDecodingError(reason: "string id \(id) is not in the string table") }
            return texts[Int(id) - 1]
        }

        /// The dossier event stored in `view`.
        package func event(_ view: RecordView) throws(RecordDecodingError) -> DossierEvent {
            var e = DossierEvent(type: view.type, seq: 0, version: 0, at: 0, recordedAt: 0)
            try read(view, into: &e)
            return e
        }

        /// Overwrites `e` with the dossier event stored in `view` (the same
        /// value `event(_:)` returns). A scan that reuses one event this way
        /// neither copies nor destroys an event per record.
        package func read(_ view: RecordView, into e: inout DossierEvent) throws(RecordDecodingError) {
            e.clearDataFields()
            e.type = view.type
            e.seq = view.seq
            e.version = view.version
            e.at = view.at.seconds
            e.recordedAt = view.recordedAt.seconds
            e.actor = view.actorID == 0 ? nil : try text(view.actorID)
            var (count, r) = try DataReader.object(view.data)
            var seen: UInt16 = 0
            /// The field a member with key `key` sets: nil when the rules do not read it or a member of that name came first.
            func claim(_ key: UInt32) throws(RecordDecodingError) -> Field? {
                guard Int(key) < fieldOfString.count else { throw RecordDecodingError(reason: "string id \(key) is not in the string table") }
                guard let field = fieldOfString[Int(key)], seen & field.bit == 0 else { return nil }
                seen |= field.bit
                return field
            }
            for _ in 0..<count {
                if let (key, id) = try r.internedMember() {
                    // The commonest member, read without building a `DataValue`.
                    if let field = try claim(key) { e.set(field, text: try text(id)) }
                    continue
                }
                let (key, value) = try r.member()
                guard let field = try claim(key) else { continue }
                switch value {
                case .interned(let id): e.set(field, text: try text(id))
                case .text(let bytes):
                    guard let s = String(storedUTF8: bytes) else {
                        throw RecordDecodingError(reason: "data.\(field.name) is not valid UTF-8")
                    }
                    e.set(field, text: s)
                case .int(let i): e.set(field, .int(i))
                case .double(let d): e.set(field, .double(d))
                case .bool(let b): e.set(field, .bool(b))
                case .null, .list, .object: e.set(field, .null)   // reads as nil, like any kind the field does not take
                }
            }
            e.presentFields = seen
            guard r.isAtEnd else { throw RecordDecodingError(reason: "unexpected bytes after the record") }
        }
    }
}
