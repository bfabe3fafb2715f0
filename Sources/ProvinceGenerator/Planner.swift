import DossierRules
import LedgerContract
import WorkingTime

/// Plans one dossier's whole history at its first event: reception, the
/// steps of the procedure held by officers, supplements, obligations,
/// apologies, the result and what follows. Times come from the province's
/// `WorkingCalendar`; the plan is then sorted, checked against the lifecycle
/// and cut at the end of the period.
extension Engine {
    mutating func plan(_ arrival: Arrival, into d: inout Dossier) {
        var r = planRng
        defer { planRng = r }
        let cal = world.calendar
        let t0 = arrival.at
        let channel = arrival.channel
        let yearIndex = max(0, cal.localDate(of: t0).year - options.fromYear)
        let pi = procedureIndex(channel: channel, &r)
        let spec = world.procedures[pi].spec
        var order: Int32 = 0

        func add(_ at: Int64, _ kind: EventType, actor: Int32 = -1, a: Int32 = 0, b: Int64 = 0, side: Bool = false) {
            d.events.append(PlannedEvent(at: at, order: order, kind: kind, side: side, actor: actor, a: a, b: b))
            order += 1
        }

        // Reception: online and postal filings wait for the one-stop officer.
        var receivedAt = t0
        var rejectedAt: Int64?
        if channel != .direct {
            let u = r.unit()
            if u < 0.025 {
                let hours = r.chance(0.12) ? r.uniform(8.5, 16) : r.uniform(0.3, 7.5)
                rejectedAt = cal.adding(workingSeconds: Int64(hours * 3600), to: t0)
            } else {
                let hours = u < 0.055 ? r.uniform(8.3, 20) : 0.1 + 6.9 * r.unit() * r.unit()
                receivedAt = cal.adding(workingSeconds: Int64(hours * 3600), to: t0)
            }
        }
        let agency = agencyIndex(level: spec.level, receivedAt: rejectedAt ?? receivedAt, &r)
        let procedure = world.procedures[pi]
        var di = 0
        for (k, def) in procedure.definitions.enumerated() where def.effectiveFrom <= (rejectedAt ?? receivedAt) { di = k }
        d.agency = agency
        d.procedure = pi
        d.definition = di
        let def = procedure.definitions[di]

        if channel != .direct { add(t0, .dossierSubmitted, a: channel.rawValue) }
        let receptionist = world.officer(of: agency, role: .oneStop, &r)
        if let rejectedAt {
            add(rejectedAt, .dossierRejected, actor: receptionist, a: Int32(r.below(rejectionReasons.count)))
            if r.chance(0.03) { add(rejectedAt + Int64(r.int(3600, 3 * 86_400)), .dossierComplaintFiled, a: Int32(r.below(complaintTexts.count)), side: true) }
            finalize(&d)
            return
        }
        add(receivedAt, .dossierReceived, actor: receptionist, a: channel.rawValue)
        if channel == .direct && r.chance(0.004) {
            add(receivedAt + Int64(r.int(300, 2400)), .dossierRejected, actor: receptionist, a: Int32(r.below(rejectionReasons.count)))
            finalize(&d)
            return
        }

        // Fee (lệ phí) at filing; input digitisation.
        if spec.fee > 0 && spec.obligation == nil {
            if channel == .online {
                add(t0 + Int64(r.int(60, 1200)), .dossierFeePaid, a: r.chance(0.92) ? 1 : 0, b: Int64(spec.fee), side: true)
            } else {
                let online = r.chance(min(0.6, 0.15 + 0.1 * Double(yearIndex)))
                add(receivedAt + Int64(r.int(60, 900)), .dossierFeePaid, a: online ? 1 : 0, b: Int64(spec.fee), side: true)
            }
        }
        if r.chance(min(0.95, 0.8 + 0.04 * Double(yearIndex))) {
            add(receivedAt + Int64(r.int(120, 5400)), .dossierDigitised, actor: receptionist, a: 0, side: true)
        }

        // Who holds each step.
        let n = def.steps.count
        var holders = [Int32](repeating: receptionist, count: n)
        for i in 1..<n {
            let role = def.steps[i].role
            holders[i] = role == .oneStop && r.chance(0.7) ? receptionist : world.officer(of: agency, role: role, &r)
        }

        // Interruptions: supplement requests (a few twice) and the financial obligation.
        let supplements = r.chance(spec.supplement) ? (r.chance(0.12) ? 2 : 1) : 0
        let firstSupplementStep = n >= 3 && !r.chance(0.2) ? 1 : 0
        let secondSupplementStep = min(n - 2, firstSupplementStep + (n > 3 ? 1 : 0))
        let obligationStep: Int? = spec.obligation != nil && r.chance(0.85) ? max(1, n - 3) : nil
        let fate = r.unit() // < 0.005 withdrawn, < 0.008 suspended during processing

        var pauses: [Pause] = []
        var t = receivedAt
        add(receivedAt, .dossierAssigned, actor: receptionist, a: holders[0], b: 0)
        stepLoop: for i in 0..<n {
            let holder = holders[i]
            let duration = holdSeconds(budget: def.steps[i].budgetSeconds, slow: world.officers[Int(holder)].slow, &r)
            var done: Int64 = 0
            // (fraction of the step's work done before it, 0 = supplement, 1 = obligation)
            var interruptions: [(Double, Int)] = []
            if supplements >= 1 && i == firstSupplementStep { interruptions.append((r.uniform(0.1, 0.6), 0)) }
            if supplements >= 2 && i == secondSupplementStep { interruptions.append((r.uniform(0.6, 0.9), 0)) }
            if obligationStep == i { interruptions.append((r.uniform(0.5, 0.95), 1)) }
            if interruptions.count > 1 { interruptions.sort { $0.0 < $1.0 } }
            for (fraction, kind) in interruptions {
                let work = max(0, Int64(Double(duration) * fraction) - done)
                done += work
                t = cal.adding(workingSeconds: work, to: t)
                if kind == 0 {
                    var mask: Int32 = 0
                    for _ in 0..<r.int(1, 3) { mask |= 1 << Int32(r.below(items.count)) }
                    add(t, .dossierSupplementRequested, actor: holder, a: mask, b: Int64(r.below(supplementReasons.count)))
                    if r.chance(0.08) {
                        add(t + Int64(r.uniform(5, 30) * 86_400), .dossierWithdrawn, a: 3)
                        finalize(&d)
                        return
                    }
                    let back = citizenReply(after: t, online: channel == .online, &r)
                    add(back, .dossierSupplementReceived)
                    pauses.append(Pause(start: t, end: back))
                    t = back
                } else {
                    let range = spec.obligation!
                    let amount = Int64(r.int(range.lowerBound / 1000, range.upperBound / 1000)) * 1000
                    add(t, .dossierObligationRequested, actor: holder, b: amount)
                    let online = r.chance(min(0.85, 0.35 + 0.12 * Double(yearIndex)))
                    let paid = online ? t + Int64(r.uniform(0.1, 4) * 86_400)
                        : cal.adding(workingSeconds: Int64(r.uniform(1, 24) * 3600), to: t)
                    add(paid, .dossierFeePaid, a: online ? 1 : 0, b: amount)
                    let fulfilled = paid + Int64(r.int(60, 1800))
                    add(fulfilled, .dossierObligationFulfilled, a: online ? 1 : 0)
                    if spec.obligationPauses { pauses.append(Pause(start: t, end: fulfilled)) }
                    t = fulfilled
                }
            }
            t = cal.adding(workingSeconds: duration - done, to: t)
            if i < n - 1 { add(t, .dossierAssigned, actor: holder, a: holders[i + 1], b: Int64(i + 1)) }
            continue stepLoop
        }
        let processedAt = t

        // Withdrawn or suspended along the way.
        if fate < 0.008 {
            var cut = receivedAt + Int64(Double(processedAt - receivedAt) * r.uniform(0.15, 0.9))
            let suspended = fate >= 0.005
            if suspended {
                let w = cal.nextWorkingMoment(atOrAfter: cut)
                if w < processedAt { cut = w }
            }
            d.events.removeAll { $0.at > cut }
            if suspended {
                add(cut, .dossierSuspended, actor: holderAt(cut, d.events, default: receptionist), a: Int32(r.below(suspensionReasons.count)))
            } else {
                add(cut, .dossierWithdrawn, a: Int32(r.below(withdrawalReasons.count - 1)))
            }
            finalize(&d)
            return
        }

        // The result, and whether it is late.
        let denied = r.chance(0.04)
        let finisher = holders[n - 1]
        add(processedAt, .dossierProcessed, actor: finisher, a: denied ? 1 : 0)
        let due = cal.dueInstant(receivedAt: receivedAt, processingSeconds: def.processingSeconds, pauses: pauses) ?? processedAt
        let late = processedAt > due
        if late && r.chance(0.7) {
            var at: Int64
            if r.chance(0.88) {
                at = receivedAt + Int64(Double(due - receivedAt) * r.uniform(0.55, 0.97))
                let w = cal.nextWorkingMoment(atOrAfter: at)
                if w < due { at = w }
            } else {
                at = due + max(1, Int64(Double(processedAt - due) * r.uniform(0.1, 0.9)))
                let w = cal.nextWorkingMoment(atOrAfter: at)
                if w < processedAt { at = w }
            }
            if at > receivedAt && at < processedAt {
                let overrun = cal.workingSeconds(from: due, to: processedAt)
                let newDue = cal.adding(workingSeconds: overrun + Int64(r.uniform(0, 8) * 3600), to: due)
                add(at, .dossierApologyIssued, actor: holderAt(at, d.events, default: receptionist),
                    a: Int32(r.below(apologyReasons.count)), b: max(newDue, due + 1), side: true)
            }
        }
        if !denied && r.chance(min(0.9, 0.65 + 0.05 * Double(yearIndex))) {
            add(processedAt + Int64(r.int(300, 7200)), .dossierDigitised, actor: finisher, a: 1, side: true)
        }

        var lastAt = processedAt
        if r.chance(0.985) {
            // 0 counter, 1 online, 2 postal
            let u = r.unit()
            let returnChannel: Int32
            switch channel {
            case .online: returnChannel = u < 0.75 ? 1 : (u < 0.95 ? 0 : 2)
            case .postal: returnChannel = u < 0.9 ? 2 : 0
            case .direct: returnChannel = u < 0.88 ? 0 : 2
            }
            let returnedAt: Int64
            switch returnChannel {
            case 1: returnedAt = processedAt + Int64(r.int(60, 3600))
            case 2: returnedAt = cal.adding(workingSeconds: Int64(r.uniform(2, 12) * 3600), to: processedAt)
            default: returnedAt = cal.adding(workingSeconds: Int64(r.uniform(0.3, 40) * 3600), to: processedAt)
            }
            let officer = r.chance(0.6) ? receptionist : world.officer(of: agency, role: .oneStop, &r)
            add(returnedAt, .dossierResultReturned, actor: officer, a: returnChannel)
            lastAt = returnedAt
        }
        var unhappy = false   // rated 1 or 2
        if r.chance(channel == .online ? 0.3 : 0.15) {
            let u = r.unit()
            let score: Int32 = late ? (u < 0.2 ? 1 : u < 0.4 ? 2 : u < 0.7 ? 3 : u < 0.9 ? 4 : 5)
                : (u < 0.02 ? 1 : u < 0.05 ? 2 : u < 0.13 ? 3 : u < 0.4 ? 4 : 5)
            add(lastAt + Int64(r.int(60, 3 * 86_400)), .dossierRated, a: score, side: true)
            unhappy = score <= 2
        }
        // Complaints: a few percent of dossiers, mostly late or badly rated ones.
        if r.chance(late ? 0.15 : unhappy ? 0.35 : 0.012) {
            let at = late ? due + Int64(r.int(3600, 5 * 86_400)) : lastAt + Int64(r.int(3600, 10 * 86_400))
            add(at, .dossierComplaintFiled, a: late ? 0 : Int32(r.below(complaintTexts.count)), side: true)
        }
        finalize(&d)
    }

