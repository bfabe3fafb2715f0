import DossierRules
import LedgerContract
import WorkingTime

/// The generation loop: reference events, then a merge (by `at`) of one
/// day's arrivals, the scheduled reference changes and a min-heap of the
/// active dossiers keyed by their next event's instant.
struct Engine {
    enum Channel: Int32 { case direct = 0, online = 1, postal = 2 }

    struct Arrival {
        var at: Int64
        var channel: Channel
        /// Draw order within the day, so that equal instants sort the same everywhere.
        var seq: Int32
    }

    struct Dossier {
        var events: [PlannedEvent] = []
        var next = 0
        /// The dossier code as a JSON string.
        var code: [UInt8] = []
        var agency = 0
        var procedure = 0
        var definition = 0
    }

    enum ScheduledChange {
        /// Re-registration of a commune under the province (districts abolished).
        case reparent(agency: Int)
        /// A later definition of a procedure.
        case redefine(procedure: Int, definition: Int)
        /// The year's targets (`Targets.assignments`).
        case targets(year: Int)
        /// The mid-year revision of the province's online-share target.
        case reviseTargets(year: Int)
    }

    let options: ProvinceGenerator.Options
    var world: World
    let periodStart: Int64
    let periodEnd: Int64
    /// The abolition of the district level, when it happens inside the period.
    let abolition: Int64?
    let districtsAtStart: Bool

    var planRng: Xoshiro256
    private var arrivalRng: Xoshiro256
    private var recordRng: Xoshiro256
    private var line = LineBuffer()
    private var idPrefix: [UInt8]
    private var eventCounter = 0

    // Arrivals, day by day.
    private let firstDay: Int
    private let dayCount: Int
    private var dayWeights: [Double] = []
    private var dayIsWorking: [Bool] = []
    private var totalWeight = 0.0
    private var cumulativeWeight = 0.0
    private var dossiersSoFar = 0
    private var onlineShareOnWorkingDays: [Double] = []
    private var nextDay = 0
    private var batch: [Arrival] = []
    private var batchPos = 0

    // Scheduled reference changes, in order of `at`.
    private var scheduled: [(at: Int64, change: ScheduledChange)] = []
    private var scheduledPos = 0

    // Active dossiers.
    private var heapKeys: [UInt64] = []
    private var heapSlots: [Int32] = []
    private var slots: [Dossier] = []
    private var freeSlots: [Int32] = []
    private var ordinal: UInt32 = 0

    // Code counters per agency per day.
    private var counterDay: [Int64]
    private var counterValue: [Int]

    private var procedureChoice: WeightedChoice
    private var onlineProcedureChoice: WeightedChoice
    private var onlineProcedures: [Int]
    private var communeChoice: WeightedChoice
    private var districtChoice: WeightedChoice

    private var summary: ProvinceGenerator.Summary

    // Pre-quoted texts.
    let items = Catalog.supplementItems.map(JSONText.quoted)
    let supplementReasons = Catalog.supplementReasons.map(JSONText.quoted)
    let rejectionReasons = Catalog.rejectionReasons.map(JSONText.quoted)
    let apologyReasons = Catalog.apologyReasons.map(JSONText.quoted)
    let withdrawalReasons = Catalog.withdrawalReasons.map(JSONText.quoted)
    let suspensionReasons = Catalog.suspensionReasons.map(JSONText.quoted)
    let complaintTexts = Catalog.complaintTexts.map(JSONText.quoted)

