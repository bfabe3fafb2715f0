import LedgerContract

/// Counter deltas per agency-day, summed as dossiers' KPI contributions
/// come. Agencies are numbered by their bytes (as the table's keys), and an
/// agency-day's slot is looked up once per run of contributions to it: a
/// dossier's counts mostly fall on its reception and processing days, and
/// dossiers in code order share their agency. The projection writer sums
/// what an append or a rebuild changes through it; `verify` sums what the
/// fold of the log makes.
///
/// - Complexity: memory of one slot per agency-day met, not per dossier.
struct KPIDayDeltas {
    static let width = KPICounters.Counter.allCases.count

    /// The counters of slot `i` are `deltas[i * width ..< (i + 1) * width]`.
    private var deltas: [Int64] = []
    /// The slots, numbered by delta key: the agency's number in the high 32 bits, the day in the low.
    private var slots = NumberedKeys<Int64>()
    /// The slot last looked up.
    private var lastKey: Int64 = -1
    private var lastSlot = 0
    private var agencies = NumberedKeys<ExactText>()
    /// The number of the agency last looked up.
    private var lastAgency = 0

    /// Slots made so far (agency-days met).
    var count: Int { slots.count }

    /// Adds `sign` × each contribution to its agency-day's deltas.
    mutating func add(_ contributions: [KPIContribution], sign: Int64) {
        var i = 0
        while i < contributions.count {
            let first = contributions[i]
            let base = slot(agency: first.agency, day: first.day) * Self.width
            deltas.withUnsafeMutableBufferPointer { deltas in
                repeat {
                    deltas[base + contributions[i].counter.rawValue] += sign * contributions[i].delta
                    i += 1
                } while i < contributions.count && contributions[i].day == first.day && contributions[i].agency.hasSameUTF8(as: first.agency)
            }
        }
    }

    /// Adds one contribution to its agency-day's deltas.
    mutating func add(_ contribution: KPIContribution) {
        let base = slot(agency: contribution.agency, day: contribution.day) * Self.width
        deltas[base + contribution.counter.rawValue] += contribution.delta
    }

    /// Adds a dossier's `counts` to `agency`'s deltas.
    mutating func add(_ counts: [KPICount], of agency: String) {
        var i = 0
        while i < counts.count {
            let day = counts[i].day
            let base = slot(agency: agency, day: day) * Self.width
            deltas.withUnsafeMutableBufferPointer { deltas in
                repeat {
                    deltas[base + counts[i].counter.rawValue] += counts[i].delta
                    i += 1
                } while i < counts.count && counts[i].day == day
            }
        }
    }

    /// The agency-day of slot `slot`.
    func key(ofSlot slot: Int) -> KPIKey {
        let deltaKey = slots[slot]
        return KPIKey(agency: agencies[Int(deltaKey >> 32)].text, day: Int32(truncatingIfNeeded: deltaKey))
    }

    /// The deltas of slot `slot`.
    func deltas(ofSlot slot: Int) -> ArraySlice<Int64> { deltas[slot * Self.width ..< (slot + 1) * Self.width] }

    /// The deltas of slot `slot`, as counters.
    func counters(ofSlot slot: Int) -> KPICounters {
        var counters = KPICounters()
        counters.values = Array(deltas(ofSlot: slot))
        return counters
    }

    /// Whether any delta of slot `slot` is not zero.
    func changes(slot: Int) -> Bool { deltas(ofSlot: slot).contains { $0 != 0 } }

    /// The slot of `key`, nil when no contribution fell on it.
    func slot(of key: KPIKey) -> Int? {
        guard let agency = agencies.existingNumber(of: ExactText(key.agency)) else { return nil }
        return slots.existingNumber(of: Int64(agency) << 32 | Int64(UInt32(bitPattern: key.day)))
    }

    /// The slots whose deltas are not all zero, in the table's key order:
    /// the agency's bytes, then the day.
    func changedSlotsInKeyOrder() -> [Int] {
        let byteOrder = (0..<agencies.count).sorted { Key.precedes(agencies[$0].text, agencies[$1].text) }
        var rank = [Int](repeating: 0, count: agencies.count)
        for (r, a) in byteOrder.enumerated() { rank[a] = r }
        return (0..<slots.count).filter { changes(slot: $0) }
            .sorted { a, b in
                let x = slots[a], y = slots[b]
                return (rank[Int(x >> 32)], Int32(truncatingIfNeeded: x)) < (rank[Int(y >> 32)], Int32(truncatingIfNeeded: y))
            }
    }

    /// Forgets every slot (the agencies stay numbered).
    mutating func removeAll() {
        deltas.removeAll()
        slots = NumberedKeys()
        lastKey = -1
    }

    /// The slot of an agency-day, made when it is new.
    private mutating func slot(agency: String, day: Int32) -> Int {
        if lastAgency >= agencies.count || !agencies[lastAgency].text.hasSameUTF8(as: agency) {
            lastAgency = agencies.number(of: ExactText(agency)).number
        }
        let key = Int64(lastAgency) << 32 | Int64(UInt32(bitPattern: day))
        if key == lastKey { return lastSlot }
        let (slot, isNew) = slots.number(of: key)
        if isNew { deltas.append(contentsOf: repeatElement(0, count: Self.width)) }
        lastKey = key
        lastSlot = slot
        return slot
    }
}
