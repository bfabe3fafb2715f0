import LedgerContract

extension DossierState {
    /// Applies one event of this dossier's stream. Events the lifecycle does
    /// not allow in the current stage (possible only when an earlier event
    /// was voided) change nothing but the version; an `event.voided` changes
    /// nothing else either (the stream is refolded without the voided event
    /// and with it in `voided`).
    ///
    /// - Parameter reference: the reference data in force when the event was appended.
    public mutating func apply(_ e: DossierEvent, reference: ReferenceData) {
        version = max(version, e.version)
        lastSeq = e.seq
        eventTimes.include(at: e.at, recordedAt: e.recordedAt)
        let lag = e.recordedAt - e.at
        if lag > 3600 { lateRecordings.append((e.seq, lag)) }
        if e.type == .eventVoided { return } // handled by refolding without the voided event
        guard voided.isEmpty || !voided.contains(e.seq), Lifecycle.allows(e.type, in: stage) else { return }
        let t = e.at
        switch e.type {
        case .dossierSubmitted, .dossierReceived:
            procedure = e.procedure ?? procedure
            agency = e.agency ?? agency
            channel = e.channel ?? channel
            if let p = procedure, let def = reference.procedure(p, inForceAt: t) {
                procedureSeq = def.seq
                processingSeconds = def.processingSeconds
                obligationPauses = def.obligationPauses
            }
            if e.type == .dossierSubmitted {
                submittedAt = t; submittedSeq = e.seq
            } else {
                receivedAt = t; receivedSeq = e.seq; receivedBy = e.actor
            }
        case .dossierRejected:
            rejectedAt = t
            endHolding(at: t, seq: e.seq)
            endedAt = t; endSeq = e.seq
        case .dossierAssigned:
            endHolding(at: t, seq: e.seq)
            if holdings.isEmpty { holdings.reserveCapacity(4) }   // a dossier passes through a few steps
            holdings.append(Holding(officer: e.to ?? "", step: e.step ?? "", from: t, to: nil, assignedSeq: e.seq, endSeq: nil))
        case .dossierSupplementRequested:
            supplementRequestSeqs.append(e.seq)
            supplementRequesters.append(e.actor ?? currentHolding?.officer)
            pauses.append(ClockPause(reason: .supplement, start: t, end: nil, startSeq: e.seq,
                                     requestedBy: e.actor ?? currentHolding?.officer))
        case .dossierObligationRequested:
            let wait = ClockPause(reason: .obligation, start: t, end: nil, startSeq: e.seq, requestedBy: e.actor)
            obligationWaits.append(wait)
            if obligationPauses { pauses.append(wait) }
        case .dossierSupplementReceived, .dossierObligationFulfilled:
            endWaits(at: t)
        case .dossierFeePaid:
            payments.append(Payment(at: t, amount: e.amount ?? 0, online: e.online ?? false, seq: e.seq))
        case .dossierDigitised:
            if e.part == "input" { inputDigitised = true }
            if e.part == "result" { resultDigitised = true }
        case .dossierApologyIssued:
            if let due = e.newDueAt { apologyNewDueAt = due }
            apologyAt = t; apologySeq = e.seq
        case .dossierProcessed:
            endHolding(at: t, seq: e.seq)
            processedAt = t; processedSeq = e.seq
            result = e.outcome
        case .dossierResultReturned:
            returnedAt = t
            endedAt = t; endSeq = e.seq
        case .dossierWithdrawn, .dossierSuspended:
            endHolding(at: t, seq: e.seq)
            endWaits(at: t)
            endedAt = t; endSeq = e.seq
        case .dossierRated:
            if let s = e.score { ratings.append(Rating(at: t, score: Int(truncatingIfNeeded: s), seq: e.seq)) }
        case .dossierComplaintFiled:
            complaints.append(Complaint(at: t, seq: e.seq))
        case .activityRecorded:
            // A history from another system: each activity is a hold of its resource, until the next one.
            endHolding(at: t, seq: e.seq)
            if let resource = e.resource {
                holdings.append(Holding(officer: resource, step: e.activity ?? "", from: t, to: nil, assignedSeq: e.seq, endSeq: nil))
            }
        default:
            break
        }
        Lifecycle.advance(e.type, stage: &stage, resume: &resumeStage)
    }

    /// Ends the open pause and the open obligation wait, if any.
    private mutating func endWaits(at t: Int64) {
        if let last = pauses.indices.last, pauses[last].end == nil { pauses[last].end = t }
        if let last = obligationWaits.indices.last, obligationWaits[last].end == nil { obligationWaits[last].end = t }
    }

    private mutating func endHolding(at t: Int64, seq: UInt64) {
        if let last = holdings.indices.last, holdings[last].to == nil {
            holdings[last].to = t
            holdings[last].endSeq = seq
        }
    }
}