    init(options: ProvinceGenerator.Options) {
        self.options = options
        let cal0 = WorkingCalendar()
        let startDate = LocalDate(year: options.fromYear, month: 1, day: 1)!
        let endDate = LocalDate(year: options.fromYear + options.years, month: 1, day: 1)!
        periodStart = cal0.instant(of: startDate, secondsFromMidnight: 0)
        periodEnd = cal0.instant(of: endDate, secondsFromMidnight: 0)
        let abolitionInstant = cal0.instant(of: LocalDate(year: 2025, month: 7, day: 1)!, secondsFromMidnight: 0)
        districtsAtStart = periodStart < abolitionInstant
        abolition = (periodStart < abolitionInstant && abolitionInstant < periodEnd) ? abolitionInstant : nil
        // The redefinition: the 15th of the month holding the period's midpoint.
        let mid = cal0.localDate(of: periodStart + (periodEnd - periodStart) / 2)
        let amendmentAt = cal0.instant(of: LocalDate(year: mid.year, month: mid.month, day: 15)!, secondsFromMidnight: 0)

        world = World(seed: options.seed, fromYear: options.fromYear, years: options.years, periodStart: periodStart,
                      withDistricts: districtsAtStart, amendmentAt: amendmentAt)
        planRng = Xoshiro256(seed: options.seed, stream: 2)
        arrivalRng = Xoshiro256(seed: options.seed, stream: 3)
        recordRng = Xoshiro256(seed: options.seed, stream: 4)
        idPrefix = Array("\"g\(options.seed)-".utf8)
        counterDay = Array(repeating: Int64.min, count: world.agencies.count)
        counterValue = Array(repeating: 0, count: world.agencies.count)

        let procedures = world.procedures
        procedureChoice = WeightedChoice(procedures.map { $0.spec.weight })
        onlineProcedures = procedures.indices.filter { procedures[$0].onlineCapable }
        onlineProcedureChoice = WeightedChoice(onlineProcedures.map {
            procedures[$0].spec.weight * (procedures[$0].spec.online == "full" ? 1.4 : 0.7)
        })
        let w = world
        communeChoice = WeightedChoice(w.communeIndices.map { w.agencies[$0].weight })
        districtChoice = WeightedChoice(w.districtIndices.map { d in
            w.communeIndices.filter { w.agencies[$0].district == d }.reduce(0) { $0 + w.agencies[$1].weight }
        })

        summary = ProvinceGenerator.Summary(events: 0, dossiers: 0, officers: w.officers.count,
                                            procedures: Set(w.procedures.map(\.spec.code)).count,
                                            agencies: Set(w.agencies.map(\.code)).count)

        if let abolitionInstant = abolition {
            for c in w.communeIndices { scheduled.append((abolitionInstant, .reparent(agency: c))) }
        }
        for (pi, p) in w.procedures.enumerated() where p.definitions.count > 1 {
            for di in 1..<p.definitions.count { scheduled.append((p.definitions[di].effectiveFrom, .redefine(procedure: pi, definition: di))) }
        }
        let cal0Targets = WorkingCalendar()
        for y in options.fromYear..<(options.fromYear + options.years) {
            scheduled.append((Targets.assignedAt(year: y, calendar: cal0Targets), .targets(year: y)))
        }
        let lastYear = options.fromYear + options.years - 1
        scheduled.append((Targets.revisedAt(year: lastYear, calendar: cal0Targets), .reviseTargets(year: lastYear)))
        scheduled = scheduled.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)