    /// Working seconds an officer holds a step with this budget: mostly
    /// within it, sometimes over; slow officers take about twice as long.
    private func holdSeconds(budget: Int64, slow: Bool, _ r: inout Xoshiro256) -> Int64 {
        let u = r.unit()
        var f = u < 0.93 ? r.uniform(0.15, 0.9) : (u < 0.985 ? r.uniform(0.9, 1.35) : r.uniform(1.4, 3))
        if slow { f *= r.uniform(1.8, 3.0) }
        return max(60, Int64(Double(budget) * f))
    }

    /// When the citizen brings the supplement: days later, online at any
    /// hour, otherwise at the counter during working hours.
    private func citizenReply(after t: Int64, online: Bool, _ r: inout Xoshiro256) -> Int64 {
        let later = t + Int64(r.uniform(0.3, 9) * 86_400)
        if online { return later }
        let cal = world.calendar
        return cal.adding(workingSeconds: Int64(r.uniform(0, 3) * 3600), to: cal.nextWorkingMoment(atOrAfter: later))
    }

    /// The officer holding the dossier at `t` (the last assignment at or before it).
    private func holderAt(_ t: Int64, _ events: [PlannedEvent], default fallback: Int32) -> Int32 {
        var holder = fallback
        for e in events where e.kind == .dossierAssigned && e.at <= t { holder = e.a }
        return holder
    }

    /// Orders the plan by time, drops side events the lifecycle does not
    /// allow where they landed, and cuts it at the end of the period.
    private func finalize(_ d: inout Dossier) {
        d.events.sort { $0.at != $1.at ? $0.at < $1.at : $0.order < $1.order }
        var stage = DossierStage.new
        var resume = DossierStage.received
        var kept = 0
        for k in d.events.indices {
            let e = d.events[k]
            if e.at >= periodEnd { break }
            guard Lifecycle.allows(e.kind, in: stage) else {
                assert(e.side, "planned \(e.kind) not allowed in \(stage)")
                continue
            }
            Lifecycle.advance(e.kind, stage: &stage, resume: &resume)
            d.events[kept] = e
            kept += 1
        }
        d.events.removeLast(d.events.count - kept)
    }
}