        // Day weights: working days by weekday, December and the two weeks
        // before Tết heavier; non-working days carry online filings only.
        firstDay = startDate.daysSinceEpoch
        dayCount = endDate.daysSinceEpoch - firstDay
        let cal = world.calendar
        var yearWorking = [Double](repeating: 0, count: options.years)
        var yearTotal = [Double](repeating: 0, count: options.years)
        var tetStart: [Int: Int] = [:]
        for y in options.fromYear..<(options.fromYear + options.years) {
            if let t = VietnameseHolidays.tetHolidayStart(year: y) { tetStart[y] = t.daysSinceEpoch }
        }
        dayWeights.reserveCapacity(dayCount)
        for i in 0..<dayCount {
            let date = LocalDate(daysSinceEpoch: firstDay + i)
            let yi = date.year - options.fromYear
            let working = cal.isWorkingDay(date)
            var weight: Double
            if working {
                weight = [1.18, 1.05, 1.0, 1.0, 0.92, 0.8, 0.8][date.weekday - 1]
                if date.month == 12 { weight *= 1.12 }
                if let t = tetStart[date.year], (t - 14)..<t ~= date.daysSinceEpoch { weight *= 1.6 }
                yearWorking[yi] += weight
            } else {
                weight = 0.25 * Self.onlineTarget(yearIndex: yi, years: options.years)
            }
            yearTotal[yi] += weight
            dayWeights.append(weight)
            dayIsWorking.append(working)
            totalWeight += weight
        }
        for yi in 0..<options.years {
            let target = Self.onlineTarget(yearIndex: yi, years: options.years)
            let nonWorking = yearTotal[yi] - yearWorking[yi]
            let p = yearWorking[yi] > 0 ? (target * yearTotal[yi] - nonWorking) / yearWorking[yi] : 0
            onlineShareOnWorkingDays.append(min(0.95, max(0, p)))
        }
    }

    /// The intended share of dossiers filed online in the `yearIndex`-th year:
    /// 35 % in the first, growing evenly to 60 % in the last (35 % for one year).
    static func onlineTarget(yearIndex: Int, years: Int) -> Double {
        guard years > 1 else { return 0.35 }
        return 0.35 + 0.25 * Double(yearIndex) / Double(years - 1)
    }

    // MARK: - The loop

    mutating func run(_ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows -> ProvinceGenerator.Summary {
        try emitInitialReference(sink)
        while true {
            if batchPos == batch.count { refillArrivals() }
            let arrivalAt = batchPos < batch.count ? batch[batchPos].at : Int64.max
            let scheduledAt = scheduledPos < scheduled.count ? scheduled[scheduledPos].at : Int64.max
            let dossierAt = heapKeys.isEmpty ? Int64.max : periodStart + Int64(heapKeys[0] >> 32)
            if arrivalAt == .max && scheduledAt == .max && dossierAt == .max { break }
            if scheduledAt <= arrivalAt && scheduledAt <= dossierAt {
                try emitScheduled(scheduled[scheduledPos], sink)
                scheduledPos += 1
            } else if arrivalAt <= dossierAt {
                let arrival = batch[batchPos]
                batchPos += 1
                admit(arrival)
                let active = heapKeys.count + batch.count - batchPos
                if active > summary.peakActiveDossiers { summary.peakActiveDossiers = active }
            } else {
                let slot = Int(heapSlots[0])
                let e = slots[slot].events[slots[slot].next]
                try emitDossierEvent(e, slot: slot, sink)
                slots[slot].next += 1
                if slots[slot].next < slots[slot].events.count {
                    let at = slots[slot].events[slots[slot].next].at
                    heapKeys[0] = (UInt64(at - periodStart) << 32) | (heapKeys[0] & 0xFFFF_FFFF)
                    siftDown(0)
                } else {
                    freeSlots.append(Int32(slot))
                    let last = heapKeys.count - 1
                    heapKeys.swapAt(0, last); heapSlots.swapAt(0, last)
                    heapKeys.removeLast(); heapSlots.removeLast()
                    if !heapKeys.isEmpty { siftDown(0) }
                }
            }
        }
        return summary
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heapKeys.count
        let key = heapKeys[i], slot = heapSlots[i]
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && heapKeys[l + 1] < heapKeys[l] { c = l + 1 }
            if heapKeys[c] >= key { break }
            heapKeys[i] = heapKeys[c]; heapSlots[i] = heapSlots[c]
            i = c
        }
        heapKeys[i] = key; heapSlots[i] = slot
    }

    private mutating func push(key: UInt64, slot: Int32) {
        heapKeys.append(key); heapSlots.append(slot)
        var i = heapKeys.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if heapKeys[p] <= key { break }
            heapKeys[i] = heapKeys[p]; heapSlots[i] = heapSlots[p]
            i = p
        }
        heapKeys[i] = key; heapSlots[i] = slot
    }

    // MARK: - Arrivals

    /// Generates the next day with arrivals (times sorted).
    private mutating func refillArrivals() {
        batch.removeAll(keepingCapacity: true)
        batchPos = 0
        let cal = world.calendar
        while batch.isEmpty && nextDay < dayCount {
            let i = nextDay
            nextDay += 1
            cumulativeWeight += dayWeights[i]
            let due = i == dayCount - 1 ? options.dossiers
                : min(options.dossiers, Int((Double(options.dossiers) * cumulativeWeight / totalWeight).rounded(.down)))
            let count = max(0, due - dossiersSoFar)
            dossiersSoFar += count
            guard count > 0 else { continue }
            let date = LocalDate(daysSinceEpoch: firstDay + i)
            let midnight = cal.instant(of: date, secondsFromMidnight: 0)
            let pOnline = onlineShareOnWorkingDays[date.year - options.fromYear]
            for _ in 0..<count {
                var r = arrivalRng
                let channel: Channel
                var sec: Double
                if !dayIsWorking[i] {
                    channel = .online
                    sec = r.triangular(6 * 3600, 20 * 3600, 86_399)
                } else {
                    let u = r.unit()
                    channel = u < pOnline ? .online : (u < pOnline + 0.04 ? .postal : .direct)
                    if channel == .online && r.chance(0.22) {
                        let v = r.unit()
                        sec = v < 0.15 ? r.uniform(5.5 * 3600, 7.5 * 3600)
                            : v < 0.4 ? r.uniform(11.5 * 3600, 13 * 3600) : r.uniform(17 * 3600, 23.9 * 3600)
                    } else if channel == .direct && r.chance(0.012) {
                        sec = r.uniform(17 * 3600, 17 * 3600 + 2400) // the queue served after closing time
                    } else if r.chance(0.63) {
                        sec = r.triangular(7.5 * 3600, 8.75 * 3600, 11.5 * 3600)
                    } else {
                        sec = r.triangular(13 * 3600, 14.25 * 3600, 17 * 3600)
                    }
                }
                arrivalRng = r
                batch.append(Arrival(at: midnight + Int64(sec), channel: channel, seq: Int32(batch.count)))
            }
            batch.sort { $0.at != $1.at ? $0.at < $1.at : $0.seq < $1.seq }
        }
    }

    // MARK: - Reference events

    private mutating func beginReference(_ type: StaticString, at: Int64) {
        line.clear()
        line.raw("{\"type\":\"")
        line.raw(type)
        line.raw("\",\"at\":")
        line.time(at)
        line.raw(",\"data\":{")
    }

    private mutating func finish(at: Int64, backdate: Bool, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        eventCounter += 1
        line.raw(",\"id\":")
        line.raw(idPrefix)
        line.padded(eventCounter, width: 9)
        line.raw("\",\"recordedAt\":")
        var r = recordRng
        let lag: Int64 = backdate && r.chance(0.001) ? Int64(r.uniform(2 * 86_400, 10 * 86_400)) : Int64(r.int(1, 240))
        recordRng = r
        line.time(at + lag)
        line.byte(125)
        summary.events += 1
        try line.bytes.withUnsafeBufferPointer { try sink($0) }
    }

    private mutating func emitInitialReference(_ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let at = periodStart
        for year in world.declaredYears {
            let d = VietnameseHolidays.declaration(for: year)
            beginReference("calendar.declared", at: at)
            line.raw("\"year\":")
            line.int(Int64(year))
            line.raw(",\"holidays\":[")
            for (k, h) in d.holidays.enumerated() { if k > 0 { line.byte(44) }; line.string(h.description) }
            line.raw("],\"workdays\":[")
            for (k, h) in d.workdays.enumerated() { if k > 0 { line.byte(44) }; line.string(h.description) }
            line.raw("]}")
            try finish(at: at, backdate: false, sink)
        }
        for ai in world.agencies.indices {
            try emitAgency(ai, parent: world.agencies[ai].parent, at: at, sink)
        }
        for o in world.officers {
            beginReference("officer.registered", at: at)
            line.raw("\"id\":"); line.raw(o.idJSON)
            line.raw(",\"name\":"); line.string(o.name)
            line.raw(",\"agency\":"); line.raw(world.agencies[o.agency].codeJSON)
            line.raw("}")
            try finish(at: at, backdate: false, sink)
        }
        for pi in world.procedures.indices {
            try emitProcedure(pi, definition: 0, sink)
        }
    }

    private mutating func emitAgency(_ ai: Int, parent: Int?, at: Int64, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let a = world.agencies[ai]
        beginReference("agency.registered", at: at)
        line.raw("\"code\":"); line.raw(a.codeJSON)
        line.raw(",\"name\":"); line.string(a.name)
        line.raw(",\"level\":\""); line.raw(Array(a.level.name.utf8)); line.byte(34)
        if let parent { line.raw(",\"parent\":"); line.raw(world.agencies[parent].codeJSON) }
        line.raw("}")
        try finish(at: at, backdate: false, sink)
    }

    private mutating func emitProcedure(_ pi: Int, definition di: Int, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let p = world.procedures[pi]
        let d = p.definitions[di]
        beginReference("procedure.defined", at: d.effectiveFrom)
        line.raw("\"code\":"); line.raw(p.codeJSON)
        line.raw(",\"name\":"); line.string(p.spec.name)
        if let q = d.dayQuarters { line.raw(",\"processingDays\":"); line.quarters(q) }
        if let h = d.hours { line.raw(",\"processingHours\":"); line.int(Int64(h)) }
        line.raw(",\"online\":\""); line.raw(Array(p.spec.online.utf8)); line.byte(34)
        line.raw(",\"steps\":[")
        for (k, s) in d.steps.enumerated() {
            if k > 0 { line.byte(44) }
            line.raw("{\"name\":"); line.raw(s.nameJSON)
            line.raw(",\"budgetHours\":"); line.quarters(s.quarters)
            line.byte(125)
        }
        line.raw("],\"obligationPauses\":")
        if p.spec.obligationPauses { line.raw("true}") } else { line.raw("false}") }
        try finish(at: d.effectiveFrom, backdate: false, sink)
    }

    private mutating func emitScheduled(_ s: (at: Int64, change: ScheduledChange), _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        switch s.change {
        case .reparent(let agency): try emitAgency(agency, parent: world.provinceIndex, at: s.at, sink)
        case .redefine(let procedure, let definition): try emitProcedure(procedure, definition: definition, sink)
        case .targets(let year):
            // Districts get targets while they exist.
            let agencies = world.agencies.indices.filter { world.agencies[$0].level != .district || abolition.map { s.at < $0 } ?? true }
            for t in Targets.assignments(year: year, yearIndex: year - options.fromYear, years: options.years, world: world, agencies: agencies) {
                try emitTarget(t, at: s.at, sink)
            }
        case .reviseTargets(let year):
            try emitTarget(Targets.revision(year: year, yearIndex: year - options.fromYear, years: options.years, world: world), at: s.at, sink)
        }
    }

    private mutating func emitTarget(_ t: Targets.Assignment, at: Int64, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        beginReference("target.assigned", at: at)
        switch t.holder {
        case .agency(let a): line.raw("\"agency\":"); line.raw(world.agencies[a].codeJSON)
        case .officer(let o): line.raw("\"officer\":"); line.raw(world.officers[o].idJSON)
        }
        line.raw(",\"measure\":"); line.string(t.measure)
        line.raw(",\"value\":"); line.raw(Array(Targets.fraction(t.permille).utf8))
        line.raw(",\"period\":"); line.string(t.period)
        line.raw("}")
        try finish(at: at, backdate: false, sink)
    }

    // MARK: - Dossier events

    /// The contract name of each event type, by its raw value.
    private static let typeNames: [[UInt8]] = {
        var names = [[UInt8]](repeating: [], count: 256)
        for t in EventType.allCases { names[Int(t.rawValue)] = Array(t.name.utf8) }
        return names
    }()

    private mutating func emitDossierEvent(_ e: PlannedEvent, slot: Int, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        line.clear()
        line.raw("{\"type\":\"")
        line.raw(Self.typeNames[Int(e.kind.rawValue)])
        line.raw("\",\"dossier\":")
        line.raw(slots[slot].code)
        line.raw(",\"at\":")
        line.time(e.at)
        if e.actor >= 0 {
            line.raw(",\"actor\":")
            line.raw(world.officers[Int(e.actor)].idJSON)
        }
        line.raw(",\"data\":{")
        switch e.kind {
        case .dossierSubmitted, .dossierReceived:
            line.raw("\"procedure\":"); line.raw(world.procedures[slots[slot].procedure].codeJSON)
            line.raw(",\"agency\":"); line.raw(world.agencies[slots[slot].agency].codeJSON)
            switch Channel(rawValue: e.a)! {
            case .direct: line.raw(",\"channel\":\"direct\"")
            case .online: line.raw(",\"channel\":\"online\"")
            case .postal: line.raw(",\"channel\":\"postal\"")
            }
        case .dossierRejected: line.raw("\"reason\":"); line.raw(rejectionReasons[Int(e.a)])
        case .dossierWithdrawn: line.raw("\"reason\":"); line.raw(withdrawalReasons[Int(e.a)])
        case .dossierSuspended: line.raw("\"reason\":"); line.raw(suspensionReasons[Int(e.a)])
        case .dossierAssigned:
            line.raw("\"to\":"); line.raw(world.officers[Int(e.a)].idJSON)
            line.raw(",\"step\":")
            let p = world.procedures[slots[slot].procedure]
            line.raw(p.definitions[slots[slot].definition].steps[Int(e.b)].nameJSON)
        case .dossierSupplementRequested:
            line.raw("\"items\":[")
            var first = true
            for k in 0..<items.count where e.a & (1 << k) != 0 {
                if !first { line.byte(44) }
                first = false
                line.raw(items[k])
            }
            line.raw("],\"reason\":"); line.raw(supplementReasons[Int(e.b)])
        case .dossierSupplementReceived: break
        case .dossierObligationRequested: line.raw("\"amount\":"); line.int(e.b)
        case .dossierObligationFulfilled: line.raw(e.a != 0 ? "\"online\":true" : "\"online\":false")
        case .dossierFeePaid:
            line.raw("\"amount\":"); line.int(e.b)
            line.raw(e.a != 0 ? ",\"online\":true" : ",\"online\":false")
        case .dossierDigitised: line.raw(e.a == 0 ? "\"part\":\"input\"" : "\"part\":\"result\"")
        case .dossierApologyIssued:
            line.raw("\"newDueAt\":"); line.time(e.b)
            line.raw(",\"reason\":"); line.raw(apologyReasons[Int(e.a)])
        case .dossierProcessed: line.raw(e.a == 0 ? "\"outcome\":\"approved\"" : "\"outcome\":\"denied\"")
        case .dossierResultReturned:
            switch e.a {
            case 0: line.raw("\"channel\":\"counter\"")
            case 1: line.raw("\"channel\":\"online\"")
            default: line.raw("\"channel\":\"postal\"")
            }
        case .dossierRated: line.raw("\"score\":"); line.int(Int64(e.a))
        case .dossierComplaintFiled: line.raw("\"text\":"); line.raw(complaintTexts[Int(e.a)])
        default: break   // the planner plans dossier events of the lifecycle only
        }
        line.byte(125)
        try finish(at: e.at, backdate: true, sink)
    }

    // MARK: - Planning a dossier

    /// Plans the whole history of a new dossier and puts it on the heap.
    private mutating func admit(_ arrival: Arrival) {
        let slot: Int
        if let s = freeSlots.popLast() { slot = Int(s) } else { slot = slots.count; slots.append(Dossier()) }
        // Reuse the slot's buffers.
        var d = Dossier()
        swap(&d.events, &slots[slot].events)
        swap(&d.code, &slots[slot].code)
        d.events.removeAll(keepingCapacity: true)
        plan(arrival, into: &d)
        // Per-agency, per-day counter of the code.
        let localDay = (arrival.at + 25_200) / 86_400
        if counterDay[d.agency] != localDay { counterDay[d.agency] = localDay; counterValue[d.agency] = 0 }
        counterValue[d.agency] += 1
        writeCode(&d.code, agency: d.agency, localDay: localDay, counter: counterValue[d.agency])
        slots[slot] = d
        summary.dossiers += 1
        guard !slots[slot].events.isEmpty else { freeSlots.append(Int32(slot)); return }
        ordinal &+= 1
        push(key: (UInt64(slots[slot].events[0].at - periodStart) << 32) | UInt64(ordinal), slot: Int32(slot))
    }

    private func writeCode(_ code: inout [UInt8], agency: Int, localDay: Int64, counter: Int) {
        code.removeAll(keepingCapacity: true)
        let a = world.agencies[agency].codeJSON
        code.append(contentsOf: a[0..<(a.count - 1)])
        code.append(45)
        let (y, m, dd) = CivilDate.fromDays(localDay)
        for v in [y % 100, m, dd] { code.append(UInt8(48 + v / 10)); code.append(UInt8(48 + v % 10)) }
        code.append(45)
        var digits: [UInt8] = []
        var x = counter
        repeat { digits.append(UInt8(48 + x % 10)); x /= 10 } while x > 0
        while digits.count < 4 { digits.append(48) }
        code.append(contentsOf: digits.reversed())
        code.append(34)
    }

    // Accessors for the planner.
    func procedureIndex(channel: Channel, _ rng: inout Xoshiro256) -> Int {
        channel == .online ? onlineProcedures[onlineProcedureChoice.draw(&rng)] : procedureChoice.draw(&rng)
    }

    func agencyIndex(level: Catalog.Level, receivedAt t: Int64, _ rng: inout Xoshiro256) -> Int {
        switch level {
        case .province: return world.provinceIndex
        case .district:
            let districtsActive = districtsAtStart && (abolition.map { t < $0 } ?? true)
            if districtsActive && !world.districtIndices.isEmpty { return world.districtIndices[districtChoice.draw(&rng)] }
            return world.communeIndices[communeChoice.draw(&rng)]
        case .commune: return world.communeIndices[communeChoice.draw(&rng)]
        }
    }
}
